package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/** Stub: implemented by its owner. */
public final class MatMul {
    private MatMul() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        throw new UnsupportedOperationException("MatMul.matmul");
    }

    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        throw new UnsupportedOperationException("MatMul.linear");
    }
}
