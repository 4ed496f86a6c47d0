package org.intervene4j.engine.kernel;

import static org.intervene4j.engine.kernel.VectorHalf.L;
import static org.intervene4j.engine.kernel.VectorHalf.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.intervene4j.engine.HalfFormat;

/**
 * The vectorized {@link HalfGemm}. Large products run the fp32 packed kernel of
 * {@link VectorGemm}, with B's panels widened from half precision while packing (packing
 * copies B anyway, so widening costs one conversion per B value per packed block). Thin
 * products (a decode step: one row against a [vocab or d_ff, d] weight) are memory-bound and
 * stream B once, widening in registers, so they read half the bytes of fp32.
 */
final class VectorHalfGemm {
    private static final int NR = VectorGemm.NR;
    /** Columns of C per task in {@link #rowsTimesMatrix}: four vector accumulators. */
    private static final int CHUNK = 4 * L;

    /** One column of B widened before it is interleaved into a panel. */
    private static final ThreadLocal<float[][]> COLUMN = ThreadLocal.withInitial(() -> new float[1][0]);

    private VectorHalfGemm() {}

    /** See {@link HalfGemm#multiply}; requires m, n, k >= 1. */
    static void multiply(int m, int n, int k,
                         float[] a, int aOff, int aRow, int aCol,
                         HalfFormat format, short[] b, int bOff, int bRow, int bCol,
                         float[] c, int cOff, int ldc, boolean accumulate) {
        boolean bf16 = format == HalfFormat.BF16;
        int thin = VectorGemm.THIN;
        if ((m < thin || n < thin) && aCol == 1 && bRow == 1) {
            dots(m, n, k, a, aOff, aRow, bf16, b, bOff, bCol, c, cOff, ldc, accumulate);
            return;
        }
        if (m < thin && bCol == 1) {
            rowsTimesMatrix(m, n, k, a, aOff, aRow, aCol, bf16, b, bOff, bRow, c, cOff, ldc, accumulate);
            return;
        }
        VectorGemm.multiplyPacked(m, n, k, a, aOff, aRow, aCol,
                (p0, j0, kc, nc, dst) -> packB(bf16, b, bOff + p0 * bRow + j0 * bCol, bRow, bCol, kc, nc, dst),
                c, cOff, ldc, accumulate);
    }

    // ---------------------------------------------------------------- packed path

