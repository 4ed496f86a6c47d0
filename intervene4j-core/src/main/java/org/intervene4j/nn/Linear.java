package org.intervene4j.nn;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/** {@code y = x @ weight^T + bias}, with {@code weight [out, in]} as in PyTorch's nn.Linear. */
public final class Linear extends Module {
    private final int in;
    private final int out;
    private final Tensor weight; // [out, in]
    private final Tensor bias;   // [out], or null

    /**
     * A layer initialized like PyTorch's: weight and bias uniform in {@code [-1/sqrt(in), 1/sqrt(in))}.
     *
     * @param bias whether to add a learned bias
     */
    public Linear(int in, int out, boolean bias, Random rng) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = param("weight", Init.uniformFanIn(rng, in, out, in));
        this.bias = bias ? param("bias", Init.uniformFanIn(rng, in, out)) : null;
    }

    /** A layer with a bias. */
    public Linear(int in, int out, Random rng) {
        this(in, out, true, rng);
    }

    /** {@code x [..., in] -> [..., out]}. */
    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight, bias);
    }

    /** The weight {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
