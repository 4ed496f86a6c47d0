package org.intervene4j.train;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Cache-blocked, packed float64 GEMM on the Vector API: the vectorized twin of
 * {@link DoubleMatrices#gemm(int, int, int, double, double[], int, int, int, double[], int, int, int, double[], int, int, boolean)}.
 *
 * <p>Loop structure (outermost first): depth blocks of {@link #KC} (B's block is packed into
 * NR-wide panels, scaled by alpha), row blocks of {@link #MC} (A's block is packed into MR-tall
 * panels), then MR x NR register tiles computed by the micro-kernel (written out longhand at the
 * end of this file). Packing reads any row/column strides, so transposed operands cost nothing
 * extra, and zero-pads ragged edges; edge tiles go through a scratch tile. Threads split C into
 * disjoint row (or column) ranges, each packing into its own reusable buffers. A row-major A is
 * read in place instead ({@link #kernelRows}) by narrow products, where packing it cost as much
 * as the product, and by {@link #multiplyRows}, which serves the inverse's panel updates.
 */
final class DoubleVectorGemm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Doubles per vector register. */
    private static final int L = S.length();
    /**
     * Register tile: MR rows of C by NR = NV vectors of columns (MR * NV accumulators; the
     * longhand kernel below is written for exactly 8 x 2). An 8 x 3 tile measured slower: C2
     * spills some of its 24 accumulators.
     */
    static final int MR = 8;
    private static final int NV = 2;
    static final int NR = NV * L;
    /** Depth of one packed block: a KC x NR panel of B (32 KB with 512-bit vectors) stays in L1 while A panels stream past it. */
    static final int KC = 256;
    /** Rows of A packed at once (an MC x KC block sits in L2). */
    static final int MC = 192;
    /**
     * Products at most this many columns wide with a row-major A read A in place instead of
     * packing it ({@link #rowsTile}): measured 1.2 to 1.8 times as fast for [768, 768] x [768, n]
     * with n from 1 to 48, and no faster at 64.
     */
    static final int THIN_COLUMNS = 3 * NR;
    /** Minimum multiply-adds per thread before a product is split across threads. */
    private static final long MIN_WORK_PER_THREAD = 1L << 18;

    /** Per-thread pack buffers and scratch tile, grown on demand and reused. */
    private static final class Workspace {
        double[] aPack = new double[0];
        double[] bPack = new double[0];
        final double[] tile = new double[MR * NR];

        double[] aPack(int size) {
            if (aPack.length < size) aPack = new double[size];
            return aPack;
        }

        double[] bPack(int size) {
            if (bPack.length < size) bPack = new double[size];
            return bPack;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private DoubleVectorGemm() {}

    /**
     * {@code C[m, n] = (accumulate ? C : 0) + alpha A[m, k] B[k, n]}, with A(i, p) at
     * {@code a[aOff + i*aRow + p*aCol]}, B(p, j) at {@code b[bOff + p*bRow + j*bCol]} and C(i, j)
     * at {@code c[cOff + i*ldc + j]}. Requires m, n, k >= 1; C must not overlap A or B.
     */
    static void multiply(int m, int k, int n, double alpha,
                         double[] a, int aOff, int aRow, int aCol,
                         double[] b, int bOff, int bRow, int bCol,
                         double[] c, int cOff, int ldc, boolean accumulate) {
        WorkerPool pool = WorkerPool.global();
        long work = (long) m * n * k;
        int parts = (int) Math.min(pool.threads(), Math.max(1, work / MIN_WORK_PER_THREAD));
        int mPanels = (m + MR - 1) / MR;
        int nPanels = (n + NR - 1) / NR;
        // Splitting rows makes every thread pack all of B (k*n), splitting columns all of A
        // (m*k): split rows unless there are too few row panels to go round.
        boolean splitRows = mPanels >= 2 * parts || mPanels >= nPanels;
        int panels = splitRows ? mPanels : nPanels;
        parts = Math.min(parts, panels);
        if (parts <= 1) {
            block(0, m, 0, n, k, alpha, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
            return;
        }
        final int p = parts;
        final int step = splitRows ? MR : NR;
        pool.parallelFor(p, (from, to) -> {
            for (int t = from; t < to; t++) {
                int lo = (int) ((long) panels * t / p) * step;
                int hi = (int) Math.min((long) panels * (t + 1) / p * step, splitRows ? m : n);
                if (lo >= hi) continue;
                if (splitRows) {
                    block(lo, hi, 0, n, k, alpha, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
                } else {
                    block(0, m, lo, hi, k, alpha, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
                }
            }
        });
    }

    /** {@link #multiply} on the calling thread only. */
    static void multiplyOnThisThread(int m, int k, int n, double alpha,
                                     double[] a, int aOff, int aRow, int aCol,
                                     double[] b, int bOff, int bRow, int bCol,
                                     double[] c, int cOff, int ldc, boolean accumulate) {
        block(0, m, 0, n, k, alpha, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
    }

    /**
     * {@code C[m, n] += A B} on the calling thread, with A row-major (element (i, p) at
     * {@code a[aOff + i*lda + p]}, read in place by {@link #rowsTile}), B(p, j) at
     * {@code b[bOff + p*ldb + j]} and k at most {@link #KC}. All of B is packed before C is
     * written, so B may be rows of C itself: they are read before the update.
     */
    static void multiplyRows(int m, int k, int n, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                             double[] c, int cOff, int ldc) {
        if (k > KC) throw new IllegalArgumentException("multiplyRows: depth " + k + " exceeds KC = " + KC);
        Workspace ws = WORKSPACE.get();
        double[] bPack = ws.bPack(k * roundUp(n, NR));
        packB(b, bOff, ldb, 1, k, n, 1, bPack);
        for (int ic = 0; ic < m; ic += MC) {
            rowsTile(Math.min(MC, m - ic), n, k, a, aOff + ic * lda, lda, bPack, c, cOff + ic * ldc, ldc, true, ws);
        }
    }

    /** One thread's share: rows [i0, i1) and columns [j0, j1) of C, the full depth k. */
    private static void block(int i0, int i1, int j0, int j1, int k, double alpha,
                              double[] a, int aOff, int aRow, int aCol,
                              double[] b, int bOff, int bRow, int bCol,
                              double[] c, int cOff, int ldc, boolean accumulate) {
        Workspace ws = WORKSPACE.get();
        int nc = j1 - j0;
        int kcMax = Math.min(KC, k);
        double[] bPack = ws.bPack(kcMax * roundUp(nc, NR));
        double[] aPack = ws.aPack(kcMax * roundUp(Math.min(MC, i1 - i0), MR));
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            packB(b, bOff + pc * bRow + j0 * bCol, bRow, bCol, kc, nc, alpha, bPack);
            boolean add = accumulate || pc > 0;
            for (int ic = i0; ic < i1; ic += MC) {
                int mc = Math.min(MC, i1 - ic);
                if (aCol == 1 && nc <= THIN_COLUMNS) {
                    rowsTile(mc, nc, kc, a, aOff + ic * aRow + pc, aRow, bPack, c, cOff + ic * ldc + j0, ldc, add, ws);
                } else {
                    packA(a, aOff + ic * aRow + pc * aCol, aRow, aCol, mc, kc, aPack);
                    macroTile(mc, nc, kc, aPack, 0, bPack, c, cOff + ic * ldc + j0, ldc, add, ws.tile);
                }
            }
        }
    }

    /** All register tiles of one packed (mc x kc) x (kc x nc) block product (A's panels from {@code aPack[aOff]}). */
    private static void macroTile(int mc, int nc, int kc, double[] aPack, int aOff, double[] bPack,
                                  double[] c, int cOff, int ldc, boolean add, double[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int cTile = cOff + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    kernel(kc, aPack, aOff + ir * kc, bPack, jr * kc, c, cTile, ldc, add);
                } else {
                    kernel(kc, aPack, aOff + ir * kc, bPack, jr * kc, tile, 0, NR, false);
                    mergeEdge(tile, mr, nr, c, cTile, ldc, add);
                }
            }
        }
    }

    /**
     * {@link #macroTile} with a row-major A (element (i, p) at {@code a[aOff + i*lda + p]}) read
     * in place: full row panels go through {@link #kernelRows}, a ragged last one is packed
     * (zero-padded) alone. For products at most {@link #THIN_COLUMNS} wide, packing A would cost
     * about as much as the product itself.
     */
    private static void rowsTile(int mc, int nc, int kc, double[] a, int aOff, int lda, double[] bPack,
                                 double[] c, int cOff, int ldc, boolean add, Workspace ws) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int cTile = cOff + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    kernelRows(kc, a, aOff + ir * lda, lda, bPack, jr * kc, c, cTile, ldc, add);
                } else if (mr == MR) {
                    kernelRows(kc, a, aOff + ir * lda, lda, bPack, jr * kc, ws.tile, 0, NR, false);
                    mergeEdge(ws.tile, mr, nr, c, cTile, ldc, add);
                } else {
                    double[] aPanel = ws.aPack(MR * kc);
                    packA(a, aOff + ir * lda, lda, 1, mr, kc, aPanel);
                    kernel(kc, aPanel, 0, bPack, jr * kc, ws.tile, 0, NR, false);
                    mergeEdge(ws.tile, mr, nr, c, cTile, ldc, add);
                }
            }
        }
    }

    /** Copies (or adds) the valid mr x nr corner of a scratch tile into C. */
    private static void mergeEdge(double[] tile, int mr, int nr, double[] c, int cOff, int ldc, boolean add) {
        for (int r = 0; r < mr; r++) {
            int t = r * NR;
            int o = cOff + r * ldc;
            if (add) {
                for (int j = 0; j < nr; j++) c[o + j] += tile[t + j];
            } else {
                System.arraycopy(tile, t, c, o, nr);
            }
        }
    }

    /**
     * Packs alpha B[0:kc, 0:nc] (element (p, j) at {@code b[off + p*rs + j*cs]}) into NR-wide
     * panels: panel q holds, for each p, the NR values of columns q*NR.., zero-padded past nc.
     */
    private static void packB(double[] b, int off, int rs, int cs, int kc, int nc, double alpha, double[] dst) {
        boolean scale = alpha != 1;
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int nr = Math.min(NR, nc - j0);
            int d = j0 * kc;
            int src = off + j0 * cs;
            if (cs == 1 && nr == NR && !scale) {
                for (int p = 0; p < kc; p++) {
                    for (int v = 0; v < NR; v += L) DoubleVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                    src += rs;
                    d += NR;
                }
            } else if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    for (int j = 0; j < nr; j++) dst[d + j] = alpha * b[src + j];
                    for (int j = nr; j < NR; j++) dst[d + j] = 0;
                    src += rs;
                    d += NR;
                }
            } else {
                // Column-major source (a transposed B): eight columns at a time when they are
                // contiguous, so each packed row gets eight values from eight sequential streams.
                int j = 0;
                if (rs == 1 && !scale) {
                    for (; j + 8 <= nr; j += 8) {
                        int s0 = src + j * cs;
                        int s1 = s0 + cs, s2 = s1 + cs, s3 = s2 + cs, s4 = s3 + cs, s5 = s4 + cs, s6 = s5 + cs, s7 = s6 + cs;
                        for (int p = 0, o = d + j; p < kc; p++, o += NR) {
                            dst[o] = b[s0 + p];
                            dst[o + 1] = b[s1 + p];
                            dst[o + 2] = b[s2 + p];
                            dst[o + 3] = b[s3 + p];
                            dst[o + 4] = b[s4 + p];
                            dst[o + 5] = b[s5 + p];
                            dst[o + 6] = b[s6 + p];
                            dst[o + 7] = b[s7 + p];
                        }
                    }
                }
                for (; j < nr; j++) {
                    int s = src + j * cs;
                    for (int p = 0; p < kc; p++) dst[d + p * NR + j] = alpha * b[s + p * rs];
                }
                for (j = nr; j < NR; j++) {
                    for (int p = 0; p < kc; p++) dst[d + p * NR + j] = 0;
                }
            }
        }
    }

    /**
     * Packs A[0:mc, 0:kc] (element (i, p) at {@code a[off + i*rs + p*cs]}) into MR-tall panels:
     * panel q holds, for each p, the MR values of rows q*MR.., zero-padded past mc.
     */
    private static void packA(double[] a, int off, int rs, int cs, int mc, int kc, double[] dst) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int mr = Math.min(MR, mc - i0);
            int d = i0 * kc;
            int src = off + i0 * rs;
            if (rs == 1 && mr == MR) {
                // Column-major source (a transposed A): each step p is MR contiguous values.
                for (int p = 0; p < kc; p++) System.arraycopy(a, src + p * cs, dst, d + p * MR, MR);
            } else if (cs == 1 && mr == MR && MR == 8) {
                // Row-major source: eight sequential read streams, one contiguous write.
                int s0 = src;
                int s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs, s4 = s3 + rs, s5 = s4 + rs, s6 = s5 + rs, s7 = s6 + rs;
                for (int p = 0, o = d; p < kc; p++, o += MR) {
                    dst[o] = a[s0 + p];
                    dst[o + 1] = a[s1 + p];
                    dst[o + 2] = a[s2 + p];
                    dst[o + 3] = a[s3 + p];
                    dst[o + 4] = a[s4 + p];
                    dst[o + 5] = a[s5 + p];
                    dst[o + 6] = a[s6 + p];
                    dst[o + 7] = a[s7 + p];
                }
            } else {
                for (int r = 0; r < mr; r++) {
                    int s = src + r * rs;
                    for (int p = 0; p < kc; p++) dst[d + p * MR + r] = a[s + p * cs];
                }
                for (int r = mr; r < MR; r++) {
                    for (int p = 0; p < kc; p++) dst[d + p * MR + r] = 0;
                }
            }
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /**
     * The MR x NR register tile: each packed step p broadcasts MR values of A against NV vectors
     * of B. Written out by hand (no helper taking vectors, no reassigned vector variables) so C2
     * keeps every accumulator in a register instead of boxing it.
     */
    private static void kernel(int kc, double[] ap, int apOff, double[] bp, int bpOff,
                               double[] c, int cOff, int ldc, boolean add) {
        DoubleVector c0a = DoubleVector.zero(S), c0b = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S), c1b = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S), c2b = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S), c3b = DoubleVector.zero(S);
        DoubleVector c4a = DoubleVector.zero(S), c4b = DoubleVector.zero(S);
        DoubleVector c5a = DoubleVector.zero(S), c5b = DoubleVector.zero(S);
        DoubleVector c6a = DoubleVector.zero(S), c6b = DoubleVector.zero(S);
        DoubleVector c7a = DoubleVector.zero(S), c7b = DoubleVector.zero(S);
        int ai = apOff;
        int bi = bpOff;
        for (int p = 0; p < kc; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
            DoubleVector a0 = DoubleVector.broadcast(S, ap[ai + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            DoubleVector a1 = DoubleVector.broadcast(S, ap[ai + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            DoubleVector a2 = DoubleVector.broadcast(S, ap[ai + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            DoubleVector a3 = DoubleVector.broadcast(S, ap[ai + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            DoubleVector a4 = DoubleVector.broadcast(S, ap[ai + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            DoubleVector a5 = DoubleVector.broadcast(S, ap[ai + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            DoubleVector a6 = DoubleVector.broadcast(S, ap[ai + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            DoubleVector a7 = DoubleVector.broadcast(S, ap[ai + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            ai += MR;
            bi += NR;
        }
        int o0 = cOff;
        int o1 = cOff + ldc;
        int o2 = cOff + 2 * ldc;
        int o3 = cOff + 3 * ldc;
        int o4 = cOff + 4 * ldc;
        int o5 = cOff + 5 * ldc;
        int o6 = cOff + 6 * ldc;
        int o7 = cOff + 7 * ldc;
        if (add) {
            c0a.add(DoubleVector.fromArray(S, c, o0)).intoArray(c, o0);
            c0b.add(DoubleVector.fromArray(S, c, o0 + L)).intoArray(c, o0 + L);
            c1a.add(DoubleVector.fromArray(S, c, o1)).intoArray(c, o1);
            c1b.add(DoubleVector.fromArray(S, c, o1 + L)).intoArray(c, o1 + L);
            c2a.add(DoubleVector.fromArray(S, c, o2)).intoArray(c, o2);
            c2b.add(DoubleVector.fromArray(S, c, o2 + L)).intoArray(c, o2 + L);
            c3a.add(DoubleVector.fromArray(S, c, o3)).intoArray(c, o3);
            c3b.add(DoubleVector.fromArray(S, c, o3 + L)).intoArray(c, o3 + L);
            c4a.add(DoubleVector.fromArray(S, c, o4)).intoArray(c, o4);
            c4b.add(DoubleVector.fromArray(S, c, o4 + L)).intoArray(c, o4 + L);
            c5a.add(DoubleVector.fromArray(S, c, o5)).intoArray(c, o5);
            c5b.add(DoubleVector.fromArray(S, c, o5 + L)).intoArray(c, o5 + L);
            c6a.add(DoubleVector.fromArray(S, c, o6)).intoArray(c, o6);
            c6b.add(DoubleVector.fromArray(S, c, o6 + L)).intoArray(c, o6 + L);
            c7a.add(DoubleVector.fromArray(S, c, o7)).intoArray(c, o7);
            c7b.add(DoubleVector.fromArray(S, c, o7 + L)).intoArray(c, o7 + L);
        } else {
            c0a.intoArray(c, o0);
            c0b.intoArray(c, o0 + L);
            c1a.intoArray(c, o1);
            c1b.intoArray(c, o1 + L);
            c2a.intoArray(c, o2);
            c2b.intoArray(c, o2 + L);
            c3a.intoArray(c, o3);
            c3b.intoArray(c, o3 + L);
            c4a.intoArray(c, o4);
            c4b.intoArray(c, o4 + L);
            c5a.intoArray(c, o5);
            c5b.intoArray(c, o5 + L);
            c6a.intoArray(c, o6);
            c6b.intoArray(c, o6 + L);
            c7a.intoArray(c, o7);
            c7b.intoArray(c, o7 + L);
        }
    }

    /**
     * {@link #kernel} with A read in place: row r of the tile is {@code a[aOff + r*lda + p]}, p < kc
     * (eight sequential streams instead of one packed one).
     */
    private static void kernelRows(int kc, double[] a, int aOff, int lda, double[] bp, int bpOff,
                                   double[] c, int cOff, int ldc, boolean add) {
        DoubleVector c0a = DoubleVector.zero(S), c0b = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S), c1b = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S), c2b = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S), c3b = DoubleVector.zero(S);
        DoubleVector c4a = DoubleVector.zero(S), c4b = DoubleVector.zero(S);
        DoubleVector c5a = DoubleVector.zero(S), c5b = DoubleVector.zero(S);
        DoubleVector c6a = DoubleVector.zero(S), c6b = DoubleVector.zero(S);
        DoubleVector c7a = DoubleVector.zero(S), c7b = DoubleVector.zero(S);
        int a0i = aOff;
        int a1i = aOff + lda;
        int a2i = aOff + 2 * lda;
        int a3i = aOff + 3 * lda;
        int a4i = aOff + 4 * lda;
        int a5i = aOff + 5 * lda;
        int a6i = aOff + 6 * lda;
        int a7i = aOff + 7 * lda;
        int bi = bpOff;
        for (int p = 0; p < kc; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
            DoubleVector a0 = DoubleVector.broadcast(S, a[a0i + p]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            DoubleVector a1 = DoubleVector.broadcast(S, a[a1i + p]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            DoubleVector a2 = DoubleVector.broadcast(S, a[a2i + p]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            DoubleVector a3 = DoubleVector.broadcast(S, a[a3i + p]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            DoubleVector a4 = DoubleVector.broadcast(S, a[a4i + p]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            DoubleVector a5 = DoubleVector.broadcast(S, a[a5i + p]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            DoubleVector a6 = DoubleVector.broadcast(S, a[a6i + p]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            DoubleVector a7 = DoubleVector.broadcast(S, a[a7i + p]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            bi += NR;
        }
        int o0 = cOff;
        int o1 = cOff + ldc;
        int o2 = cOff + 2 * ldc;
        int o3 = cOff + 3 * ldc;
        int o4 = cOff + 4 * ldc;
        int o5 = cOff + 5 * ldc;
        int o6 = cOff + 6 * ldc;
        int o7 = cOff + 7 * ldc;
        if (add) {
            c0a.add(DoubleVector.fromArray(S, c, o0)).intoArray(c, o0);
            c0b.add(DoubleVector.fromArray(S, c, o0 + L)).intoArray(c, o0 + L);
            c1a.add(DoubleVector.fromArray(S, c, o1)).intoArray(c, o1);
            c1b.add(DoubleVector.fromArray(S, c, o1 + L)).intoArray(c, o1 + L);
            c2a.add(DoubleVector.fromArray(S, c, o2)).intoArray(c, o2);
            c2b.add(DoubleVector.fromArray(S, c, o2 + L)).intoArray(c, o2 + L);
            c3a.add(DoubleVector.fromArray(S, c, o3)).intoArray(c, o3);
            c3b.add(DoubleVector.fromArray(S, c, o3 + L)).intoArray(c, o3 + L);
            c4a.add(DoubleVector.fromArray(S, c, o4)).intoArray(c, o4);
            c4b.add(DoubleVector.fromArray(S, c, o4 + L)).intoArray(c, o4 + L);
            c5a.add(DoubleVector.fromArray(S, c, o5)).intoArray(c, o5);
            c5b.add(DoubleVector.fromArray(S, c, o5 + L)).intoArray(c, o5 + L);
            c6a.add(DoubleVector.fromArray(S, c, o6)).intoArray(c, o6);
            c6b.add(DoubleVector.fromArray(S, c, o6 + L)).intoArray(c, o6 + L);
            c7a.add(DoubleVector.fromArray(S, c, o7)).intoArray(c, o7);
            c7b.add(DoubleVector.fromArray(S, c, o7 + L)).intoArray(c, o7 + L);
        } else {
            c0a.intoArray(c, o0);
            c0b.intoArray(c, o0 + L);
            c1a.intoArray(c, o1);
            c1b.intoArray(c, o1 + L);
            c2a.intoArray(c, o2);
            c2b.intoArray(c, o2 + L);
            c3a.intoArray(c, o3);
            c3b.intoArray(c, o3 + L);
            c4a.intoArray(c, o4);
            c4b.intoArray(c, o4 + L);
            c5a.intoArray(c, o5);
            c5b.intoArray(c, o5 + L);
            c6a.intoArray(c, o6);
            c6b.intoArray(c, o6 + L);
            c7a.intoArray(c, o7);
            c7b.intoArray(c, o7 + L);
        }
    }
}
