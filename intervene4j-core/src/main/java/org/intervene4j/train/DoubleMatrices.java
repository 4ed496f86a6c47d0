package org.intervene4j.train;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Dense float64 linear algebra on row-major arrays, for the few places where float32 is not
 * accurate enough (the Cayley map's inverse, random orthogonal matrices). Each kernel has a
 * vectorized path ({@link DoubleVector}) and a scalar twin, and splits rows over the
 * {@link WorkerPool} when the work is large.
 */
final class DoubleMatrices {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
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
        int j = 0;
        if (KernelConfig.vectorized()) {
            int bound = S.loopBound(n);
            DoubleVector av = DoubleVector.broadcast(S, a);
            for (; j < bound; j += L) {
                DoubleVector.fromArray(S, x, xo + j).fma(av, DoubleVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
            }
        }
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
        int tiles = (m + ROW_TILE - 1) / ROW_TILE;
        boolean vector = KernelConfig.vectorized() && n >= 2 * L;
        forRange(tiles, (long) ROW_TILE * k * n, (t0, t1) -> {
            int from = t0 * ROW_TILE;
            int to = Math.min(m, t1 * ROW_TILE);
            if (vector) {
                multiplyRowsVector(a, b, c, k, n, from, to);
            } else {
                multiplyRowsScalar(a, b, c, k, n, from, to, 0);
            }
        });
        return c;
    }

    /** Scalar reference: rows [from, to) of C, columns [j0, n). */
    private static void multiplyRowsScalar(double[] a, double[] b, double[] c, int k, int n, int from, int to, int j0) {
        for (int i = from; i < to; i++) {
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                if (aip == 0) continue;
                for (int j = j0; j < n; j++) c[i * n + j] = Math.fma(aip, b[p * n + j], c[i * n + j]);
            }
        }
    }

    /**
     * Rows [from, to) of C by a 4-row x 2-vector register-blocked kernel over depth tiles;
     * columns past the last full 2-vector strip go through the scalar kernel.
     */
    private static void multiplyRowsVector(double[] a, double[] b, double[] c, int k, int n, int from, int to) {
        int strip = 2 * L;
        int jVec = n - n % strip;
        for (int p0 = 0; p0 < k; p0 += DEPTH_TILE) {
            int p1 = Math.min(k, p0 + DEPTH_TILE);
            for (int j = 0; j < jVec; j += strip) {
                int i = from;
                for (; i + 4 <= to; i += 4) kernel4(a, b, c, k, n, i, j, p0, p1);
                for (; i < to; i++) kernel1(a, b, c, k, n, i, j, p0, p1);
            }
        }
        if (jVec < n) multiplyRowsScalar(a, b, c, k, n, from, to, jVec);
    }

    /** C[i..i+3][j..j+2L) += A[i..i+3][p0..p1) B[p0..p1)[j..j+2L). */
    private static void kernel4(double[] a, double[] b, double[] c, int k, int n, int i, int j, int p0, int p1) {
        int c0 = i * n + j;
        int c1 = c0 + n;
        int c2 = c1 + n;
        int c3 = c2 + n;
        DoubleVector x00 = DoubleVector.fromArray(S, c, c0);
        DoubleVector x01 = DoubleVector.fromArray(S, c, c0 + L);
        DoubleVector x10 = DoubleVector.fromArray(S, c, c1);
        DoubleVector x11 = DoubleVector.fromArray(S, c, c1 + L);
        DoubleVector x20 = DoubleVector.fromArray(S, c, c2);
        DoubleVector x21 = DoubleVector.fromArray(S, c, c2 + L);
        DoubleVector x30 = DoubleVector.fromArray(S, c, c3);
        DoubleVector x31 = DoubleVector.fromArray(S, c, c3 + L);
        int a0 = i * k;
        for (int p = p0; p < p1; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, p * n + j);
            DoubleVector b1 = DoubleVector.fromArray(S, b, p * n + j + L);
            DoubleVector v = DoubleVector.broadcast(S, a[a0 + p]);
            x00 = b0.fma(v, x00);
            x01 = b1.fma(v, x01);
            v = DoubleVector.broadcast(S, a[a0 + k + p]);
            x10 = b0.fma(v, x10);
            x11 = b1.fma(v, x11);
            v = DoubleVector.broadcast(S, a[a0 + 2 * k + p]);
            x20 = b0.fma(v, x20);
            x21 = b1.fma(v, x21);
            v = DoubleVector.broadcast(S, a[a0 + 3 * k + p]);
            x30 = b0.fma(v, x30);
            x31 = b1.fma(v, x31);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + L);
        x10.intoArray(c, c1);
        x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2);
        x21.intoArray(c, c2 + L);
        x30.intoArray(c, c3);
        x31.intoArray(c, c3 + L);
    }

    /** One-row version of {@link #kernel4}. */
    private static void kernel1(double[] a, double[] b, double[] c, int k, int n, int i, int j, int p0, int p1) {
        int c0 = i * n + j;
        DoubleVector x0 = DoubleVector.fromArray(S, c, c0);
        DoubleVector x1 = DoubleVector.fromArray(S, c, c0 + L);
        for (int p = p0; p < p1; p++) {
            DoubleVector v = DoubleVector.broadcast(S, a[i * k + p]);
            x0 = DoubleVector.fromArray(S, b, p * n + j).fma(v, x0);
            x1 = DoubleVector.fromArray(S, b, p * n + j + L).fma(v, x1);
        }
        x0.intoArray(c, c0);
        x1.intoArray(c, c0 + L);
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
     */
    private static void updateOutsidePanel(double[] x, int d, int k0, int kb, int c0, int c1, double[] f,
                                           double[] pivots) {
        int width = c1 - c0;
        if (width == 0) return;
        double[] p = new double[kb * width];
        for (int q = 0; q < kb; q++) {
            System.arraycopy(x, (k0 + q) * d + c0, p, q * width, width);
            subtractCombination(f, (k0 + q) * kb, p, 0, width, q, p, q * width);
            double inv = 1 / pivots[q];
            for (int j = 0; j < width; j++) p[q * width + j] *= inv;
        }
        forRange(d, (long) kb * width, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i * d + c0;
                int q = i - k0;
                if (q >= 0 && q < kb) {
                    System.arraycopy(p, q * width, x, row, width);
                    subtractCombination(f, i * kb + q + 1, p, (q + 1) * width, width, kb - q - 1, x, row);
                } else {
                    subtractCombination(f, i * kb, p, 0, width, kb, x, row);
                }
            }
        });
    }

    /** {@code y[yo + j] -= sum_{t < count} coef[co + t] * p[po + t * width + j]} for j in [0, width). */
    private static void subtractCombination(double[] coef, int co, double[] p, int po, int width, int count,
                                            double[] y, int yo) {
        int t = 0;
        if (KernelConfig.vectorized()) {
            int bound = S.loopBound(width);
            for (; t + 4 <= count; t += 4) {
                double m0 = coef[co + t];
                double m1 = coef[co + t + 1];
                double m2 = coef[co + t + 2];
                double m3 = coef[co + t + 3];
                int r0 = po + t * width;
                int r1 = r0 + width;
                int r2 = r1 + width;
                int r3 = r2 + width;
                DoubleVector v0 = DoubleVector.broadcast(S, -m0);
                DoubleVector v1 = DoubleVector.broadcast(S, -m1);
                DoubleVector v2 = DoubleVector.broadcast(S, -m2);
                DoubleVector v3 = DoubleVector.broadcast(S, -m3);
                int j = 0;
                for (; j < bound; j += L) {
                    DoubleVector acc = DoubleVector.fromArray(S, y, yo + j);
                    acc = DoubleVector.fromArray(S, p, r0 + j).fma(v0, acc);
                    acc = DoubleVector.fromArray(S, p, r1 + j).fma(v1, acc);
                    acc = DoubleVector.fromArray(S, p, r2 + j).fma(v2, acc);
                    acc = DoubleVector.fromArray(S, p, r3 + j).fma(v3, acc);
                    acc.intoArray(y, yo + j);
                }
                for (; j < width; j++) {
                    double s = y[yo + j];
                    s = Math.fma(-m0, p[r0 + j], s);
                    s = Math.fma(-m1, p[r1 + j], s);
                    s = Math.fma(-m2, p[r2 + j], s);
                    y[yo + j] = Math.fma(-m3, p[r3 + j], s);
                }
            }
        }
        for (; t < count; t++) {
            double m = coef[co + t];
            if (m != 0) axpy(-m, p, po + t * width, y, yo, width);
        }
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
