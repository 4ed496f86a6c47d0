package org.intervene4j.engine.kernel;

/**
 * The reference GEMM: a plain triple loop over strided operands, one float accumulator per
 * element of C. Obviously correct, slow; the vectorized kernel is tested against it.
 */
final class ScalarGemm {
    private ScalarGemm() {}

    /** {@code C[m, n] (+)= A[m, k] B[k, n]}; see {@link Gemm#multiply}. */
    static void multiply(int m, int n, int k,
                         float[] a, int aOff, int aRow, int aCol,
                         float[] b, int bOff, int bRow, int bCol,
                         float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + i * aRow + p * aCol] * b[bOff + p * bRow + j * bCol];
                }
                int o = cOff + i * ldc + j;
                c[o] = accumulate ? c[o] + sum : sum;
            }
        }
    }

    /** {@code C[m, n] (+)= A[m, k] B (+ bias)} with B prepacked; see {@link Gemm#multiply(int, float[], int, int, int, PackedPanels, float[], int, float[], int, int, boolean)}. */
    static void multiply(int m, float[] a, int aOff, int aRow, int aCol, PackedPanels b,
                         float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
        int n = b.n();
        int k = b.k();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) sum += a[aOff + i * aRow + p * aCol] * b.get(p, j);
                int o = cOff + i * ldc + j;
                c[o] = accumulate ? c[o] + sum : bias != null ? sum + bias[biasOff + j] : sum;
            }
        }
    }
}
