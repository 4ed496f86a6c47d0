package org.intervene4j.train;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Dense float64 linear algebra on row-major arrays, for the small number of places where float32
 * is not accurate enough (the Cayley map's inverse, random orthogonal matrices). Each kernel has
 * a vectorized inner loop ({@link DoubleVector}) and a scalar twin, and splits rows over the
 * {@link WorkerPool}.
 */
final class DoubleMatrices {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Column and depth tile sizes of {@link #multiply}: a 128 x 256 tile of B is 256 KiB. */
    private static final int TILE_J = 256;
    private static final int TILE_K = 128;

    private DoubleMatrices() {}

    /** {@code y[yo + j] += a * x[xo + j]} for j in [0, n). */
    static void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        int j = 0;
        if (KernelConfig.vectorized()) {
            int bound = S.loopBound(n);
            DoubleVector av = DoubleVector.broadcast(S, a);
            for (; j < bound; j += S.length()) {
                DoubleVector.fromArray(S, x, xo + j).fma(av, DoubleVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
            }
        }
        for (; j < n; j++) y[yo + j] = Math.fma(a, x[xo + j], y[yo + j]);
    }

    /** {@code C = A B} with A {@code [m, k]}, B {@code [k, n]}; returns C {@code [m, n]}. */
    static double[] multiply(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        WorkerPool.global().parallelFor(m, (long) k * n, (from, to) -> {
            for (int j0 = 0; j0 < n; j0 += TILE_J) {
                int jn = Math.min(TILE_J, n - j0);
                for (int p0 = 0; p0 < k; p0 += TILE_K) {
                    int pEnd = Math.min(k, p0 + TILE_K);
                    for (int i = from; i < to; i++) {
                        int ci = i * n + j0;
                        for (int p = p0; p < pEnd; p++) {
                            double aip = a[i * k + p];
                            if (aip != 0) axpy(aip, b, p * n + j0, c, ci, jn);
                        }
                    }
                }
            }
        });
        return c;
    }

    /** The transpose {@code [cols, rows]} of {@code a} {@code [rows, cols]}. */
    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        }
        return t;
    }

    /**
     * The inverse of the {@code [d, d]} matrix {@code a} by Gauss-Jordan elimination with partial
     * pivoting on the augmented matrix {@code [a | I]}.
     *
     * @throws IllegalArgumentException when a pivot is zero or not finite (singular matrix)
     */
    static double[] invert(double[] a, int d) {
        int w = 2 * d;
        double[] aug = new double[d * w];
        for (int i = 0; i < d; i++) {
            System.arraycopy(a, i * d, aug, i * w, d);
            aug[i * w + d + i] = 1;
        }
        for (int k = 0; k < d; k++) {
            int pivot = k;
            double best = Math.abs(aug[k * w + k]);
            for (int i = k + 1; i < d; i++) {
                double v = Math.abs(aug[i * w + k]);
                if (v > best) {
                    best = v;
                    pivot = i;
                }
            }
            if (!(best > 0) || !Double.isFinite(best)) {
                throw new IllegalArgumentException("invert: matrix [" + d + ", " + d + "] is singular (pivot "
                        + best + " in column " + k + ")");
            }
            if (pivot != k) {
                for (int j = 0; j < w; j++) {
                    double t = aug[k * w + j];
                    aug[k * w + j] = aug[pivot * w + j];
                    aug[pivot * w + j] = t;
                }
            }
            // Columns left of k are zero in the pivot row, so updates start at column k.
            double inv = 1 / aug[k * w + k];
            for (int j = k; j < w; j++) aug[k * w + j] *= inv;
            int col = k;
            WorkerPool.global().parallelFor(d, w - k, (from, to) -> {
                for (int i = from; i < to; i++) {
                    if (i == col) continue;
                    double f = aug[i * w + col];
                    if (f != 0) axpy(-f, aug, col * w + col, aug, i * w + col, w - col);
                }
            });
        }
        double[] inv = new double[d * d];
        for (int i = 0; i < d; i++) System.arraycopy(aug, i * w + d, inv, i * d, d);
        return inv;
    }

    /** {@code max |A^T A - I|} for A {@code [rows, cols]}: how far its columns are from orthonormal. */
    static double orthonormalityError(double[] a, int rows, int cols) {
        double[] gram = multiply(transpose(a, rows, cols), a, cols, rows, cols);
        double err = 0;
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) err = Math.max(err, Math.abs(gram[i * cols + j] - (i == j ? 1 : 0)));
        }
        return err;
    }
}
