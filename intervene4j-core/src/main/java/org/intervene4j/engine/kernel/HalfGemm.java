package org.intervene4j.engine.kernel;

import org.intervene4j.engine.HalfFormat;

/**
 * {@code C = A B} (or {@code C += A B}) with A in fp32 and B in half precision (F16 or BF16
 * bits): a frozen half-precision weight times activations. B is widened to fp32 as the kernel
 * reads it, never materialized. Strides as in {@link Gemm#multiply}: element (p, j) of B is
 * {@code b[bOff + p * bRow + j * bCol]}, so nn.Linear weights ([out, in], read transposed) and
 * Conv1D weights ([in, out]) both run in place.
 */
public final class HalfGemm {
    private HalfGemm() {}

    /**
     * {@code C[m, n] (+)= A[m, k] * B[k, n]}, B in {@code format}.
     *
     * @param accumulate add into C when true, overwrite C when false
     * @param ldc        row stride of C (C's columns are contiguous)
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int aRow, int aCol,
                                HalfFormat format, short[] b, int bOff, int bRow, int bCol,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("HalfGemm.multiply: negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        if (!KernelConfig.vectorized() || (long) m * n * k < Gemm.SMALL_PRODUCT) {
            ScalarHalfGemm.multiply(m, n, k, a, aOff, aRow, aCol, format, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
        } else {
            VectorHalfGemm.multiply(m, n, k, a, aOff, aRow, aCol, format, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
        }
    }
}
