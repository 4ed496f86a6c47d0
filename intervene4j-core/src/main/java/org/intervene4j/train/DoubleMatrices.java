package org.intervene4j.train;

import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Dense float64 linear algebra on row-major arrays, for the few places where float32 is not
 * accurate enough (the Cayley map's inverse, random orthogonal matrices). Each kernel has a
 * scalar reference path here and a vectorized twin in {@link DoubleVectorKernels} (kept apart so
 * this class loads without the Vector API module), and splits rows over the {@link WorkerPool}
 * when the work is large.
 */
final class DoubleMatrices {
    /** Rows of A per parallel task in {@link #multiply} (and the row tile kept in cache). */
    private static final int ROW_TILE = 64;
    /** Depth tile of {@link #multiply}: a 256-row strip of B stays in L1/L2 across row blocks. */
    private static final int DEPTH_TILE = 256;
    /** Columns eliminated per panel by {@link #invert}; the rest of the matrix is updated once per panel. */
    private static final int PANEL = 32;
    /** Below this many multiply-adds a kernel runs on the calling thread. */
    private static final long PARALLEL_WORK = 1L << 20;

    private DoubleMatrices() {}

    /** {@code y[yo + j] += a * x[xo + j]} for j in [0, n). */
    static void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        int j = KernelConfig.vectorized() ? DoubleVectorKernels.axpy(a, x, xo, y, yo, n) : 0;
        for (; j < n; j++) y[yo + j] = Math.fma(a, x[xo + j], y[yo + j]);
    }

    /** Runs {@code body} over {@code [0, tasks)}, in parallel when the total work is large. */
    private static void forRange(int tasks, long workPerTask, WorkerPool.RangeBody body) {
        if (tasks > 1 && (long) tasks * workPerTask >= PARALLEL_WORK) {
            WorkerPool.global().parallelFor(tasks, body);
        } else {
            body.run(0, tasks);
        }
    }

    // ------------------------------------------------------------------ multiply

    /** {@code C = A B} with A {@code [m, k]}, B {@code [k, n]}; returns C {@code [m, n]}. */
    static double[] multiply(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        gemm(m, k, n, a, 0, k, b, 0, n, c, 0, n);
        return c;
    }

    /**
     * {@code C += A B} on strided row-major blocks: A[i][p] = {@code a[aOff + i * lda + p]},
     * B[p][j] = {@code b[bOff + p * ldb + j]}, C[i][j] = {@code c[cOff + i * ldc + j]}, with
     * i < m, p < k, j < n. Row tiles of C run in parallel when the work is large.
     */
    static void gemm(int m, int k, int n, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                     double[] c, int cOff, int ldc) {
        int tiles = (m + ROW_TILE - 1) / ROW_TILE;
        boolean vector = KernelConfig.vectorized() && n >= DoubleVectorKernels.minColumns();
        forRange(tiles, (long) ROW_TILE * k * n, (t0, t1) -> {
            int from = t0 * ROW_TILE;
            int to = Math.min(m, t1 * ROW_TILE);
            if (vector) {
                DoubleVectorKernels.gemmRows(k, n, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, from, to, DEPTH_TILE);
            } else {
                gemmRowsScalar(k, n, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, from, to, 0);
            }
        });
    }

    /** Scalar reference of {@link #gemm}: rows [from, to) of C, columns [j0, n). */
    static void gemmRowsScalar(int k, int n, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                               double[] c, int cOff, int ldc, int from, int to, int j0) {
        for (int i = from; i < to; i++) {
            int ci = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                double aip = a[aOff + i * lda + p];
                if (aip == 0) continue;
                int bp = bOff + p * ldb;
                for (int j = j0; j < n; j++) c[ci + j] = Math.fma(aip, b[bp + j], c[ci + j]);
            }
        }
    }

    /** The transpose {@code [cols, rows]} of {@code a} {@code [rows, cols]}. */
    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[rows * cols];
        final int tile = 32;
        for (int i0 = 0; i0 < rows; i0 += tile) {
            for (int j0 = 0; j0 < cols; j0 += tile) {
                for (int i = i0, ie = Math.min(rows, i0 + tile); i < ie; i++) {
                    for (int j = j0, je = Math.min(cols, j0 + tile); j < je; j++) t[j * rows + i] = a[i * cols + j];
                }
            }
        }
        return t;
    }

    // ------------------------------------------------------------------ inverse

    /**
     * The inverse of the {@code [d, d]} matrix {@code a} by in-place Gauss-Jordan elimination with
     * partial pivoting (column k of the working matrix is replaced by column k of the inverse as
     * it is eliminated, so no augmented identity is carried: d^3 multiply-adds). Blocked by
     * panels of {@value #PANEL} columns: a panel's steps are first applied to the panel's own
     * columns only (all that pivot choice needs), recording each row's multipliers; the other
     * columns then receive the whole panel's updates in one cache-friendly pass (a
     * rank-{@value #PANEL} update) instead of one sweep over the matrix per column.
     *
     * @throws IllegalArgumentException when a pivot is zero or not finite (singular matrix)
     */
    static double[] invert(double[] a, int d) {
        double[] x = a.clone();
        int[] swaps = new int[d];
        for (int k0 = 0; k0 < d; k0 += PANEL) {
            int kb = Math.min(PANEL, d - k0);
            double[] f = new double[d * kb];    // f[i, q]: multiple of pivot row q subtracted from row i
            double[] pivots = new double[kb];
            eliminatePanel(x, d, k0, kb, f, pivots, swaps);
            updateOutsidePanel(x, d, k0, kb, 0, k0, f, pivots);
            updateOutsidePanel(x, d, k0, kb, k0 + kb, d, f, pivots);
        }
        // x is the inverse of the row-swapped matrix; undo the swaps on its columns, last first.
        for (int k = d - 1; k >= 0; k--) {
            int p = swaps[k];
            if (p == k) continue;
            for (int i = 0; i < d; i++) {
                double t = x[i * d + k];
                x[i * d + k] = x[i * d + p];
                x[i * d + p] = t;
            }
        }
        return x;
    }

    /** In-place Gauss-Jordan steps for columns [k0, k0 + kb), touching only those columns (rows swap whole). */
    private static void eliminatePanel(double[] x, int d, int k0, int kb, double[] f, double[] pivots, int[] swaps) {
        for (int q = 0; q < kb; q++) {
            int k = k0 + q;
            int pivot = k;
            double best = Math.abs(x[k * d + k]);
            for (int i = k + 1; i < d; i++) {
                double v = Math.abs(x[i * d + k]);
                if (v > best) {
                    best = v;
                    pivot = i;
                }
            }
            if (!(best > 0) || !Double.isFinite(best)) {
                throw new IllegalArgumentException("invert: matrix [" + d + ", " + d + "] is singular (pivot "
                        + best + " in column " + k + ")");
            }
            swaps[k] = pivot;
            if (pivot != k) {
                swap(x, k * d, pivot * d, d);
                swap(f, k * kb, pivot * kb, kb);
            }
            double piv = x[k * d + k];
            pivots[q] = piv;
            double inv = 1 / piv;
            x[k * d + k] = 1;
            for (int j = k0; j < k0 + kb; j++) x[k * d + j] *= inv;
            for (int i = 0; i < d; i++) {
                if (i == k) continue;
                double m = x[i * d + k];
                f[i * kb + q] = m;
                if (m == 0) continue;
                x[i * d + k] = 0;
                axpy(-m, x, k * d + k0, x, i * d + k0, kb);
            }
        }
    }

    /**
     * Applies a finished panel's steps to columns [c0, c1) outside it. With P_q the pivot row of
     * step q as it was at that step, P_q = (row - sum_{q' < q} f[q'] P_q') / pivot_q; every other
     * row becomes row - sum_q f[q] P_q, and pivot row q becomes P_q - sum_{q' > q} f[q'] P_q'.
     * Once the pivot rows hold P and their already-used multipliers are cleared, that is one
     * matrix product for all rows: X[:, c0:c1] -= F P.
     */
    private static void updateOutsidePanel(double[] x, int d, int k0, int kb, int c0, int c1, double[] f,
                                           double[] pivots) {
        int width = c1 - c0;
        if (width == 0) return;
        double[] p = new double[kb * width];
        double[] negF = new double[d * kb];
        for (int i = 0; i < d * kb; i++) negF[i] = -f[i];
        for (int q = 0; q < kb; q++) {
            System.arraycopy(x, (k0 + q) * d + c0, p, q * width, width);
            // P_q -= sum_{q' < q} f[q'] P_q' (a 1 x q by q x width product), then / pivot_q
            gemm(1, q, width, negF, (k0 + q) * kb, kb, p, 0, width, p, q * width, width);
            double inv = 1 / pivots[q];
            for (int j = 0; j < width; j++) p[q * width + j] *= inv;
        }
        for (int q = 0; q < kb; q++) {
            System.arraycopy(p, q * width, x, (k0 + q) * d + c0, width);
            for (int t = 0; t <= q; t++) negF[(k0 + q) * kb + t] = 0;
        }
        gemm(d, kb, width, negF, 0, kb, p, 0, width, x, c0, d);
    }

    private static void swap(double[] x, int a, int b, int n) {
        for (int j = 0; j < n; j++) {
            double t = x[a + j];
            x[a + j] = x[b + j];
            x[b + j] = t;
        }
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
