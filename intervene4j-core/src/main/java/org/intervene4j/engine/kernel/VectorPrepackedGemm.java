package org.intervene4j.engine.kernel;

import static org.intervene4j.engine.kernel.VectorGemm.L;
import static org.intervene4j.engine.kernel.VectorGemm.MC;
import static org.intervene4j.engine.kernel.VectorGemm.MIN_WORK_PER_THREAD;
import static org.intervene4j.engine.kernel.VectorGemm.MR;
import static org.intervene4j.engine.kernel.VectorGemm.NR;
import static org.intervene4j.engine.kernel.VectorGemm.S;
import static org.intervene4j.engine.kernel.VectorGemm.WORKSPACE;
import static org.intervene4j.engine.kernel.VectorGemm.ZEROS;
import static org.intervene4j.engine.kernel.VectorGemm.macroTile;
import static org.intervene4j.engine.kernel.VectorGemm.mergeEdge;
import static org.intervene4j.engine.kernel.VectorGemm.packA;
import static org.intervene4j.engine.kernel.VectorGemm.roundUp;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vectorized GEMM with a prepacked right operand ({@link PackedPanels}): the blocking and
 * register tiles of {@link VectorGemm} without packing B. fp32 panels are read in place, BF16
 * panels are widened inside the micro-kernel, F16 panels one slice at a time.
 */
final class VectorPrepackedGemm {
    private static final VectorSpecies<Short> SH_FULL = VectorHalf.SH_FULL;

    /**
     * Depth of one block when B is prepacked: deeper blocks mean fewer read-modify-write passes
     * over C, which costs more than the B slice spilling from L1 to L2 (measured: 256 x 768 x 2304
     * reached ~330 GFLOP/s at 256 and ~370 at 768 on 2 Zen 5 cores).
     */
    static final int KC_PREPACKED = 768;

    /**
     * Depth of one block of BF16 prepacked panels, which the kernel widens in registers: the
     * slice is half the bytes of fp32, so a deeper block fits the same cache (measured at
     * 128 x 8192 x 2048: 296 GFLOP/s widening slices into memory at depth 768, 338 here).
     */
    static final int KC_PREPACKED_BF16 = 1024;

    /**
     * Rows of A packed at once against fp32 panels, and the most rows a product may have for its
     * threads to split columns (each thread then runs all rows against its share of the panels).
     * Each panel is read from memory by its first register tile and from cache by the others, so
     * more row tiles per panel hide more of that first read: on 2 Zen 5 cores, GPT-2's four
     * projection shapes (12 distinct weights each) at 200-384 rows ran 2-5% faster with all rows
     * in one block and columns split than with 192-row blocks and rows split (interleaved A/B,
     * medians of 20-24), and 384-row blocks were no slower at 512-1024 rows.
     */
    static final int MC_PREPACKED = 384;

    private VectorPrepackedGemm() {}

    /**
     * {@code C[m, n] (+)= A[m, k] B} with B prepacked ({@link PackedPanels}: k, n, width NR).
     * fp32 panels are read in place; BF16 panels are read in place too and widened in registers
     * ({@link #kernelBf16}); F16 panels are widened one panel slice at a time (a contiguous,
     * vectorized conversion of kc x NR values) into a small buffer that stays in cache while the
     * slice's register tiles use it. Without accumulate, a non-null bias ({@code bias[biasOff + j]}
     * for column j) is added to every row as the first depth block stores C. Requires m >= 1.
     */
    static void multiply(int m, float[] a, int aOff, int aRow, int aCol, PackedPanels b,
                         float[] c, int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
        int n = b.n();
        int k = b.k();
        WorkerPool pool = WorkerPool.global();
        long work = (long) m * n * k;
        int parts = (int) Math.min(pool.threads(), Math.max(1, work / MIN_WORK_PER_THREAD));
        int nPanels = (n + NR - 1) / NR;
        int mPanels = (m + MR - 1) / MR;
        // fp32 B needs no packing, so splitting rows costs no redundant work once each thread
        // has many rows; fewer rows split columns (each thread then reuses each B slice over all
        // the rows and streams only its share of B: at 128 x 2048 x 8192, 304 GFLOP/s against
        // 255 split by rows; see MC_PREPACKED), unless the panels are too few to share evenly
        // (3 panels on 2 threads would leave one thread a third idle). Half-precision B splits
        // columns, so that each slice is widened once.
        boolean fewPanels = nPanels < 8 * parts;
        boolean splitRows = !b.isHalf() && mPanels >= 16 * parts && (m > MC_PREPACKED || fewPanels) || nPanels < parts;
        VectorGemm.forEachShare(m, n, parts, splitRows,
                (i0, i1, j0, j1) -> blockPrepacked(i0, i1, j0, j1, a, aOff, aRow, aCol, b, c, cOff, ldc, accumulate, bias, biasOff));
    }

