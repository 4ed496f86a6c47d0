package org.intervene4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.intervene4j.engine.kernel.KernelConfig;
import org.junit.jupiter.api.Test;

/** The float64 product and inverse against plain triple loops, on both kernel paths. */
class DoubleMatricesTest {
    private static final boolean[] PATHS = {true, false}; // vector, scalar

    static double[] gaussian(Random rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextGaussian();
        return a;
    }

    /** Runs {@code body} with the vector (true) or scalar (false) kernels, restoring the setting. */
    static void withKernels(boolean vector, Runnable body) {
        boolean saved = KernelConfig.vectorized();
        try {
            KernelConfig.setVectorized(vector);
            body.run();
        } finally {
            KernelConfig.setVectorized(saved);
        }
    }

    @Test
    void stridedProductMatchesTripleLoopOnAwkwardSizes() {
        int[] sizes = {1, 3, 17, 65, 203};
        Random rng = new Random(1);
        for (boolean vector : PATHS) {
            for (int m : sizes) {
                for (int k : sizes) {
                    for (int n : sizes) {
                        // A read transposed when m is odd, B when n is odd; C is a block of a wider
                        // array; half the cases accumulate onto C, with alpha = -2.
                        boolean ta = m % 2 == 1;
                        boolean tb = n % 2 == 1;
                        boolean accumulate = (m + k + n) % 2 == 0;
                        double alpha = accumulate ? -2 : 1;
                        int aOff = 3;
                        int bOff = 5;
                        int cOff = 2;
                        int ldc = n + 4;
                        double[] a = gaussian(rng, aOff + m * k);
                        double[] b = gaussian(rng, bOff + k * n);
                        double[] c0 = gaussian(rng, cOff + m * ldc);
                        int aRow = ta ? 1 : k;
                        int aCol = ta ? m : 1;
                        int bRow = tb ? 1 : n;
                        int bCol = tb ? k : 1;
                        double[] c = c0.clone();
                        withKernels(vector, () -> DoubleMatrices.gemm(m, k, n, alpha, a, aOff, aRow, aCol, b, bOff,
                                bRow, bCol, c, cOff, ldc, accumulate));
                        double maxErr = 0;
                        for (int idx = 0; idx < c.length; idx++) {
                            int i = (idx - cOff) / ldc;
                            int j = (idx - cOff) % ldc;
                            double expected = c0[idx];
                            if (idx >= cOff && j < n) {
                                double s = 0;
                                for (int p = 0; p < k; p++) {
                                    s += a[aOff + i * aRow + p * aCol] * b[bOff + p * bRow + j * bCol];
                                }
                                expected = (accumulate ? c0[idx] : 0) + alpha * s;
                            }
                            maxErr = Math.max(maxErr, Math.abs(c[idx] - expected));
                        }
                        assertThat(maxErr).as("vector=%s m=%d k=%d n=%d", vector, m, k, n).isLessThan(1e-11);
                    }
                }
            }
        }
    }

    /** max |A X - I| by a plain triple loop. */
    private static double inverseResidual(double[] a, double[] x, int d) {
        double err = 0;
        double[] row = new double[d];
        for (int i = 0; i < d; i++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < d; p++) {
                double aip = a[i * d + p];
                for (int j = 0; j < d; j++) row[j] += aip * x[p * d + j];
            }
            for (int j = 0; j < d; j++) err = Math.max(err, Math.abs(row[j] - (i == j ? 1 : 0)));
        }
        return err;
    }

    @Test
    void inverseTimesMatrixIsIdentity() {
        for (int d : new int[] {1, 7, 33, 130, 768}) {
            Random rng = new Random(d);
            // well conditioned, and with a zero diagonal so every column needs a row swap
            double[] a = gaussian(rng, d * d);
            for (int i = 0; i < a.length; i++) a[i] /= Math.sqrt(d);
            for (int i = 0; i < d; i++) {
                a[i * d + i] = 0;
                a[i * d + (i + 1) % d] += d == 1 ? 1 : 2;
            }
            for (boolean vector : PATHS) {
                if (!vector && d > 130) continue; // the scalar path is the slow reference
                double[][] inv = new double[1][];
                withKernels(vector, () -> inv[0] = DoubleMatrices.invert(a, d));
                double err = inverseResidual(a, inv[0], d);
                System.out.printf("invert d=%d vector=%s: max |A A^-1 - I| = %.3g%n", d, vector, err);
                assertThat(err).as("d=%d vector=%s", d, vector).isLessThan(1e-10);
            }
        }
    }

    /** {vector kernels' inverse, scalar kernels' inverse} of {@code a [d, d]}. */
    static double[][] inverseWithBothKernels(double[] a, int d) {
        double[][] inv = new double[2][];
        withKernels(true, () -> inv[0] = DoubleMatrices.invert(a, d));
        withKernels(false, () -> inv[1] = DoubleMatrices.invert(a, d));
        return inv;
    }

    /** max |x - y| / (1 + |y|) over the elements. */
    static double maxRelDiff(double[] x, double[] y) {
        double m = 0;
        for (int i = 0; i < y.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
        return m;
    }

    @Test
    void vectorAndScalarInversesAgree() {
        int d = 130;
        double[] a = gaussian(new Random(3), d * d);
        double[][] inv = inverseWithBothKernels(a, d);
        double maxRel = maxRelDiff(inv[0], inv[1]);
        assertThat(maxRel).isLessThan(1e-9);
    }

    @Test
    void zeroColumnIsReportedSingularOnBothPaths() {
        int d = 130;
        double[] a = gaussian(new Random(4), d * d);
        for (int i = 0; i < d; i++) a[i * d + 100] = 0;
        for (boolean vector : PATHS) {
            withKernels(vector, () -> assertThatThrownBy(() -> DoubleMatrices.invert(a, d))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("singular").hasMessageContaining("column 100"));
        }
    }
}
