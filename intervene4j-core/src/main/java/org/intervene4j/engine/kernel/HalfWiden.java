package org.intervene4j.engine.kernel;

import org.intervene4j.engine.HalfFormat;

/** Widening runs of half-precision values to fp32 (embedding rows, {@code HalfMatrix.toTensor}). */
public final class HalfWiden {
    private HalfWiden() {}

    /**
     * {@code dst[dOff + i] = src[sOff + i * sStride]} widened, for i < n. Contiguous runs use
     * the vector loads when {@link KernelConfig#vectorized()}; the result is exact either way.
     */
    public static void widen(HalfFormat format, short[] src, int sOff, int sStride, float[] dst, int dOff, int n) {
        if (sStride == 1 && KernelConfig.vectorized()) {
            VectorHalf.widen(format == HalfFormat.BF16, src, sOff, dst, dOff, n);
        } else {
            for (int i = 0; i < n; i++) dst[dOff + i] = format.toFloat(src[sOff + i * sStride]);
        }
    }
}
