package org.intervene4j.engine;

/**
 * One recorded op in the autograd graph: the op's name, its inputs, which of them need a
 * gradient, and the function that maps the output's gradient to the inputs' gradients.
 */
public final class GradNode {
    /** Maps the gradient of an op's output to the gradients of its inputs. */
    @FunctionalInterface
    public interface Backward {
        /**
         * @param grad  gradient of the loss with respect to the op's output (same shape)
         * @param needs {@code needs[i]} is true when input i needs a gradient
         * @return per-input gradients with the inputs' shapes; null where {@code needs[i]} is false
         */
        Tensor[] apply(Tensor grad, boolean[] needs);
    }

    /**
     * For an op whose output is a region of its one input (narrow, select): that region of a
     * tensor shaped like the input. Its gradient is the output's gradient placed in that region
     * and zero elsewhere, so {@link Autograd} writes it straight into the input's gradient
     * buffer instead of materializing a mostly-zero tensor per view and summing them.
     */
    @FunctionalInterface
    interface Region {
        Tensor of(Tensor inputShaped);
    }

    final String op;
    final Tensor[] inputs;
    final boolean[] needs;
    /** Null for a region node, whose gradient {@link Autograd} places itself. */
    final Backward backward;
    /** Non-null when the output is a region of {@code inputs[0]}. */
    final Region region;

    GradNode(String op, Tensor[] inputs, boolean[] needs, Backward backward) {
        this(op, inputs, needs, backward, null);
    }

    GradNode(String op, Tensor[] inputs, boolean[] needs, Backward backward, Region region) {
        this.op = op;
        this.inputs = inputs;
        this.needs = needs;
        this.backward = backward;
        this.region = region;
    }

    /** The name of the op that recorded this node. */
    public String op() {
        return op;
    }
}
