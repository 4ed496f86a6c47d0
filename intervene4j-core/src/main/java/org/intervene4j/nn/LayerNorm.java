package org.intervene4j.nn;

import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/** Layer normalization over the last dimension, with a learned scale (ones) and shift (zeros). */
public final class LayerNorm extends Module {
    private final float eps;
    private final Tensor gamma; // [dim]
    private final Tensor beta;  // [dim]

    public LayerNorm(int dim, float eps) {
        if (dim < 1) throw new IllegalArgumentException("LayerNorm: dim must be positive, got " + dim);
        this.eps = eps;
        this.gamma = param("weight", Init.constant(1f, dim));
        this.beta = param("bias", Init.constant(0f, dim));
    }

    /** With PyTorch's default epsilon, 1e-5. */
    public LayerNorm(int dim) {
        this(dim, 1e-5f);
    }

    /** {@code x [..., dim] -> [..., dim]}. */
    public Tensor forward(Tensor x) {
        return Ops.layerNorm(x, gamma, beta, eps);
    }
}