    /**
     * Packs B[0:kc, 0:nc] (element (p, j) at {@code b[off + p*rs + j*cs]}) into NR-wide fp32
     * panels exactly like {@link VectorGemm#packB}, widening on the way.
     */
    static void packB(boolean bf16, short[] b, int off, int rs, int cs, int kc, int nc, float[] dst) {
        if (!bf16 && cs == 1) {
            packRowsF16(b, off, rs, kc, nc, dst);
            return;
        }
        HalfFormat f = bf16 ? HalfFormat.BF16 : HalfFormat.F16;
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int nr = Math.min(NR, nc - j0);
            int d = j0 * kc;
            int src = off + j0 * cs;
            if (cs == 1 && nr == NR) {
                // Row-major B (Conv1D weight): each step p is NR contiguous values.
                for (int p = 0; p < kc; p++, src += rs, d += NR) {
                    VectorHalf.bf16(b, src).intoArray(dst, d);
                    VectorHalf.bf16(b, src + L).intoArray(dst, d + L);
                }
            } else if (rs == 1) {
                // Column-major B (nn.Linear weight, read transposed): a gather, as for fp32. BF16
                // widens with a shift on the way; F16 widens a whole column first, then interleaves.
                if (bf16) {
                    for (int j = 0; j < nr; j++) {
                        int s = src + j * cs;
                        for (int p = 0; p < kc; p++) dst[d + p * NR + j] = Float.intBitsToFloat(b[s + p] << 16);
                    }
                } else {
                    float[] col = column(kc);
                    for (int j = 0; j < nr; j++) {
                        VectorHalf.widen(false, b, src + j * cs, col, 0, kc);
                        for (int p = 0; p < kc; p++) dst[d + p * NR + j] = col[p];
                    }
                }
                for (int j = nr; j < NR; j++) {
                    for (int p = 0; p < kc; p++) dst[d + p * NR + j] = 0f;
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int s = src + p * rs;
                    int o = d + p * NR;
                    for (int j = 0; j < nr; j++) dst[o + j] = f.toFloat(b[s + j * cs]);
                    for (int j = nr; j < NR; j++) dst[o + j] = 0f;
                }
            }
        }
    }

    /** Row-major F16 B: each row of the block widened once into a scratch row, then cut into panels. */
    private static void packRowsF16(short[] b, int off, int rs, int kc, int nc, float[] dst) {
        float[] row = column(nc);
        for (int p = 0; p < kc; p++) {
            VectorHalf.widen(false, b, off + p * rs, row, 0, nc);
            for (int j0 = 0; j0 < nc; j0 += NR) {
                int nr = Math.min(NR, nc - j0);
                int d = j0 * kc + p * NR;
                System.arraycopy(row, j0, dst, d, nr);
                for (int j = nr; j < NR; j++) dst[d + j] = 0f;
            }
        }
    }

    private static float[] column(int size) {
        float[][] holder = COLUMN.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    // ---------------------------------------------------------------- thin: dot products

    /**
     * {@code C (+)= A B} as one dot product per element, for A with contiguous rows and B with
     * contiguous columns (an nn.Linear weight's rows). Elements are ordered column-major, so
     * consecutive dot products of one task share a weight row: it is streamed from memory once
     * and reused from L1 by every row of A.
     */
    static void dots(int m, int n, int k, float[] a, int aOff, int aRow,
                     boolean bf16, short[] b, int bOff, int bCol,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        WorkerPool.global().parallelFor(m * n, k, (from, to) -> {
            for (int t = from; t < to; t++) {
                int j = t / m;
                int i = t - j * m;
                int bo = bOff + j * bCol;
                float d = bf16 ? dotBf16(k, a, aOff + i * aRow, b, bo) : dotF16(k, a, aOff + i * aRow, b, bo);
                int o = cOff + i * ldc + j;
                c[o] = accumulate ? c[o] + d : d;
            }
        });
    }

    /** {@code sum_p x[xo + p] * bf16(w[wo + p])}: two vector accumulators, scalar tail. */
    static float dotBf16(int k, float[] x, int xo, short[] w, int wo) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int p = 0;
        for (; p + 2 * L <= k; p += 2 * L) {
            s0 = FloatVector.fromArray(S, x, xo + p).fma(VectorHalf.bf16(w, wo + p), s0);
            s1 = FloatVector.fromArray(S, x, xo + p + L).fma(VectorHalf.bf16(w, wo + p + L), s1);
        }
        for (; p + L <= k; p += L) s0 = FloatVector.fromArray(S, x, xo + p).fma(VectorHalf.bf16(w, wo + p), s0);
        float sum = LaneSum.of(s0.add(s1));
        for (; p < k; p++) sum += x[xo + p] * HalfFormat.BF16.toFloat(w[wo + p]);
        return sum;
    }

    /**
     * {@code sum_p x[xo + p] * f16(w[wo + p])}, one vector accumulator, scalar tail. The decode
     * (as in {@link VectorHalf#widenRows}) is written out in the loop body rather than called,
     * so it never depends on C2 inlining a helper that returns a vector.
     */
    static float dotF16(int k, float[] x, int xo, short[] w, int wo) {
        FloatVector s0 = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= k; p += L) {
            IntVector h = (IntVector) ShortVector.fromArray(VectorHalf.SH, w, wo + p).convertShape(VectorOperators.S2I, VectorHalf.SI, 0);
            IntVector scaled = h.lanewise(VectorOperators.LSHL, 13).and(0x8fffffff).reinterpretAsFloats()
                    .mul(0x1p112f).reinterpretAsInts();
            FloatVector v = scaled.add(h.and(0x7c00).add(0x0400).and(0x8000).mul(0x7000)).reinterpretAsFloats();
            s0 = FloatVector.fromArray(S, x, xo + p).fma(v, s0);
        }
        float sum = LaneSum.of(s0);
        for (; p < k; p++) sum += x[xo + p] * HalfFormat.F16.toFloat(w[wo + p]);
        return sum;
    }

    // ---------------------------------------------------------------- thin: rows times a row-major B

    /**
     * {@code C (+)= A B} for few rows of A and row-major B ({@code bCol == 1}, a Conv1D weight):
     * each row of C is a sum of B's rows scaled by A's entries, CHUNK columns at a time. BF16
     * rows are widened in registers as they stream. F16 rows are first widened a block of
     * {@link #PANEL_ROWS} rows at a time into an L1-sized fp32 panel (see VectorHalf.widen).
     */
    static void rowsTimesMatrix(int m, int n, int k,
                                float[] a, int aOff, int aRow, int aCol,
                                boolean bf16, short[] b, int bOff, int bRow,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        WorkerPool.global().parallelFor(chunks, (long) m * k * CHUNK, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                int j0 = ch * CHUNK;
                int width = Math.min(CHUNK, n - j0);
                if (!bf16) {
                    panelChunk(m, k, a, aOff, aRow, aCol, b, bOff + j0, bRow, c, cOff + j0, ldc, width, accumulate);
                    continue;
                }
                for (int i = 0; i < m; i++) {
                    int ai = aOff + i * aRow;
                    int ci = cOff + i * ldc + j0;
                    if (width == CHUNK) {
                        fullChunkBf16(k, a, ai, aCol, b, bOff + j0, bRow, c, ci, accumulate);
                    } else {
                        raggedChunkBf16(k, a, ai, aCol, b, bOff + j0, bRow, c, ci, width, accumulate);
                    }
                }
            }
        });
    }

    /** Rows of B widened per panel: 128 x CHUNK floats (32 KiB with 16-float vectors). */
    private static final int PANEL_ROWS = 128;
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[PANEL_ROWS * CHUNK]);

    /** {@code width <= CHUNK} columns of every row of C, through widened F16 panels. */
    private static void panelChunk(int m, int k, float[] a, int aOff, int aRow, int aCol, short[] b, int bo, int bRow,
                                   float[] c, int co, int ldc, int width, boolean accumulate) {
        float[] panel = PANEL.get();
        for (int p0 = 0; p0 < k; p0 += PANEL_ROWS) {
            int rows = Math.min(PANEL_ROWS, k - p0);
            VectorHalf.widenRows(false, b, bo + p0 * bRow, bRow, panel, 0, CHUNK, rows, width);
            boolean add = accumulate || p0 > 0;
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * aRow + p0 * aCol;
                int ci = co + i * ldc;
                if (width == CHUNK) {
                    panelFull(rows, a, ai, aCol, panel, c, ci, add);
                } else {
                    raggedChunk(rows, a, ai, aCol, panel, c, ci, width, add);
                }
            }
        }
    }

    /** {@code c[ci ..+ CHUNK] (+)= sum_p a[ai + p*aCol] * panel[p*CHUNK ..]}: four vector accumulators. */
    private static void panelFull(int rows, float[] a, int ai, int aCol, float[] panel, float[] c, int ci, boolean add) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        for (int p = 0; p < rows; p++) {
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aCol]);
            int o = p * CHUNK;
            s0 = av.fma(FloatVector.fromArray(S, panel, o), s0);
            s1 = av.fma(FloatVector.fromArray(S, panel, o + L), s1);
            s2 = av.fma(FloatVector.fromArray(S, panel, o + 2 * L), s2);
            s3 = av.fma(FloatVector.fromArray(S, panel, o + 3 * L), s3);
        }
        store(s0, s1, s2, s3, c, ci, add);
    }

    /** The narrower last chunk of a row from a widened panel: one masked vector at a time. */
    private static void raggedChunk(int rows, float[] a, int ai, int aCol, float[] panel, float[] c, int ci,
                                    int width, boolean add) {
        for (int v = 0; v < width; v += L) {
            VectorMask<Float> mask = S.indexInRange(v, width);
            FloatVector s = FloatVector.zero(S);
            for (int p = 0; p < rows; p++) {
                s = FloatVector.broadcast(S, a[ai + p * aCol]).fma(FloatVector.fromArray(S, panel, p * CHUNK + v, mask), s);
            }
            if (add) s = s.add(FloatVector.fromArray(S, c, ci + v, mask));
            s.intoArray(c, ci + v, mask);
        }
    }

    /** CHUNK columns of one row of C from BF16 rows: four vector accumulators over the whole depth. */
    private static void fullChunkBf16(int k, float[] a, int ai, int aCol, short[] b, int bo, int bRow,
                                      float[] c, int ci, boolean accumulate) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aCol]);
            int o = bo + p * bRow;
            s0 = av.fma(VectorHalf.bf16(b, o), s0);
            s1 = av.fma(VectorHalf.bf16(b, o + L), s1);
            s2 = av.fma(VectorHalf.bf16(b, o + 2 * L), s2);
            s3 = av.fma(VectorHalf.bf16(b, o + 3 * L), s3);
        }
        store(s0, s1, s2, s3, c, ci, accumulate);
    }

    private static void store(FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3,
                              float[] c, int ci, boolean accumulate) {
        if (accumulate) {
            s0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            s1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
            s2.add(FloatVector.fromArray(S, c, ci + 2 * L)).intoArray(c, ci + 2 * L);
            s3.add(FloatVector.fromArray(S, c, ci + 3 * L)).intoArray(c, ci + 3 * L);
        } else {
            s0.intoArray(c, ci);
            s1.intoArray(c, ci + L);
            s2.intoArray(c, ci + 2 * L);
            s3.intoArray(c, ci + 3 * L);
        }
    }

    /** The last, narrower BF16 chunk of a row: whole vectors, then the leftover columns one by one. */
    private static void raggedChunkBf16(int k, float[] a, int ai, int aCol, short[] b, int bo, int bRow,
                                        float[] c, int ci, int width, boolean accumulate) {
        int v = 0;
        for (; v + L <= width; v += L) {
            FloatVector s = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                s = FloatVector.broadcast(S, a[ai + p * aCol]).fma(VectorHalf.bf16(b, bo + v + p * bRow), s);
            }
            if (accumulate) s = s.add(FloatVector.fromArray(S, c, ci + v));
            s.intoArray(c, ci + v);
        }
        for (; v < width; v++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s += a[ai + p * aCol] * HalfFormat.BF16.toFloat(b[bo + v + p * bRow]);
            c[ci + v] = accumulate ? c[ci + v] + s : s;
        }
    }
}
