package org.intervene4j.engine;

/**
 * Where ops register their outputs. Every op ends with {@link #record}: when grad mode is on
 * and any input requires a gradient, the output gets a {@link GradNode}; otherwise no graph
 * is kept. With anomaly detection on, the output is checked for NaN and infinity here.
 */
public final class Graph {
    private Graph() {}

    /**
     * Registers {@code out} as the result of {@code op} applied to {@code inputs}.
     *
     * @return {@code out}, now carrying its grad node when one is needed
     */
    public static Tensor record(String op, Tensor out, GradNode.Backward backward, Tensor... inputs) {
        return recordNode(op, out, backward, null, inputs);
    }

    /**
     * Registers {@code out}, a view of the region {@code region} selects in {@code input}
     * (narrow, select): its gradient is placed into that region of the input's gradient.
     */
    static Tensor recordRegion(String op, Tensor out, GradNode.Region region, Tensor input) {
        return recordNode(op, out, null, region, input);
    }

    private static Tensor recordNode(String op, Tensor out, GradNode.Backward backward, GradNode.Region region, Tensor... inputs) {
        out.op = op;
        if (GradMode.enabled()) {
            boolean[] needs = null;
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] != null && inputs[i].requiresGrad()) {
                    if (needs == null) needs = new boolean[inputs.length];
                    needs[i] = true;
                }
            }
            if (needs != null) {
                out.gradFn = new GradNode(op, inputs, needs, backward, region);
                out.markRequiresGrad();
            }
        }
        if (Anomaly.enabled()) Anomaly.check("op '" + op + "'", out, nonNull(inputs));
        return out;
    }

    /** Throws if any input's arena has closed; ops call this on entry. */
    public static void checkAlive(String op, Tensor... inputs) {
        for (Tensor t : inputs) if (t != null) t.checkAlive(op);
    }

    private static Tensor[] nonNull(Tensor[] inputs) {
        int n = 0;
        for (Tensor t : inputs) if (t != null) n++;
        if (n == inputs.length) return inputs;
        Tensor[] out = new Tensor[n];
        int j = 0;
        for (Tensor t : inputs) if (t != null) out[j++] = t;
        return out;
    }
}
