package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cache-blocked, packed single-precision GEMM on the Vector API.
 *
 * <p>Loop structure (outermost first): column blocks of {@link #NC}, depth blocks of
 * {@link #KC} (B's block is packed into NR-wide panels), row blocks of {@link #MC} (A's block
 * is packed into MR-tall panels), then MR x NR register tiles computed by the micro-kernel (written out longhand at the
 * end of this file).
 * Packing copies any strided or transposed operand into the exact order the micro-kernel
 * reads, zero-padding ragged edges, so one kernel serves every layout and size. Edge tiles are
 * computed into a scratch tile and merged. Threads split C into disjoint column (or row)
 * ranges; each thread packs into its own reusable buffers. Products with very few rows or
 * columns skip packing ({@link ThinGemm}).
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector register. */
    static final int L = S.length();
    /** Register tile: MR rows of C by NR = 2 vectors of columns (MR * 2 accumulators). */
    static final int MR = 8;
    static final int NR = 2 * L;
    /** Depth of one packed block: a kc x NR panel of B stays in L1 while A panels stream. */
    static final int KC = 256;
    /** Rows of A packed at once (an MC x KC block sits in L2). */
    static final int MC = 192;
    /** Columns of B packed at once (a KC x NC block sits in L3). */
    static final int NC = 4096;
    /** Products with fewer rows (or columns) than this go to {@link ThinGemm}. */
    static final int THIN = 4;
    /**
     * Zeros a kernel's store adds in place of C's old values (when it overwrites C) or of a bias.
     * The store always adds both terms: a branch between "overwrite", "accumulate" and "add a bias"
     * inside the kernel was compiled by C2 for the cases seen so far and deoptimized the whole
     * kernel, back to the Vector API's boxing fallback, the first time another case ran (twice
     * per process, in the first forward passes; measured: first GPT-2-sized forward 5.1-5.5 s ->
     * 3.9-4.7 s). Read-only.
     */
    static final float[] ZEROS = new float[NR];
    /** Minimum multiply-adds per thread before a product is split across threads. */
    static final long MIN_WORK_PER_THREAD = 1L << 17;

    /** Per-thread pack buffers and scratch tile, grown on demand and reused (no GC churn). */
    static final class Workspace {
        float[] aPack = new float[0];
        float[] bPack = new float[0];
        /** B's columns for {@link ThinGemm#dots} when they are not contiguous. */
        float[] gather = new float[0];
        final float[] tile = new float[MR * NR];

        float[] aPack(int size) {
            if (aPack.length < size) aPack = new float[size];
            return aPack;
        }

        float[] gather(int size) {
            if (gather.length < size) gather = new float[size];
            return gather;
        }

        float[] bPack(int size) {
            if (bPack.length < size) bPack = new float[size];
            return bPack;
        }
    }

    /** Packs row-major A blocks with vector shuffles; null where the vector width does not allow it. */
    private static final RowPanelTranspose TRANSPOSE_PACK = RowPanelTranspose.FOR_KERNEL;

    static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private VectorGemm() {}

    /** {@code C[m, n] (+)= A[m, k] B[k, n]}; see {@link Gemm#multiply}. Requires m, n, k >= 1. */
    static void multiply(int m, int n, int k,
                         float[] a, int aOff, int aRow, int aCol,
                         float[] b, int bOff, int bRow, int bCol,
                         float[] c, int cOff, int ldc, boolean accumulate) {
        if (thin(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate)) return;
        multiplyPacked(m, n, k, a, aOff, aRow, aCol,
                (p0, j0, kc, nc, dst) -> packB(b, bOff + p0 * bRow + j0 * bCol, bRow, bCol, kc, nc, dst),
                c, cOff, ldc, accumulate);
    }

    /**
     * Where the packed kernel gets B from: packs {@code B[p0 : p0+kc, j0 : j0+nc]} into NR-wide
     * panels laid out as {@link #packB} does. fp32 operands copy; half-precision weights widen
     * while packing ({@link VectorHalfGemm}), so the micro-kernel never sees the difference.
     */
    @FunctionalInterface
    interface PanelSource {
        void pack(int p0, int j0, int kc, int nc, float[] dst);
    }

    /**
     * The blocked product with B read through {@code b}, split across threads; no thin-product
     * routing (the caller has done that). Requires m, n, k >= 1.
     */
    static void multiplyPacked(int m, int n, int k,
                               float[] a, int aOff, int aRow, int aCol, PanelSource b,
                               float[] c, int cOff, int ldc, boolean accumulate) {
        WorkerPool pool = WorkerPool.global();
        long work = (long) m * n * k;
        int parts = (int) Math.min(pool.threads(), Math.max(1, work / MIN_WORK_PER_THREAD));
        int nPanels = (n + NR - 1) / NR;
        int mPanels = (m + MR - 1) / MR;
        // Splitting columns makes every thread pack all of A (m*k), splitting rows all of B
        // (k*n): split the dimension whose redundant packing is cheaper, if it has the panels.
        boolean splitColumns = (m <= n && nPanels >= parts) || mPanels < parts;
        forEachShare(m, n, parts, !splitColumns,
                (i0, i1, j0, j1) -> block(i0, i1, j0, j1, k, a, aOff, aRow, aCol, b, c, cOff, ldc, accumulate));
    }

    /** One thread's share of C: rows [i0, i1), columns [j0, j1). */
    @FunctionalInterface
    interface Share {
        void run(int i0, int i1, int j0, int j1);
    }

    /**
     * Splits C {@code [m, n]} into {@code parts} shares of whole register-tile panels, by rows
     * (MR-row panels) or by columns (NR-column panels), and runs them on the worker pool; one
     * share runs on the calling thread. At most one share per panel.
     */
    static void forEachShare(int m, int n, int parts, boolean byRows, Share share) {
        int panels = byRows ? (m + MR - 1) / MR : (n + NR - 1) / NR;
        int p = Math.min(parts, Math.max(panels, 1));
        if (p <= 1) {
            share.run(0, m, 0, n);
            return;
        }
        int step = byRows ? MR : NR;
        WorkerPool.global().parallelFor(p, (from, to) -> {
            for (int t = from; t < to; t++) {
                int lo = (int) ((long) panels * t / p) * step;
                int hi = (int) Math.min((long) panels * (t + 1) / p * step, byRows ? m : n);
                if (lo >= hi) continue;
                if (byRows) {
                    share.run(lo, hi, 0, n);
                } else {
                    share.run(0, m, lo, hi);
                }
            }
        });
    }

    /**
     * Routes products with fewer than {@link #THIN} rows or columns to {@link ThinGemm} when the
     * layout suits it; returns false when the packed kernel should run.
     */
    private static boolean thin(int m, int n, int k,
                                float[] a, int aOff, int aRow, int aCol,
                                float[] b, int bOff, int bRow, int bCol,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        if (m < THIN && bCol == 1) {
            ThinGemm.rowsTimesMatrix(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, c, cOff, ldc, accumulate);
            return true;
        }
        if (aCol == 1 && (m < THIN || n < THIN)) {
            if (bRow == 1) {
                ThinGemm.dots(m, n, k, a, aOff, aRow, b, bOff, bCol, c, cOff, ldc, accumulate);
                return true;
            }
            if (n < THIN) {
                // Gather B's few columns into contiguous rows so every dot product streams.
                Workspace ws = WORKSPACE.get();
                float[] cols = ws.gather(n * k);
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) cols[j * k + p] = b[bOff + p * bRow + j * bCol];
                }
                ThinGemm.dots(m, n, k, a, aOff, aRow, cols, 0, k, c, cOff, ldc, accumulate);
                return true;
            }
        }
        return false;
    }

    /** One thread's share: rows [i0, i1) and columns [j0, j1) of C, the full depth k. */
    private static void block(int i0, int i1, int j0, int j1, int k,
                              float[] a, int aOff, int aRow, int aCol, PanelSource b,
                              float[] c, int cOff, int ldc, boolean accumulate) {
        Workspace ws = WORKSPACE.get();
        int kcMax = Math.min(KC, k);
        float[] bPack = ws.bPack(kcMax * roundUp(Math.min(NC, j1 - j0), NR));
        float[] aPack = ws.aPack(kcMax * roundUp(Math.min(MC, i1 - i0), MR));
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                b.pack(pc, jc, kc, nc, bPack);
                boolean add = accumulate || pc > 0;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(a, aOff + ic * aRow + pc * aCol, aRow, aCol, mc, kc, aPack);
                    macroTile(mc, nc, kc, aPack, bPack, 0, kc * NR, c, cOff + ic * ldc + jc, ldc, add, null, 0, ws.tile);
                }
            }
        }
    }

    /**
     * All register tiles of one packed (mc x kc) x (kc x nc) block product. The block's B panel
     * number q (columns q*NR..) starts at {@code bBase + q * bPanelStride} of {@code bp}, kc
     * rows of NR values: {@code bPanelStride = kc * NR} for a block packed per call, the full
     * depth times NR for {@link PackedPanels}. Without {@code add}, a non-null {@code bias} (column j
     * of the block at {@code bias[biasOff + j]}) is added to every row as C is stored.
     */
    static void macroTile(int mc, int nc, int kc, float[] aPack, float[] bp, int bBase, int bPanelStride,
                          float[] c, int cOff, int ldc, boolean add, float[] bias, int biasOff, float[] tile) {
        float[] old = add ? c : ZEROS;
        int ldOld = add ? ldc : 0;
        float[] storeBias = storeBias(add, bias);
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bOff = bBase + (jr / NR) * bPanelStride;
            int storeBiasOff = storeBias == ZEROS ? 0 : biasOff + jr;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int cTile = cOff + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    kernel(kc, aPack, ir * kc, bp, bOff, c, cTile, ldc, old, add ? cTile : 0, ldOld, storeBias, storeBiasOff);
                } else {
                    kernel(kc, aPack, ir * kc, bp, bOff, tile, 0, NR, ZEROS, 0, 0, ZEROS, 0);
                    mergeEdge(tile, mr, nr, c, cTile, ldc, add, bias, biasOff + jr);
                }
            }
        }
    }

    /** The bias a kernel's store adds: the caller's on a store that overwrites C, else {@link #ZEROS}. */
    static float[] storeBias(boolean add, float[] bias) {
        return add || bias == null ? ZEROS : bias;
    }

    /** Copies (or adds) the valid mr x nr corner of a scratch tile into C, plus the bias when copying. */
    static void mergeEdge(float[] tile, int mr, int nr, float[] c, int cOff, int ldc, boolean add, float[] bias, int biasOff) {
        for (int r = 0; r < mr; r++) {
            int t = r * NR;
            int o = cOff + r * ldc;
            if (add) {
                for (int j = 0; j < nr; j++) c[o + j] += tile[t + j];
            } else if (bias != null) {
                for (int j = 0; j < nr; j++) c[o + j] = tile[t + j] + bias[biasOff + j];
            } else {
                System.arraycopy(tile, t, c, o, nr);
            }
        }
    }

    /**
     * Packs B[0:kc, 0:nc] (element (p, j) at {@code b[off + p*rs + j*cs]}) into NR-wide panels:
     * panel q holds, for each p, the NR values of columns q*NR.., zero-padded past nc.
     */
    static void packB(float[] b, int off, int rs, int cs, int kc, int nc, float[] dst) {
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int nr = Math.min(NR, nc - j0);
            int d = j0 * kc;
            int src = off + j0 * cs;
            if (cs == 1 && nr == NR) {
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(S, b, src).intoArray(dst, d);
                    FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
                    src += rs;
                    d += NR;
                }
            } else if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, src, dst, d, nr);
                    for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                    src += rs;
                    d += NR;
                }
            } else {
                // Column-major source (a transposed B, e.g. an [out, in] weight): eight columns at a
                // time, so each packed row gets eight contiguous values per pass from eight
                // sequential read streams.
                int j = 0;
                if (rs == 1) {
                    for (; j + 8 <= nr; j += 8) eightStreams(b, src + j * cs, cs, 0, kc, dst, d + j, NR);
                }
                for (; j < nr; j++) {
                    int s = src + j * cs;
                    for (int p = 0; p < kc; p++) dst[d + p * NR + j] = b[s + p * rs];
                }
                for (j = nr; j < NR; j++) {
                    for (int p = 0; p < kc; p++) dst[d + p * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * Packs A[0:mc, 0:kc] (element (i, p) at {@code a[off + i*rs + p*cs]}) into MR-tall panels:
     * panel q holds, for each p, the MR values of rows q*MR.., zero-padded past mc.
     */
    static void packA(float[] a, int off, int rs, int cs, int mc, int kc, float[] dst) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int mr = Math.min(MR, mc - i0);
            int d = i0 * kc;
            int src = off + i0 * rs;
            if (rs == 1 && mr == MR) {
                // Column-major source (a transposed A): each step p is MR contiguous values.
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, src + p * cs, dst, d + p * MR, MR);
                }
            } else if (cs == 1 && mr == MR && TRANSPOSE_PACK != null) {
                TRANSPOSE_PACK.pack(a, src, rs, kc, dst, d);
            } else if (cs == 1 && mr == MR) {
                // Row-major source: eight sequential read streams, one sequential write stream.
                eightStreams(a, src, rs, 0, kc, dst, d, MR);
            } else {
                for (int r = 0; r < mr; r++) {
                    int s = src + r * rs;
                    for (int p = 0; p < kc; p++) dst[d + p * MR + r] = a[s + p * cs];
                }
                for (int r = mr; r < MR; r++) {
                    for (int p = 0; p < kc; p++) dst[d + p * MR + r] = 0f;
                }
            }
        }
    }

    /**
     * Copies eight strided sequences into interleaved order:
     * {@code dst[d + p * dstStep + r] = src[s0 + r * stride + p]} for r < 8 and p in [p0, p1).
     * Eight sequential read streams and one write stream: the scalar packing of eight rows of A
     * (dstStep MR) or eight columns of a transposed B (dstStep NR).
     */
    static void eightStreams(float[] src, int s0, int stride, int p0, int p1, float[] dst, int d, int dstStep) {
        int s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride, s4 = s3 + stride, s5 = s4 + stride, s6 = s5 + stride,
                s7 = s6 + stride;
        for (int p = p0, o = d + p0 * dstStep; p < p1; p++, o += dstStep) {
            dst[o] = src[s0 + p];
            dst[o + 1] = src[s1 + p];
            dst[o + 2] = src[s2 + p];
            dst[o + 3] = src[s3 + p];
            dst[o + 4] = src[s4 + p];
            dst[o + 5] = src[s5 + p];
            dst[o + 6] = src[s6 + p];
            dst[o + 7] = src[s7 + p];
        }
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /**
     * The 8 x NR register tile: 16 accumulators, each packed step p broadcasts 8 values of A
     * against two vectors of B. Written out by hand (no helper taking vectors, no reassigned
     * vector variables) so C2 keeps every vector in a register instead of boxing it. The store
     * writes {@code acc + old + bias} for each row r, with old row r at {@code old[oldOff + r * ldOld]}
     * and the bias at {@code bias[biasOff]}: the caller passes C itself to accumulate, and
     * {@link #ZEROS} (stride 0) for either term it does not want ({@link #storeBias}).
     */
    private static void kernel(int kc, float[] ap, int apOff, float[] bp, int bpOff, float[] c, int cOff, int ldc,
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
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
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
