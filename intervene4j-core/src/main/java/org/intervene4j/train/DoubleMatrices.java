package org.intervene4j.train;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
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
    /**
     * Column panels of {@link #invertInPlace}'s pipeline: the depth of the products that apply a
     * panel. On two cores, 96 and 128 measured the same at d = 768 (96 up to 2% faster at d = 256
     * and 512), 64 up to 5% slower.
     */
    private static final int PANEL_WIDTH = 96;
    /** Width of the first panel, which no other work overlaps. */
    private static final int FIRST_PANEL_WIDTH = 48;
    /** Most columns per claim when the threads share a panel's update of the other columns. */
    private static final int CHUNK = 48;
    /** The columns are claimed in units this wide (whole register tiles). */
    private static final int UNIT = 16;
    /** Column blocks of {@link #invert} at most this wide are eliminated column by column. */
    private static final int BASE = 16;
    /** The packed base panel's rows are padded to a multiple of this many doubles (whole vectors up to 512 bits). */
    private static final int PANEL_ALIGN = 8;
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

    /**
     * {@link #gemm} on the calling thread only (C accumulates): the inverse's block products,
     * which its pipeline already runs beside other threads' work.
     */
    private static void gemmOnThisThread(int m, int k, int n, double alpha, double[] a, int aOff, int lda,
                                         double[] b, int bOff, int ldb, double[] c, int cOff, int ldc,
                                         boolean accumulate) {
        if (KernelConfig.vectorized() && (long) m * n * k >= VECTOR_WORK) {
            DoubleVectorGemm.multiplyOnThisThread(m, k, n, alpha, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc,
                    accumulate);
        } else {
            gemmRowsScalar(k, n, alpha, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate, 0, m);
        }
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
     * it is eliminated, so no augmented identity is carried: d^3 multiply-adds), organised so
     * that nearly all the work is matrix products (see {@link #invertInPlace}).
     *
     * @throws IllegalArgumentException when a pivot is zero or not finite (singular matrix)
     */
    static double[] invert(double[] a, int d) {
        return invertInPlace(a.clone(), d);
    }

    /**
     * {@link #invert} overwriting {@code x} with its inverse (saves a copy when the caller owns x); returns x.
     *
     * <p>The columns are taken in panels of {@value #PANEL_WIDTH}. Once a panel is eliminated
     * ({@link #eliminate}, which leaves the panel's transform E in its columns), E is applied to
     * every other column as products of depth {@value #PANEL_WIDTH} ({@link #updateColumns}).
     * That update is pipelined: the calling thread first brings only the next panel up to date
     * and eliminates it ({@link #advancePanel}, a serial chain of small products and column
     * steps), while the other threads update the remaining columns in pieces of at most
     * {@value #CHUNK} columns ({@link ColumnClaims}), which the calling thread joins when its
     * panel is done. Each piece is one thread's from its row swaps to its product, so the threads
     * exchange little more than E itself (one compact copy, read by all): on a small virtual
     * machine, moving cache lines between cores cost more than the arithmetic of the recursive
     * scheme's products split by rows (at d = 768 on two cores, 2 threads were only 1.2 times as
     * fast as one; this scheme takes about 0.6 of the time of that one).
     */
    static double[] invertInPlace(double[] x, int d) {
        if (d == 0) return x;
        int[] swaps = new int[d];
        // compact copies of the panel being applied and of the next one (made while the first is in use)
        double[][] panels = WORKSPACE.get().panels(d * Math.min(d, PANEL_WIDTH));
        advancePanel(x, d, 0, 0, 0, panelEnd(0, d), swaps, null, panels[0]);
        for (int s = 0, j = 0; s < d; s = panelEnd(s, d), j++) {
            int e = panelEnd(s, d);
            applyPanel(x, d, s, e, panelEnd(e, d), swaps, panels[j % 2], panels[(j + 1) % 2]);
        }
        unswapColumns(x, d, swaps);
        return x;
    }

    /**
     * The end of the panel that starts at column s. The first is narrower: it is eliminated
     * before there is anything to overlap it with.
     */
    private static int panelEnd(int s, int d) {
        return Math.min(d, s + (s == 0 ? FIRST_PANEL_WIDTH : PANEL_WIDTH));
    }

    /**
     * Applies the eliminated panel [s, e), whose E' is {@code panelE}, to all other columns and
     * eliminates the next panel [e, ne) (empty after the last panel) into {@code panelNext} on the
     * way; see {@link #invertInPlace}.
     */
    private static void applyPanel(double[] x, int d, int s, int e, int ne, int[] swaps, double[] panelE,
                                   double[] panelNext) {
        WorkerPool pool = WorkerPool.global();
        int parts = pool.threads();
        ColumnClaims claims = new ColumnClaims(d, s, ne, parts);
        ColumnRange update = (c0, c1) -> updateColumns(d, s, e, swaps, panelE, x, c0, d, c1 - c0);
        WorkerPool.RangeBody body = (from, to) -> {
            for (int part = from; part < to; part++) {
                boolean lead = part == 0;
                if (lead && ne > e) advancePanel(x, d, s, e, e, ne, swaps, panelE, panelNext);
                while (claims.claimAndRun(lead, update)) {
                    // claimed units are updated inside
                }
            }
        };
        // Part 0 runs on the calling thread (also when the pool runs the parts inline). A small
        // update is not worth waking the other threads for: all parts then run here, in turn.
        if ((long) d * (e - s) * (s + d - ne) < PARALLEL_WORK) {
            body.run(0, parts);
        } else {
            pool.parallelFor(parts, body);
        }
    }

    /**
     * Brings the panel [lo, hi) up to date with the eliminated panel [s, e) (none when s == e;
     * else {@code panelE} is its E') and eliminates it, in a compact copy {@code panel}
     * ({@code [d, hi - lo]}, rows {@code hi - lo} apart): in x, rows d apart (6 KB at d = 768)
     * fall on a fraction of the L1/L2 cache sets, so the panel did not stay in cache. (Stepping
     * only the pivot candidates, rows [lo, d), and finishing the rows above as one product with
     * the panel's U^{-1}, as {@link #eliminateColumns} does for 16 columns, saved little and made
     * the residual of random Gaussian matrices 3 to 7 times larger.) The result
     * goes back to x, and the copy is left holding the panel's E': its transform E with 1 taken
     * off the diagonal of its block (see {@link #applyBlock}), which all threads then read (read
     * from x's columns instead, the products that apply it ran a quarter slower).
     */
    private static void advancePanel(double[] x, int d, int s, int e, int lo, int hi, int[] swaps, double[] panelE,
                                     double[] panel) {
        int w = hi - lo;
        for (int i = 0; i < d; i++) System.arraycopy(x, i * d + lo, panel, i * w, w);
        if (e > s) updateColumns(d, s, e, swaps, panelE, panel, 0, w, w);
        eliminate(panel, d, w, -lo, lo, hi, swaps, WORKSPACE.get(), lo, hi);
        for (int i = 0; i < d; i++) System.arraycopy(panel, i * w, x, i * d + lo, w);
        for (int q = 0; q < w; q++) panel[(lo + q) * w + q] -= 1;
    }

    /**
     * Brings {@code width} columns up to date with the eliminated panel [s, e): the panel's row
     * swaps, deferred for these columns, then {@code C += E' C[s:e, :]} with E' the panel's
     * transform less the identity ({@code panelE}, {@code [d, e - s]}). The columns are C(i, j)
     * = {@code c[cOff + i*ldc + j]}: columns of x, or a panel's copy.
     */
    private static void updateColumns(int d, int s, int e, int[] swaps, double[] panelE, double[] c, int cOff,
                                      int ldc, int width) {
        for (int k = s; k < e; k++) {
            int p = swaps[k];
            if (p != k) swapInPlace(c, k * ldc + cOff, p * ldc + cOff, width);
        }
        int kb = e - s;
        if (KernelConfig.vectorized()) {
            DoubleVectorGemm.multiplyRows(d, kb, width, panelE, 0, kb, c, s * ldc + cOff, ldc, c, cOff, ldc);
            return;
        }
        double[] t = WORKSPACE.get().scratch(kb * width); // C[s:e, :] before the update
        for (int q = 0; q < kb; q++) System.arraycopy(c, (s + q) * ldc + cOff, t, q * width, width);
        gemmRowsScalar(kb, width, 1, panelE, 0, kb, 1, t, 0, width, 1, c, cOff, ldc, true, 0, d);
    }

    /** Per-thread buffers of {@link #invertInPlace}, grown on demand and reused (large fresh arrays are slow to fault in). */
    private static final class InverseWorkspace {
        /** A block's rows in the columns it updates, or the rows above a base block. */
        private double[] scratch = new double[0];
        /** The packed candidate rows of a base block ({@link #eliminateColumns}). */
        private double[] base = new double[0];
        /** Compact copies of two panels ({@link #advancePanel}). */
        private double[][] panels = {new double[0], new double[0]};

        double[] scratch(int size) {
            if (scratch.length < size) scratch = new double[size];
            return scratch;
        }

        double[] base(int size) {
            if (base.length < size) base = new double[size];
            return base;
        }

        double[][] panels(int size) {
            if (panels[0].length < size) panels = new double[][] {new double[size], new double[size]};
            return panels;
        }
    }

    private static final ThreadLocal<InverseWorkspace> WORKSPACE = ThreadLocal.withInitial(InverseWorkspace::new);

    /**
     * The columns that a panel [s, e)'s update gives to the pool, [0, s) and [ne, d) (the next
     * panel [e, ne) is the calling thread's), in {@value #UNIT}-column units: those of [0, s)
     * left to right, then those of [ne, d) right to left. The other threads take units from the
     * front, the calling thread from the back, so it updates the columns just right of its
     * panel, which it takes as its next panel, and the columns stay mostly with one thread from
     * step to step. A claim takes up to {@value #CHUNK} columns, fewer as the units run out, so
     * that the threads finish close together.
     */
    private static final class ColumnClaims {
        private final int d;
        private final int s;
        private final int ne;
        private final int parts;
        private final int leftUnits;
        private final int units;
        /** (next unit from the front) << 32 | (one past the next unit from the back). */
        private final AtomicLong ends;

        ColumnClaims(int d, int s, int ne, int parts) {
            this.d = d;
            this.s = s;
            this.ne = ne;
            this.parts = parts;
            this.leftUnits = (s + UNIT - 1) / UNIT;
            this.units = leftUnits + (d - ne + UNIT - 1) / UNIT;
            this.ends = new AtomicLong(units);
        }

        /**
         * Claims units from the back (or the front) and updates their columns with {@code body};
         * returns false when none was left.
         */
        boolean claimAndRun(boolean fromBack, ColumnRange body) {
            long v;
            int lo;
            int hi;
            int take;
            do {
                v = ends.get();
                lo = (int) (v >>> 32);
                hi = (int) v;
                if (lo >= hi) return false;
                take = Math.max(1, Math.min(CHUNK / UNIT, (hi - lo) / (2 * parts)));
            } while (!ends.compareAndSet(v, fromBack ? ((long) lo << 32) | (hi - take)
                    : ((long) (lo + take) << 32) | hi));
            int u0 = fromBack ? hi - take : lo;
            int u1 = u0 + take;
            if (u0 < leftUnits) body.run(u0 * UNIT, Math.min(s, Math.min(u1, leftUnits) * UNIT));
            if (u1 > leftUnits) {
                // units [max(u0, leftUnits), u1) of [ne, d), counted from its right end
                body.run(ne + (units - u1) * UNIT, Math.min(d, ne + (units - Math.max(u0, leftUnits)) * UNIT));
            }
            return true;
        }
    }

    /** A range of columns [c0, c1). */
    @FunctionalInterface
    private interface ColumnRange {
        void run(int c0, int c1);
    }

    /**
     * x is the inverse of the row-swapped matrix; undoes the swaps on its columns, last first:
     * column j of the result is column from[j] of x. Nothing moves when no row was swapped.
     */
    private static void unswapColumns(double[] x, int d, int[] swaps) {
        int[] from = new int[d];
        for (int j = 0; j < d; j++) from[j] = j;
        boolean moved = false;
        for (int k = d - 1; k >= 0; k--) {
            int p = swaps[k];
            if (p == k) continue;
            moved = true;
            int t = from[k];
            from[k] = from[p];
            from[p] = t;
        }
        if (!moved) return;
        WorkerPool.global().parallelFor(d, d, (i0, i1) -> {
            double[] row = new double[d];
            for (int i = i0; i < i1; i++) {
                int r = i * d;
                for (int j = 0; j < d; j++) row[j] = x[r + from[j]];
                System.arraycopy(row, 0, x, r, d);
            }
        });
    }

    // The block kernels below address element (i, k) of the [d, d] working matrix (row i, global
    // column k) at x[i * ld + off + k]: x itself (ld = d, off = 0) or a panel's compact copy.

    /**
     * The Gauss-Jordan steps for columns [lo, hi), applied to those columns only (rows swap
     * within the columns [wlo, whi), which hold [lo, hi)). The steps of a column block compose to
     * one transform E that differs from the identity only in the block's columns, and in-place
     * elimination leaves exactly those columns of E in the block. So the block is split in two:
     * the left half is eliminated (recursively), its E is applied to the right half's columns as
     * a matrix product ({@link #applyBlock}), the right half is eliminated, and its E is applied
     * to the left half's columns. Blocks of at most {@value #BASE} columns are eliminated column
     * by column.
     */
    private static void eliminate(double[] x, int d, int ld, int off, int lo, int hi, int[] swaps,
                                  InverseWorkspace ws, int wlo, int whi) {
        int w = hi - lo;
        if (w <= BASE) {
            eliminateColumns(x, d, ld, off, lo, hi, swaps, ws, wlo, whi);
            return;
        }
        int mid = lo + Math.max(BASE, w / 2 / BASE * BASE);
        eliminate(x, d, ld, off, lo, mid, swaps, ws, wlo, whi);
        applyBlock(x, d, ld, off, lo, mid, mid, hi, ws);
        eliminate(x, d, ld, off, mid, hi, swaps, ws, wlo, whi);
        applyBlock(x, d, ld, off, mid, hi, lo, mid, ws);
    }

    /**
     * Applies the finished block [k0, k1)'s transform E (held in those columns) to columns
     * [c0, c1): rows outside the block gain {@code E[:, block] X[block, cols]}, and the block's
     * own rows become {@code E[block, block] X[block, cols]}.
     */
    private static void applyBlock(double[] x, int d, int ld, int off, int k0, int k1, int c0, int c1,
                                   InverseWorkspace ws) {
        int kb = k1 - k0;
        int width = c1 - c0;
        double[] t = ws.scratch(kb * width); // X[block, cols] before the update
        for (int q = 0; q < kb; q++) System.arraycopy(x, (k0 + q) * ld + off + c0, t, q * width, width);
        // One product over all rows, X[:, cols] += E' t, where E' is E with the identity taken off
        // its block diagonal: the block's rows then get t + (E_bb - I) t = E_bb t. The diagonal is
        // restored exactly afterwards.
        double[] diagonal = new double[kb];
        for (int q = 0; q < kb; q++) {
            int kk = (k0 + q) * ld + off + k0 + q;
            diagonal[q] = x[kk];
            x[kk] -= 1;
        }
        gemmOnThisThread(d, kb, width, 1, x, off + k0, ld, t, 0, width, x, off + c0, ld, true);
        for (int q = 0; q < kb; q++) x[(k0 + q) * ld + off + k0 + q] = diagonal[q];
    }

    /**
     * In-place Gauss-Jordan steps for columns [k0, k1), touching only those columns (rows swap
     * within the columns [wlo, whi)). The steps run on rows [k0, d) only, the pivot candidates;
     * the rows above are not candidates for any of these steps, and for such a row r they amount
     * to {@code x[r, block] = -x[r, block] U^{-1}}, with U the pivot rows' block before the steps
     * and U^{-1} what the steps leave there, so those rows are done afterwards as one product.
     *
     * <p>The candidate rows' block is stepped in a packed copy ({@code [d - k0, pld]}, contiguous),
     * so that each step streams through a few dozen KB instead of touching a line or two in each
     * of d - k0 distant rows. The row swaps of the other columns are done after the steps.
     */
    private static void eliminateColumns(double[] x, int d, int ld, int off, int k0, int k1, int[] swaps,
                                         InverseWorkspace ws, int wlo, int whi) {
        int kb = k1 - k0;
        int pld = panelStride(kb);
        int rows = d - k0;
        double[] p = ws.base(rows * pld);
        for (int i = 0; i < rows; i++) {
            int pi = i * pld;
            System.arraycopy(x, (k0 + i) * ld + off + k0, p, pi, kb);
            for (int j = kb; j < pld; j++) p[pi + j] = 0;
        }
        int pivot = pivotRow(p, rows, pld, 0);
        for (int k = 0; k < kb; k++) {
            double best = Math.abs(p[pivot * pld + k]);
            if (!(best > 0) || !Double.isFinite(best)) {
                throw new IllegalArgumentException("invert: matrix [" + d + ", " + d + "] is singular (pivot "
                        + best + " in column " + (k0 + k) + ")");
            }
            swaps[k0 + k] = k0 + pivot;
            if (pivot != k) swapInPlace(p, k * pld, pivot * pld, kb);
            int pk = k * pld;
            double inv = 1 / p[pk + k];
            p[pk + k] = 1;
            for (int j = 0; j < kb; j++) p[pk + j] *= inv;
            boolean next = k + 1 < kb;
            pivot = KernelConfig.vectorized()
                    ? DoubleVectorKernels.eliminatePanelRows(p, rows, pld, k, inv, next)
                    : eliminatePanelRowsScalar(p, rows, pld, k, inv, next);
        }
        for (int i = 0; i < rows; i++) System.arraycopy(p, i * pld, x, (k0 + i) * ld + off + k0, kb);
        swapOutsideBlock(x, ld, off, k0, k1, swaps, wlo, whi);
        if (k0 == 0) return;
        double[] r = ws.scratch(k0 * kb); // -x[0:k0, block]
        for (int i = 0; i < k0; i++) {
            int xi = i * ld + off + k0;
            for (int q = 0; q < kb; q++) r[i * kb + q] = -x[xi + q];
        }
        gemmOnThisThread(k0, kb, kb, 1, r, 0, kb, p, 0, pld, x, off + k0, ld, false);
    }

    /** Row length of the packed base panel: kb rounded up to whole vectors (the padding stays zero). */
    static int panelStride(int kb) {
        return (kb + PANEL_ALIGN - 1) / PANEL_ALIGN * PANEL_ALIGN;
    }

    /** Swaps rows k and swaps[k], for k in [k0, k1) in order, in the columns [wlo, k0) and [k1, whi). */
    private static void swapOutsideBlock(double[] x, int ld, int off, int k0, int k1, int[] swaps, int wlo, int whi) {
        for (int k = k0; k < k1; k++) {
            int p = swaps[k];
            if (p == k) continue;
            swapInPlace(x, k * ld + off + wlo, p * ld + off + wlo, k0 - wlo);
            swapInPlace(x, k * ld + off + k1, p * ld + off + k1, whi - k1);
        }
    }

    /**
     * The partial pivot of column c of a packed panel {@code [rows, ld]}: the first row with the
     * largest {@code |p[i][c]|} (row c when that is not a number, which the singularity check then
     * reports).
     */
    private static int pivotRow(double[] p, int rows, int ld, int c) {
        int pivot = c;
        double best = Math.abs(p[c * ld + c]);
        for (int i = c + 1; i < rows; i++) {
            double v = Math.abs(p[i * ld + c]);
            if (v > best) {
                best = v;
                pivot = i;
            }
        }
        return pivot;
    }

    /**
     * One Gauss-Jordan step on a packed panel {@code [rows, ld]} whose row k is the (already
     * scaled) pivot row of its column k: every other row loses {@code p[i][k]} times it, and its
     * column k becomes {@code -p[i][k] * inv}, the inverse's entry. With {@code searchNext}, also
     * finds the pivot row of column k + 1 among rows > k (as {@link #pivotRow} would, from the
     * updated rows while they are in cache) and returns it; otherwise returns -1.
     */
    static int eliminatePanelRowsScalar(double[] p, int rows, int ld, int k, double inv, boolean searchNext) {
        int pr = k * ld;
        double nextPivot = searchNext ? p[pr + k + 1] : 0;
        int pivot = -1;
        double best = 0;
        for (int i = 0; i < rows; i++) {
            if (i == k) continue;
            int ri = i * ld;
            double m = p[ri + k];
            double next = searchNext ? p[ri + k + 1] : 0;
            if (m != 0) {
                for (int j = 0; j < ld; j++) p[ri + j] = Math.fma(-m, p[pr + j], p[ri + j]);
                p[ri + k] = -m * inv;
            }
            if (searchNext && i > k) {
                // p[i][k+1] after the update, computed as the vector twin does
                double v = Math.abs(m != 0 ? Math.fma(-m, nextPivot, next) : next);
                if (i == k + 1 || v > best) {
                    best = v;
                    pivot = i;
                }
            }
        }
        return pivot;
    }

    /** Swaps {@code x[a : a+n]} and {@code x[b : b+n]} (disjoint) element by element. */
    private static void swapInPlace(double[] x, int a, int b, int n) {
        for (int j = 0; j < n; j++) {
            double t = x[a + j];
            x[a + j] = x[b + j];
            x[b + j] = t;
        }
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
