package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/** Stub: implemented by its owner. */
public final class Reduce {
    private Reduce() {}

    public static Tensor sum(Tensor x) {
        throw new UnsupportedOperationException("Reduce.sum");
    }

    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        throw new UnsupportedOperationException("Reduce.sum");
    }

    public static Tensor mean(Tensor x) {
        throw new UnsupportedOperationException("Reduce.mean");
    }

    public static Tensor mean(Tensor x, int dim, boolean keepDim) {
        throw new UnsupportedOperationException("Reduce.mean");
    }

    public static Tensor max(Tensor x, int dim, boolean keepDim) {
        throw new UnsupportedOperationException("Reduce.max");
    }
}
