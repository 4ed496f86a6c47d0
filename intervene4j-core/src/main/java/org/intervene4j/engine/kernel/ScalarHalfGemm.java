package org.intervene4j.engine.kernel;

import org.intervene4j.engine.HalfFormat;

/** The reference for {@link HalfGemm}: the plain triple loop, widening each B value as it is read. */
final class ScalarHalfGemm {
    private ScalarHalfGemm() {}

    /** {@code C[m, n] (+)= A[m, k] B[k, n]} with B in half precision; see {@link HalfGemm#multiply}. */
    static void multiply(int m, int n, int k,
                         float[] a, int aOff, int aRow, int aCol,
                         HalfFormat format, short[] b, int bOff, int bRow, int bCol,
                         float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + i * aRow + p * aCol] * format.toFloat(b[bOff + p * bRow + j * bCol]);
                }
                int o = cOff + i * ldc + j;
                c[o] = accumulate ? c[o] + sum : sum;
            }
        }
    }
}
