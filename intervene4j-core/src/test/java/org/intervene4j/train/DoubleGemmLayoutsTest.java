package org.intervene4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.kernel.KernelConfig;
import org.junit.jupiter.api.Test;

/** The float64 GEMM with even sizes, row-major operands, accumulate and alpha != 1 (DoubleMatricesTest covers the transposed layouts). */
class DoubleGemmLayoutsTest {
    @Test
    void rowMajorAccumulatingScaledProducts() {
        int[] sizes = {2, 8, 18, 64, 130, 300};
        Random rng = new Random(2);
        for (boolean vector : new boolean[] {true, false}) {
            boolean saved = KernelConfig.vectorized();
            KernelConfig.setVectorized(vector);
            try {
                for (int m : sizes) for (int k : sizes) for (int n : sizes) {
                    for (int layout = 0; layout < 4; layout++) {
                        boolean ta = (layout & 1) != 0, tb = (layout & 2) != 0;
                        boolean acc = (m + n) % 4 == 0 || layout == 3;
                        double alpha = acc ? -2 : 0.5;
                        double[] a = new double[1 + m * k], b = new double[2 + k * n];
                        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
                        for (int i = 0; i < b.length; i++) b[i] = rng.nextGaussian();
                        int ldc = n + 1;
                        double[] c0 = new double[3 + m * ldc];
                        for (int i = 0; i < c0.length; i++) c0[i] = rng.nextGaussian();
                        int aRow = ta ? 1 : k, aCol = ta ? m : 1, bRow = tb ? 1 : n, bCol = tb ? k : 1;
                        double[] c = c0.clone();
                        DoubleMatrices.gemm(m, k, n, alpha, a, 1, aRow, aCol, b, 2, bRow, bCol, c, 3, ldc, acc);
                        double err = 0;
                        for (int idx = 0; idx < c.length; idx++) {
                            int i = (idx - 3) / ldc, j = (idx - 3) % ldc;
                            double want = c0[idx];
                            if (idx >= 3 && j < n) {
                                double s = 0;
                                for (int p = 0; p < k; p++) s += a[1 + i * aRow + p * aCol] * b[2 + p * bRow + j * bCol];
                                want = (acc ? c0[idx] : 0) + alpha * s;
                            }
                            err = Math.max(err, Math.abs(c[idx] - want));
                        }
                        assertThat(err).as("vector=%s m=%d k=%d n=%d layout=%d", vector, m, k, n, layout).isLessThan(1e-10);
                    }
                }
            } finally {
                KernelConfig.setVectorized(saved);
            }
        }
    }
}
