package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

/** The float64 reference both GEMM test classes compare against, and their random operands. */
final class GemmReference {
    private GemmReference() {}

    /**
     * Max over C of |got - float64 C| / (sum_p |a b| (+ |c| when accumulating)), for strided A
     * and B as {@link Gemm#multiply} reads them; also checks that C's padding is untouched.
     */
    static double relativeError(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                                float[] b, int bOff, int bRow, int bCol, float[] c0, int cOff, int ldc,
                                boolean accumulate, float[] got) {
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double scale = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) a[aOff + i * aRow + p * aCol] * b[bOff + p * bRow + j * bCol];
                    sum += t;
                    scale += Math.abs(t);
                }
                int o = cOff + i * ldc + j;
                if (accumulate) {
                    sum += c0[o];
                    scale += Math.abs(c0[o]);
                }
                worst = Math.max(worst, Math.abs(got[o] - sum) / Math.max(scale, 1e-30));
            }
        }
        for (int idx = 0; idx < got.length; idx++) {
            boolean inside = idx >= cOff && (idx - cOff) % ldc < n && (idx - cOff) / ldc < m;
            if (!inside) assertThat(got[idx]).as("C padding at %d must be untouched", idx).isEqualTo(c0[idx]);
        }
        return worst;
    }

    /** n standard normal floats. */
    static float[] random(Random rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }
}
