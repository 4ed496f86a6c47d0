package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/** Stub: implemented by its owner. */
public final class Softmax {
    private Softmax() {}

    public static Tensor softmax(Tensor x) {
        throw new UnsupportedOperationException("Softmax.softmax");
    }

    public static Tensor maskedSoftmax(Tensor scores, boolean causal, Tensor keyMask) {
        throw new UnsupportedOperationException("Softmax.maskedSoftmax");
    }

    public static Tensor logSoftmax(Tensor x) {
        throw new UnsupportedOperationException("Softmax.logSoftmax");
    }
}