    /** One thread's share of a prepacked product: rows [i0, i1), columns [j0, j1) (j0 a multiple of NR). */
    private static void blockPrepacked(int i0, int i1, int j0, int j1, float[] a, int aOff, int aRow, int aCol,
                                       PackedPanels b, float[] c, int cOff, int ldc, boolean accumulate,
                                       float[] bias, int biasOff) {
        int k = b.k();
        VectorGemm.Workspace ws = WORKSPACE.get();
        float[] panels = b.values();
        short[] bits = b.bits();
        boolean bf16 = bits != null && b.format() == org.intervene4j.engine.HalfFormat.BF16;
        int depth = bf16 ? KC_PREPACKED_BF16 : KC_PREPACKED;
        int kcMax = Math.min(depth, k);
        int rowBlock = panels != null ? MC_PREPACKED : MC;
        float[] aPack = ws.aPack(kcMax * roundUp(Math.min(rowBlock, i1 - i0), MR));
        float[] slice = bits == null || bf16 ? null : ws.bPack(kcMax * NR);
        int panelStride = k * NR;
        for (int pc = 0; pc < k; pc += depth) {
            int kc = Math.min(depth, k - pc);
            boolean add = accumulate || pc > 0;
            float[] firstBias = add ? null : bias; // the bias joins C with the first depth block's store
            for (int ic = i0; ic < i1; ic += rowBlock) {
                int mc = Math.min(rowBlock, i1 - ic);
                packA(a, aOff + ic * aRow + pc * aCol, aRow, aCol, mc, kc, aPack);
                if (panels != null) {
                    macroTile(mc, j1 - j0, kc, aPack, panels, (j0 / NR) * panelStride + pc * NR, panelStride,
                            c, cOff + ic * ldc + j0, ldc, add, firstBias, biasOff + j0, ws.tile);
                    continue;
                }
                if (bf16) {
                    macroTileBf16(mc, j1 - j0, kc, aPack, bits, (j0 / NR) * panelStride + pc * NR, panelStride,
                            c, cOff + ic * ldc + j0, ldc, add, firstBias, biasOff + j0, ws.tile);
                    continue;
                }
                for (int jr = j0; jr < j1; jr += NR) {
                    // F16 panels: widened one slice at a time into a buffer that stays in cache.
                    VectorHalf.widen(false, bits, (jr / NR) * panelStride + pc * NR, slice, 0, kc * NR);
                    macroTile(mc, Math.min(NR, j1 - jr), kc, aPack, slice, 0, 0, c, cOff + ic * ldc + jr, ldc, add, firstBias,
                            biasOff + jr, ws.tile);
                }
            }
        }
    }

