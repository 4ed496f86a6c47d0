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

    final String op;
    final Tensor[] inputs;
    final boolean[] needs;
    final Backward backward;

    GradNode(String op, Tensor[] inputs, boolean[] needs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.needs = needs;
        this.backward = backward;
    }

    /** The name of the op that recorded this node. */
    public String op() {
        return op;
    }
}
