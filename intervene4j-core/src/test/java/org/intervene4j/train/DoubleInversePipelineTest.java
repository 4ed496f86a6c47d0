package org.intervene4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.train.DoubleMatricesTest.gaussian;
import static org.intervene4j.train.DoubleMatricesTest.withKernels;

import java.util.Random;
import org.intervene4j.engine.kernel.WorkerPool;
import org.junit.jupiter.api.Test;

/**
 * The panel-pipelined float64 inverse across panel boundaries, and the products with a row-major
 * A read in place that it runs on ({@link DoubleVectorGemm#multiplyRows} and the thin path of
 * {@link DoubleMatrices#gemm}), against plain triple loops on both kernel paths.
 */
class DoubleInversePipelineTest {
    /**
     * A well-conditioned {@code [d, d]} matrix; with {@code zeroDiagonal} every column's pivot
     * is off the diagonal, so every step swaps rows.
     */
    private static double[] testMatrix(int d, boolean zeroDiagonal, long seed) {
        double[] a = gaussian(new Random(seed), d * d);
        for (int i = 0; i < a.length; i++) a[i] /= Math.sqrt(d);
        for (int i = 0; i < d; i++) {
            if (zeroDiagonal) {
                a[i * d + i] = 0;
                a[i * d + (i + 1) % d] += 2;
            } else {
                a[i * d + i] += 2;
            }
        }
        return a;
    }

    /** max |A X - I| by a plain triple loop. */
    private static double inverseResidual(double[] a, double[] x, int d) {
        double err = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int p = 0; p < d; p++) s += a[i * d + p] * x[p * d + j];
                err = Math.max(err, Math.abs(s - (i == j ? 1 : 0)));
            }
        }
        return err;
    }

    @Test
    void inverseAcrossPanelBoundariesOnBothPaths() {
        // one panel, a ragged second one, and several panels whose recursion ends in base blocks
        // narrower than 16 columns (down to one column, and 8: one vector on AVX-512)
        for (int d : new int[] {40, 65, 200, 333}) {
            for (boolean zeroDiagonal : new boolean[] {true, false}) {
                double[] a = testMatrix(d, zeroDiagonal, d);
                double[][] inv = DoubleMatricesTest.inverseWithBothKernels(a, d);
                double maxRel = DoubleMatricesTest.maxRelDiff(inv[0], inv[1]);
                double errVector = inverseResidual(a, inv[0], d);
                double errScalar = inverseResidual(a, inv[1], d);
                System.out.printf("pipelined invert d=%d swaps=%s: residual vector %.2e scalar %.2e, max rel diff %.2e%n",
                        d, zeroDiagonal, errVector, errScalar, maxRel);
                assertThat(errVector).as("d=%d vector", d).isLessThan(1e-12);
                assertThat(errScalar).as("d=%d scalar", d).isLessThan(1e-12);
                assertThat(maxRel).as("d=%d vector vs scalar", d).isLessThan(1e-12);
            }
        }
    }

    @Test
    void inverseIsTheSameWhateverThePoolSize() {
        // the threads share a panel's update by claiming columns; which thread takes which
        // columns must not change a single bit
        int d = 333;
        double[] a = testMatrix(d, true, 5);
        int before = WorkerPool.global().threads();
        double[][] inv = new double[2][];
        try {
            WorkerPool.setGlobalThreads(1);
            withKernels(true, () -> inv[0] = DoubleMatrices.invert(a, d));
            WorkerPool.setGlobalThreads(3);
            withKernels(true, () -> inv[1] = DoubleMatrices.invert(a, d));
        } finally {
            WorkerPool.setGlobalThreads(before);
        }
        assertThat(inv[1]).containsExactly(inv[0]);
        assertThat(inverseResidual(a, inv[0], d)).isLessThan(1e-12);
    }

    @Test
    void rowMajorProductMatchesTripleLoopIncludingBFromRowsOfC() {
        Random rng = new Random(7);
        for (int m : new int[] {1, 7, 8, 9, 203}) {
            for (int k : new int[] {1, 5, 96, DoubleVectorGemm.KC}) {
                for (int n : new int[] {1, 15, 16, 17, 50}) {
                    for (boolean bInC : new boolean[] {false, true}) {
                        if (bInC && m < k + 2) continue;
                        int lda = k + 3;
                        int ldc = n + 5;
                        double[] a = gaussian(rng, 4 + m * lda);
                        double[] c0 = gaussian(rng, 2 + m * ldc);
                        double[] b = bInC ? null : gaussian(rng, 1 + k * (n + 1));
                        double[] c = c0.clone();
                        // B(p, j) = C0[2 + p][j] (rows of C, read before the update) or b[1 + p*(n+1) + j]
                        double[] bArr = bInC ? c : b;
                        int bOff = bInC ? 2 + 2 * ldc : 1;
                        int ldb = bInC ? ldc : n + 1;
                        DoubleVectorGemm.multiplyRows(m, k, n, a, 4, lda, bArr, bOff, ldb, c, 2, ldc);
                        double err = 0;
                        for (int idx = 0; idx < c.length; idx++) {
                            int i = (idx - 2) / ldc;
                            int j = (idx - 2) % ldc;
                            double want = c0[idx];
                            if (idx >= 2 && j < n) {
                                for (int p = 0; p < k; p++) {
                                    double bpj = bInC ? c0[2 + (2 + p) * ldc + j] : b[1 + p * (n + 1) + j];
                                    want += a[4 + i * lda + p] * bpj;
                                }
                            }
                            err = Math.max(err, Math.abs(c[idx] - want));
                        }
                        assertThat(err).as("m=%d k=%d n=%d bInC=%s", m, k, n, bInC).isLessThan(1e-11);
                    }
                }
            }
        }
    }

    @Test
    void thinProductsWithRowMajorAMatchTripleLoop() {
        // at most 3 * NR columns with a row-major A: A is read in place, ragged row panels packed
        Random rng = new Random(8);
        int thin = DoubleVectorGemm.THIN_COLUMNS;
        for (boolean vector : new boolean[] {true, false}) {
            for (int m : new int[] {5, 8, 131}) {
                for (int k : new int[] {3, DoubleVectorGemm.KC + 44}) {
                    for (int n : new int[] {1, 16, thin - 1, thin, thin + 1}) {
                        boolean accumulate = (m + n) % 2 == 1;
                        double alpha = accumulate ? -2 : 1;
                        int lda = k + 1;
                        int ldc = n + 2;
                        double[] a = gaussian(rng, 3 + m * lda);
                        double[] b = gaussian(rng, k * n);
                        double[] c0 = gaussian(rng, 1 + m * ldc);
                        double[] c = c0.clone();
                        withKernels(vector, () -> DoubleMatrices.gemm(m, k, n, alpha, a, 3, lda, 1, b, 0, n, 1,
                                c, 1, ldc, accumulate));
                        double err = 0;
                        for (int idx = 0; idx < c.length; idx++) {
                            int i = (idx - 1) / ldc;
                            int j = (idx - 1) % ldc;
                            double want = c0[idx];
                            if (idx >= 1 && j < n) {
                                double s = 0;
                                for (int p = 0; p < k; p++) s += a[3 + i * lda + p] * b[p * n + j];
                                want = (accumulate ? c0[idx] : 0) + alpha * s;
                            }
                            err = Math.max(err, Math.abs(c[idx] - want));
                        }
                        assertThat(err).as("vector=%s m=%d k=%d n=%d", vector, m, k, n).isLessThan(1e-11);
                    }
                }
            }
        }
    }
}