    /** {@link VectorGemm#macroTile} over BF16 panels (widened in the kernel); panel q at {@code bBase + q * bPanelStride} shorts. */
    private static void macroTileBf16(int mc, int nc, int kc, float[] aPack, short[] bp, int bBase, int bPanelStride,
                                      float[] c, int cOff, int ldc, boolean add, float[] bias, int biasOff, float[] tile) {
        float[] old = add ? c : ZEROS;
        int ldOld = add ? ldc : 0;
        float[] storeBias = VectorGemm.storeBias(add, bias);
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bOff = bBase + (jr / NR) * bPanelStride;
            int storeBiasOff = storeBias == ZEROS ? 0 : biasOff + jr;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int cTile = cOff + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    kernelBf16(kc, aPack, ir * kc, bp, bOff, c, cTile, ldc, old, add ? cTile : 0, ldOld, storeBias, storeBiasOff);
                } else {
                    kernelBf16(kc, aPack, ir * kc, bp, bOff, tile, 0, NR, ZEROS, 0, 0, ZEROS, 0);
                    mergeEdge(tile, mr, nr, c, cTile, ldc, add, bias, biasOff + jr);
                }
            }
        }
    }

    /**
     * {@link VectorGemm}'s fp32 kernel reading B from BF16 panels stored interleaved ({@link PackedPanels}): each
     * step loads the row's 2L bfloat16 values at once and widens them in registers (a shift gives
     * columns 0..L-1, a mask columns L..2L-1), so B is never widened into memory. Stores as
     * {@code VectorGemm}'s kernel does: {@code acc + old + bias}, zeros for the unwanted terms.
     */
    private static void kernelBf16(int kc, float[] ap, int apOff, short[] bp, int bpOff, float[] c, int cOff, int ldc,
                                   float[] old, int oldOff, int ldOld, float[] bias, int biasOff) {
        FloatVector c0a = FloatVector.zero(S), c0b = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S), c1b = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S), c2b = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S), c3b = FloatVector.zero(S);
        FloatVector c4a = FloatVector.zero(S), c4b = FloatVector.zero(S);
        FloatVector c5a = FloatVector.zero(S), c5b = FloatVector.zero(S);
        FloatVector c6a = FloatVector.zero(S), c6b = FloatVector.zero(S);
        FloatVector c7a = FloatVector.zero(S), c7b = FloatVector.zero(S);
        int ai = apOff;
        int bi = bpOff;
        for (int p = 0; p < kc; p++) {
            IntVector both = ShortVector.fromArray(SH_FULL, bp, bi).reinterpretAsInts();
            FloatVector b0 = both.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector b1 = both.and(0xffff0000).reinterpretAsFloats();
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            ai += MR;
            bi += NR;
        }
        int o0 = cOff;
        int o1 = cOff + 1 * ldc;
        int o2 = cOff + 2 * ldc;
        int o3 = cOff + 3 * ldc;
        int o4 = cOff + 4 * ldc;
        int o5 = cOff + 5 * ldc;
        int o6 = cOff + 6 * ldc;
        int o7 = cOff + 7 * ldc;
        // Each row adds its old values (zeros when C is overwritten) and the bias (or zeros).
        FloatVector ba = FloatVector.fromArray(S, bias, biasOff);
        FloatVector bb = FloatVector.fromArray(S, bias, biasOff + L);
        c0a.add(FloatVector.fromArray(S, old, oldOff + 0 * ldOld)).add(ba).intoArray(c, o0);
        c0b.add(FloatVector.fromArray(S, old, oldOff + 0 * ldOld + L)).add(bb).intoArray(c, o0 + L);
        c1a.add(FloatVector.fromArray(S, old, oldOff + 1 * ldOld)).add(ba).intoArray(c, o1);
        c1b.add(FloatVector.fromArray(S, old, oldOff + 1 * ldOld + L)).add(bb).intoArray(c, o1 + L);
        c2a.add(FloatVector.fromArray(S, old, oldOff + 2 * ldOld)).add(ba).intoArray(c, o2);
        c2b.add(FloatVector.fromArray(S, old, oldOff + 2 * ldOld + L)).add(bb).intoArray(c, o2 + L);
        c3a.add(FloatVector.fromArray(S, old, oldOff + 3 * ldOld)).add(ba).intoArray(c, o3);
        c3b.add(FloatVector.fromArray(S, old, oldOff + 3 * ldOld + L)).add(bb).intoArray(c, o3 + L);
        c4a.add(FloatVector.fromArray(S, old, oldOff + 4 * ldOld)).add(ba).intoArray(c, o4);
        c4b.add(FloatVector.fromArray(S, old, oldOff + 4 * ldOld + L)).add(bb).intoArray(c, o4 + L);
        c5a.add(FloatVector.fromArray(S, old, oldOff + 5 * ldOld)).add(ba).intoArray(c, o5);
        c5b.add(FloatVector.fromArray(S, old, oldOff + 5 * ldOld + L)).add(bb).intoArray(c, o5 + L);
        c6a.add(FloatVector.fromArray(S, old, oldOff + 6 * ldOld)).add(ba).intoArray(c, o6);
        c6b.add(FloatVector.fromArray(S, old, oldOff + 6 * ldOld + L)).add(bb).intoArray(c, o6 + L);
        c7a.add(FloatVector.fromArray(S, old, oldOff + 7 * ldOld)).add(ba).intoArray(c, o7);
        c7b.add(FloatVector.fromArray(S, old, oldOff + 7 * ldOld + L)).add(bb).intoArray(c, o7 + L);
    }
}
