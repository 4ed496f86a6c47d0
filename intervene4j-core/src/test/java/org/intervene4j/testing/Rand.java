package org.intervene4j.testing;

import java.util.Random;
import org.intervene4j.engine.Tensor;

/** Random test tensors, including non-contiguous views of the same values. */
public final class Rand {
    private Rand() {}

    /** A leaf of N(0, 1) values that requires grad. */
    public static Tensor param(Random rng, int... shape) {
        return Tensor.randn(rng, 1f, shape).requiresGrad(true);
    }

    /**
     * A non-contiguous tensor of the given shape: the values live transposed in memory and are
     * viewed back through {@code transpose} (last two dims swapped); rank >= 2.
     */
    public static Tensor transposedView(Random rng, int... shape) {
        int r = shape.length;
        int[] stored = shape.clone();
        stored[r - 1] = shape[r - 2];
        stored[r - 2] = shape[r - 1];
        return Tensor.randn(rng, 1f, stored).transpose(-1, -2);
    }

    /** Doubles of a tensor's values in row-major order (for float64 references). */
    public static double[] doubles(Tensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
