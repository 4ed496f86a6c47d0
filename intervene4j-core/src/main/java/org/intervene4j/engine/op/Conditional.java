package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/** Stub: implemented by its owner. */
public final class Conditional {
    private Conditional() {}

    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("Conditional.where");
    }

    public static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        throw new UnsupportedOperationException("Conditional.maskedFill");
    }
}
