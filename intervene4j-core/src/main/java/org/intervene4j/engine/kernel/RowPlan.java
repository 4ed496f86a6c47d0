package org.intervene4j.engine.kernel;

/**
 * Iteration plan for an elementwise op over strided N-d operands that all have the op's
 * output shape (broadcast operands carry stride 0). Size-1 dimensions are dropped and
 * adjacent dimensions that are contiguous for every operand are merged, so same-shape
 * contiguous operands become one flat row, and {@code x [..., n] op b [n]} becomes rows of n
 * over which b repeats. {@link #forEach} then hands each innermost row (or a chunk of a long
 * row) to a kernel, spread over the {@link WorkerPool}; outer dimensions advance like an
 * odometer, so there is no per-element index arithmetic.
 */
public final class RowPlan {
    /** Chunk length for splitting long rows across workers (a multiple of every vector length). */
    static final int CHUNK = 16_384;

    /** Receives one row: {@code offsets[k]} is operand k's position of the row's first element. */
    @FunctionalInterface
    public interface Row {
        void run(int[] offsets, int n);
    }

    private final int operands;
    /** Coalesced outer dimensions (everything but the innermost). */
    private final int[] outer;
    /** {@code outerStrides[k][d]}: operand k's stride for outer dimension d. */
    private final int[][] outerStrides;
    private final int[] inner;
    private final int n;
    private final long rows;

    private RowPlan(int[] outer, int[][] outerStrides, int[] inner, int n, long rows) {
        this.operands = inner.length;
        this.outer = outer;
        this.outerStrides = outerStrides;
        this.inner = inner;
        this.n = n;
        this.rows = rows;
    }

    /**
     * Plans iteration over {@code shape} for operands with the given strides (one array per
     * operand, each of the shape's rank).
     */
    public static RowPlan of(int[] shape, int[]... strides) {
        int k = strides.length;
        int rank = shape.length;
        int[] s = new int[rank];
        int[][] st = new int[k][rank];
        int r = 0;
        boolean empty = false;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 0) empty = true;
            if (shape[d] == 1) continue;
            if (r > 0 && mergeable(s[r - 1], st, r - 1, shape[d], strides, d)) {
                s[r - 1] *= shape[d];
                for (int j = 0; j < k; j++) st[j][r - 1] = strides[j][d];
                continue;
            }
            s[r] = shape[d];
            for (int j = 0; j < k; j++) st[j][r] = strides[j][d];
            r++;
        }
        if (empty) return new RowPlan(new int[0], new int[k][0], new int[k], 0, 0);
        int innerLen = r == 0 ? 1 : s[r - 1];
        int[] innerStrides = new int[k];
        for (int j = 0; j < k; j++) innerStrides[j] = r == 0 ? 0 : st[j][r - 1];
        int outerRank = Math.max(r - 1, 0);
        int[] outerShape = java.util.Arrays.copyOf(s, outerRank);
        int[][] outerSt = new int[k][];
        for (int j = 0; j < k; j++) outerSt[j] = java.util.Arrays.copyOf(st[j], outerRank);
        long rows = 1;
        for (int d : outerShape) rows *= d;
        return new RowPlan(outerShape, outerSt, innerStrides, innerLen, rows);
    }

    /** Dimension {@code (prevSize, prev strides)} followed by {@code (size, strides[.][d])} is one dimension for every operand. */
    private static boolean mergeable(int prevSize, int[][] prevStrides, int prev, int size, int[][] strides, int d) {
        for (int j = 0; j < strides.length; j++) {
            if (prevStrides[j][prev] != strides[j][d] * size) return false;
        }
        return true;
    }

    /** Length of the innermost rows. */
    public int rowLength() {
        return n;
    }

    /** Operand k's stride along the innermost rows. */
    public int innerStride(int k) {
        return inner[k];
    }

    /**
     * Calls {@code row} for every innermost row, long rows split in chunks, in parallel when the
     * work is large. {@code base[k]} is operand k's offset of element 0. {@code costPerElement}
     * weighs the work (1 for an add, more for transcendental functions).
     */
    public void forEach(int[] base, int costPerElement, Row row) {
        if (rows == 0 || n == 0) return;
        int chunk = n;
        if (n >= 2 * CHUNK && rows < 4L * WorkerPool.global().threads()) chunk = CHUNK;
        int perRow = (n + chunk - 1) / chunk;
        long tasks = rows * perRow;
        if (tasks > Integer.MAX_VALUE) throw new IllegalArgumentException("RowPlan: too many rows");
        int c = chunk;
        WorkerPool.global().parallelFor((int) tasks, (long) Math.min(n, chunk) * costPerElement,
                (from, to) -> runRange(base, from, to, perRow, c, row));
    }

    private void runRange(int[] base, int from, int to, int perRow, int chunk, Row row) {
        int rank = outer.length;
        int[] idx = new int[rank];
        int[] rowOff = base.clone();
        int[] off = new int[operands];
        long r = from / perRow;
        // Position the odometer at row r (one division per outer dimension per range).
        long rem = r;
        for (int d = rank - 1; d >= 0; d--) {
            idx[d] = (int) (rem % outer[d]);
            rem /= outer[d];
            for (int k = 0; k < operands; k++) rowOff[k] += idx[d] * outerStrides[k][d];
        }
        long current = r;
        for (int t = from; t < to; t++) {
            long tr = t / perRow;
            while (current < tr) {
                advance(idx, rowOff);
                current++;
            }
            int start = (t - (int) (tr * perRow)) * chunk;
            int len = Math.min(chunk, n - start);
            for (int k = 0; k < operands; k++) off[k] = rowOff[k] + start * inner[k];
            row.run(off, len);
        }
    }

    private void advance(int[] idx, int[] rowOff) {
        for (int d = outer.length - 1; d >= 0; d--) {
            idx[d]++;
            for (int k = 0; k < operands; k++) rowOff[k] += outerStrides[k][d];
            if (idx[d] < outer[d]) return;
            for (int k = 0; k < operands; k++) rowOff[k] -= outerStrides[k][d] * outer[d];
            idx[d] = 0;
        }
    }

    /**
     * Runs {@code body(from, length)} over {@code [0, n)} in chunks, in parallel when large
     * (for kernels over flat contiguous arrays).
     */
    public static void flat(int n, int costPerElement, WorkerPool.RangeBody body) {
        if (n <= 0) return;
        int chunks = (n + CHUNK - 1) / CHUNK;
        WorkerPool.global().parallelFor(chunks, (long) Math.min(n, CHUNK) * costPerElement, (from, to) -> {
            int start = from * CHUNK;
            int end = (int) Math.min((long) to * CHUNK, n);
            body.run(start, end - start);
        });
    }
}
