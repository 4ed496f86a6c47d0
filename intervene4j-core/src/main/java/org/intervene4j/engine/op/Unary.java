package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/** Stub: implemented by its owner. */
public final class Unary {
    private Unary() {}

    public static Tensor scale(Tensor x, float s) {
        throw new UnsupportedOperationException("Unary.scale");
    }

    public static Tensor addScalar(Tensor x, float c) {
        throw new UnsupportedOperationException("Unary.addScalar");
    }

    public static Tensor neg(Tensor x) {
        throw new UnsupportedOperationException("Unary.neg");
    }

    public static Tensor exp(Tensor x) {
        throw new UnsupportedOperationException("Unary.exp");
    }

    public static Tensor log(Tensor x) {
        throw new UnsupportedOperationException("Unary.log");
    }

    public static Tensor sqrt(Tensor x) {
        throw new UnsupportedOperationException("Unary.sqrt");
    }

    public static Tensor square(Tensor x) {
        throw new UnsupportedOperationException("Unary.square");
    }

    public static Tensor tanh(Tensor x) {
        throw new UnsupportedOperationException("Unary.tanh");
    }

    public static Tensor sigmoid(Tensor x) {
        throw new UnsupportedOperationException("Unary.sigmoid");
    }

    public static Tensor relu(Tensor x) {
        throw new UnsupportedOperationException("Unary.relu");
    }

    public static Tensor gelu(Tensor x) {
        throw new UnsupportedOperationException("Unary.gelu");
    }

    public static Tensor geluErf(Tensor x) {
        throw new UnsupportedOperationException("Unary.geluErf");
    }

    public static Tensor silu(Tensor x) {
        throw new UnsupportedOperationException("Unary.silu");
    }

    public static Tensor clamp(Tensor x, float lo, float hi) {
        throw new UnsupportedOperationException("Unary.clamp");
    }
}
