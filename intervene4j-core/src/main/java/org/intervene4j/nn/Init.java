package org.intervene4j.nn;

import java.util.Random;
import org.intervene4j.engine.Tensor;

/** Parameter initializers; every one draws from the caller's seeded {@link Random}. */
public final class Init {
    private Init() {}

    /** Uniform in {@code [-1/sqrt(fanIn), 1/sqrt(fanIn))}, PyTorch's default for nn.Linear. */
    public static Tensor uniformFanIn(Random rng, int fanIn, int... shape) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return Tensor.uniform(rng, -bound, bound, shape);
    }

    /** Normal with mean 0 and standard deviation {@code std}. */
    public static Tensor normal(Random rng, float std, int... shape) {
        return Tensor.randn(rng, std, shape);
    }

    /** Every element {@code value}, outside any arena. */
    public static Tensor constant(float value, int... shape) {
        return Tensor.zerosPersistent(shape).fill(value);
    }
}
