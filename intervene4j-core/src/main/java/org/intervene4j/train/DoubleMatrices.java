package org.intervene4j.train;

import java.util.Arrays;
import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Dense float64 linear algebra on row-major arrays, for the few places where float32 is not
 * accurate enough (the Cayley map's inverse, random orthogonal matrices). Each kernel has a
 * scalar reference path here and a vectorized twin in {@link DoubleVectorKernels} or
 * {@link DoubleVectorGemm} (kept apart so this class loads without the Vector API module), and
 * splits the work over the {@link WorkerPool} when it is large.
 */
final class DoubleMatrices {
    /** Rows of C per parallel task of the scalar {@link #gemm}. */
    private static final int ROW_TILE = 64;
    /** Products with at least this many multiply-adds use the packed vector kernel. */
    private static final long VECTOR_WORK = 4096;
    /** Column blocks of {@link #invert} at most this wide are eliminated column by column. */
    private static final int BASE = 16;
    /** Below this many multiply-adds a kernel runs on the calling thread. */
    private static final long PARALLEL_WORK = 1L << 20;

    /** Per-thread scratch of {@link #invert}, reused across calls (large fresh arrays are slow to fault in). */
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);

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
        gemm(m, k, n, 1, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
        return c;
    }

    /**
     * {@code C += A B} on strided row-major blocks: A[i][p] = {@code a[aOff + i * lda + p]},
     * B[p][j] = {@code b[bOff + p * ldb + j]}, C[i][j] = {@code c[cOff + i * ldc + j]}, with
     * i < m, p < k, j < n.
     */
    static void gemm(int m, int k, int n, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                     double[] c, int cOff, int ldc) {
        gemm(m, k, n, 1, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, true);
    }

    /**
     * {@code C = (accumulate ? C : 0) + alpha A B} with A(i, p) at {@code a[aOff + i*aRow + p*aCol]},
     * B(p, j) at {@code b[bOff + p*bRow + j*bCol]} and C(i, j) at {@code c[cOff + i*ldc + j]}
     * (i < m, p < k, j < n): any operand may be a transposed view through its strides. C must not
     * overlap A or B. Large products go to the packed vector kernel ({@link DoubleVectorGemm}),
     * which splits C over the {@link WorkerPool}.
     */
    static void gemm(int m, int k, int n, double alpha,
                     double[] a, int aOff, int aRow, int aCol,
                     double[] b, int bOff, int bRow, int bCol,
                     double[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0.0);
            }
            return;
        }
        if (KernelConfig.vectorized() && (long) m * n * k >= VECTOR_WORK) {
            DoubleVectorGemm.multiply(m, k, n, alpha, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
            return;
        }
        int tiles = (m + ROW_TILE - 1) / ROW_TILE;
        forRange(tiles, (long) ROW_TILE * k * n, (t0, t1) -> gemmRowsScalar(k, n, alpha, a, aOff, aRow, aCol,
                b, bOff, bRow, bCol, c, cOff, ldc, accumulate, t0 * ROW_TILE, Math.min(m, t1 * ROW_TILE)));
    }

    /** Scalar reference of {@link #gemm}: rows [from, to) of C. */
    private static void gemmRowsScalar(int k, int n, double alpha, double[] a, int aOff, int aRow, int aCol,
                                       double[] b, int bOff, int bRow, int bCol, double[] c, int cOff, int ldc,
                                       boolean accumulate, int from, int to) {
        for (int i = from; i < to; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) Arrays.fill(c, ci, ci + n, 0.0);
            for (int p = 0; p < k; p++) {
                double aip = alpha * a[aOff + i * aRow + p * aCol];
                if (aip == 0) continue;
                int bp = bOff + p * bRow;
                for (int j = 0; j < n; j++) c[ci + j] = Math.fma(aip, b[bp + j * bCol], c[ci + j]);
            }
        }
    }

    // ------------------------------------------------------------------ inverse

    /**
     * The inverse of the {@code [d, d]} matrix {@code a} by in-place Gauss-Jordan elimination with
     * partial pivoting (column k of the working matrix is replaced by column k of the inverse as
     * it is eliminated, so no augmented identity is carried: d^3 multiply-adds), blocked
     * recursively so that nearly all the work is matrix products (see {@link #eliminate}).
     *
     * @throws IllegalArgumentException when a pivot is zero or not finite (singular matrix)
     */
    static double[] invert(double[] a, int d) {
        return invertInPlace(a.clone(), d);
    }

    /** {@link #invert} overwriting {@code x} with its inverse (saves a copy when the caller owns x); returns x. */
    static double[] invertInPlace(double[] x, int d) {
        int[] swaps = new int[d];
        // scratch: a block's rows in the columns it updates, or the rows above a base block; at most (d/2)^2 values
        double[] scratch = SCRATCH.get();
        int need = (d / 2 + 1) * (d / 2 + 1);
        if (scratch.length < need) {
            scratch = new double[need];
            SCRATCH.set(scratch);
        }
        eliminate(x, d, 0, d, swaps, scratch);
        // x is the inverse of the row-swapped matrix; undo the swaps on its columns, last first:
        // column j of the result is column from[j] of x.
        int[] from = new int[d];
        for (int j = 0; j < d; j++) from[j] = j;
        for (int k = d - 1; k >= 0; k--) {
            int p = swaps[k];
            int t = from[k];
            from[k] = from[p];
            from[p] = t;
        }
        forRange(d, d, (i0, i1) -> {
            double[] row = new double[d];
            for (int i = i0; i < i1; i++) {
                int r = i * d;
                for (int j = 0; j < d; j++) row[j] = x[r + from[j]];
                System.arraycopy(row, 0, x, r, d);
            }
        });
        return x;
    }

    /**
     * The Gauss-Jordan steps for columns [lo, hi), applied to those columns only (rows swap
     * whole). The steps of a column block compose to one transform E that differs from the
     * identity only in the block's columns, and in-place elimination leaves exactly those columns
     * of E in the block. So the block is split in two: the left half is eliminated (recursively),
     * its E is applied to the right half's columns as a matrix product ({@link #applyBlock}), the
     * right half is eliminated, and its E is applied to the left half's columns. Blocks of at most
     * {@value #BASE} columns are eliminated column by column.
     */
    private static void eliminate(double[] x, int d, int lo, int hi, int[] swaps, double[] scratch) {
        int w = hi - lo;
        if (w <= BASE) {
            eliminateColumns(x, d, lo, hi, swaps, scratch);
            return;
        }
        int mid = lo + Math.max(BASE, w / 2 / BASE * BASE);
        eliminate(x, d, lo, mid, swaps, scratch);
        applyBlock(x, d, lo, mid, mid, hi, scratch);
        eliminate(x, d, mid, hi, swaps, scratch);
        applyBlock(x, d, mid, hi, lo, mid, scratch);
    }

    /**
     * Applies the finished block [k0, k1)'s transform E (held in those columns) to columns
     * [c0, c1): rows outside the block gain {@code E[:, block] X[block, cols]}, and the block's
     * own rows become {@code E[block, block] X[block, cols]}.
     */
    private static void applyBlock(double[] x, int d, int k0, int k1, int c0, int c1, double[] t) {
        int kb = k1 - k0;
        int width = c1 - c0;
        // t: X[block, cols] before the update [kb, width]
        for (int q = 0; q < kb; q++) System.arraycopy(x, (k0 + q) * d + c0, t, q * width, width);
        // One product over all rows, X[:, cols] += E' t, where E' is E with the identity taken off
        // its block diagonal: the block's rows then get t + (E_bb - I) t = E_bb t. The diagonal is
        // restored exactly afterwards.
        double[] diagonal = new double[kb];
        for (int q = 0; q < kb; q++) {
            int kk = (k0 + q) * d + k0 + q;
            diagonal[q] = x[kk];
            x[kk] -= 1;
        }
        gemm(d, kb, width, 1, x, k0, d, 1, t, 0, width, 1, x, c0, d, true);
        for (int q = 0; q < kb; q++) x[(k0 + q) * d + k0 + q] = diagonal[q];
    }

    /**
     * In-place Gauss-Jordan steps for columns [k0, k1), touching only those columns (rows swap
     * whole). The steps run on rows [k0, d) only, the pivot candidates; the rows above are not
     * candidates for any of these steps, and for such a row r they amount to
     * {@code x[r, block] = -x[r, block] U^{-1}}, with U the pivot rows' block before the steps and
     * U^{-1} what the steps leave there, so those rows are done afterwards as one product.
     */
    private static void eliminateColumns(double[] x, int d, int k0, int k1, int[] swaps, double[] scratch) {
        int kb = k1 - k0;
        double[] rowTmp = new double[d];
        int pivot = pivotRow(x, d, k0);
        for (int k = k0; k < k1; k++) {
            double best = Math.abs(x[pivot * d + k]);
            if (!(best > 0) || !Double.isFinite(best)) {
                throw new IllegalArgumentException("invert: matrix [" + d + ", " + d + "] is singular (pivot "
                        + best + " in column " + k + ")");
            }
            swaps[k] = pivot;
            if (pivot != k) swap(x, k * d, pivot * d, d, rowTmp);
            double inv = 1 / x[k * d + k];
            x[k * d + k] = 1;
            for (int j = k0; j < k1; j++) x[k * d + j] *= inv;
            boolean next = k + 1 < k1;
            pivot = KernelConfig.vectorized()
                    ? DoubleVectorKernels.eliminateRows(x, d, k0, k, k0, kb, inv, next)
                    : eliminateRowsScalar(x, d, k0, k, k0, kb, inv, next);
        }
        if (k0 == 0) return;
        double[] r = scratch; // -x[0:k0, block] [k0, kb]
        for (int i = 0; i < k0; i++) {
            for (int q = 0; q < kb; q++) r[i * kb + q] = -x[i * d + k0 + q];
        }
        gemm(k0, kb, kb, 1, r, 0, kb, 1, x, k0 * d + k0, d, 1, x, k0, d, false);
    }

    /**
     * The partial pivot of column k: the first row i >= k with the largest {@code |x[i][k]|}
     * (row k when that is not a number, which the singularity check then reports).
     */
    private static int pivotRow(double[] x, int d, int k) {
        int pivot = k;
        double best = Math.abs(x[k * d + k]);
        for (int i = k + 1; i < d; i++) {
            double v = Math.abs(x[i * d + k]);
            if (v > best) {
                best = v;
                pivot = i;
            }
        }
        return pivot;
    }

    /**
     * One Gauss-Jordan step on columns [k0, k0 + kb): every row i in [from, d) other than the
     * (already scaled) pivot row k loses {@code x[i][k]} times it, and its column k becomes
     * {@code -x[i][k] * inv}, the inverse's entry. With {@code searchNext}, also finds the pivot
     * row of column k + 1 (as {@link #pivotRow} would, from the updated rows while they are in
     * cache) and returns it; otherwise returns -1.
     */
    static int eliminateRowsScalar(double[] x, int d, int from, int k, int k0, int kb, double inv,
                                   boolean searchNext) {
        int pr = k * d + k0;
        double nextPivot = searchNext ? x[k * d + k + 1] : 0;
        int pivot = -1;
        double best = 0;
        for (int i = from; i < d; i++) {
            if (i == k) continue;
            int ri = i * d + k0;
            double m = x[i * d + k];
            double next = searchNext ? x[i * d + k + 1] : 0;
            if (m != 0) {
                for (int j = 0; j < kb; j++) x[ri + j] = Math.fma(-m, x[pr + j], x[ri + j]);
                x[i * d + k] = -m * inv;
            }
            if (searchNext && i > k) {
                // x[i][k+1] after the update, computed as the vector twin does
                double v = Math.abs(m != 0 ? Math.fma(-m, nextPivot, next) : next);
                if (i == k + 1 || v > best) {
                    best = v;
                    pivot = i;
                }
            }
        }
        return pivot;
    }

    /** Swaps {@code x[a : a+n]} and {@code x[b : b+n]} (disjoint), through {@code tmp} (length >= n). */
    private static void swap(double[] x, int a, int b, int n, double[] tmp) {
        System.arraycopy(x, a, tmp, 0, n);
        System.arraycopy(x, b, x, a, n);
        System.arraycopy(tmp, 0, x, b, n);
    }

    /** {@code max |A^T A - I|} for A {@code [rows, cols]}: how far its columns are from orthonormal. */
    static double orthonormalityError(double[] a, int rows, int cols) {
        double[] gram = new double[cols * cols];
        gemm(cols, rows, cols, 1, a, 0, 1, cols, a, 0, cols, 1, gram, 0, cols, false); // A^T A
        double err = 0;
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) err = Math.max(err, Math.abs(gram[i * cols + j] - (i == j ? 1 : 0)));
        }
        return err;
    }
}
