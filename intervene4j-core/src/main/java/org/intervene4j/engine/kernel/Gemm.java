package org.intervene4j.engine.kernel;

/**
 * Single-precision matrix multiply on strided operands: {@code C = A B} or {@code C += A B}.
 * Element (i, p) of A is {@code a[aOff + i * aRow + p * aCol]}, so a transposed operand is just
 * swapped strides; packing makes every layout and every size run through the same blocked
 * kernel. Dispatches to the vectorized or scalar implementation per {@link KernelConfig}.
 */
public final class Gemm {
    private Gemm() {}

    /**
     * {@code C[m, n] (+)= A[m, k] * B[k, n]}.
     *
     * @param accumulate add into C when true, overwrite C when false
     * @param ldc        row stride of C (C's columns are contiguous)
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int aRow, int aCol,
                                float[] b, int bOff, int bRow, int bCol,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        throw new UnsupportedOperationException("Gemm.multiply: not yet implemented");
    }
}
