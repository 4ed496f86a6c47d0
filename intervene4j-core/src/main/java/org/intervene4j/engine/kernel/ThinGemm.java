package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for thin products where the packed kernel's 8 x 32 register tile would mostly compute
 * padding: a few rows of A (a decode step, a single query) or a few columns of B (a probe with
 * one output). These are memory-bound, so they stream the operands once, without packing.
 */
final class ThinGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of C per task in {@link #rowsTimesMatrix}: four vector accumulators. */
    private static final int CHUNK = 4 * L;

    private ThinGemm() {}

    /**
     * {@code C (+)= A B} for few rows of A and row-major B ({@code bCol == 1}): each row of C is
     * a sum of B's rows scaled by A's entries, computed CHUNK columns at a time.
     */
    static void rowsTimesMatrix(int m, int n, int k,
                                float[] a, int aOff, int aRow, int aCol,
                                float[] b, int bOff, int bRow,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        WorkerPool.global().parallelFor(chunks, (long) m * k * CHUNK, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                int j0 = ch * CHUNK;
                int width = Math.min(CHUNK, n - j0);
                for (int i = 0; i < m; i++) {
                    int ai = aOff + i * aRow;
                    int ci = cOff + i * ldc + j0;
                    if (width == CHUNK) {
                        fullChunk(k, a, ai, aCol, b, bOff + j0, bRow, c, ci, accumulate);
                    } else {
                        for (int v = 0; v < width; v += L) {
                            maskedVector(k, a, ai, aCol, b, bOff + j0 + v, bRow, c, ci + v,
                                    Math.min(L, width - v), accumulate);
                        }
                    }
                }
            }
        });
    }

    private static void fullChunk(int k, float[] a, int ai, int aCol, float[] b, int bo, int bRow,
                                  float[] c, int ci, boolean accumulate) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aCol]);
            int o = bo + p * bRow;
            s0 = av.fma(FloatVector.fromArray(S, b, o), s0);
            s1 = av.fma(FloatVector.fromArray(S, b, o + L), s1);
            s2 = av.fma(FloatVector.fromArray(S, b, o + 2 * L), s2);
            s3 = av.fma(FloatVector.fromArray(S, b, o + 3 * L), s3);
        }
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

    /** One vector of {@code lanes <= L} columns (the ragged end of a row). */
    private static void maskedVector(int k, float[] a, int ai, int aCol, float[] b, int bo, int bRow,
                                     float[] c, int ci, int lanes, boolean accumulate) {
        VectorMask<Float> mask = S.indexInRange(0, lanes);
        FloatVector s = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            FloatVector av = FloatVector.broadcast(S, a[ai + p * aCol]);
            s = av.fma(FloatVector.fromArray(S, b, bo + p * bRow, mask), s);
        }
        if (accumulate) {
            s.add(FloatVector.fromArray(S, c, ci, mask)).intoArray(c, ci, mask);
        } else {
            s.intoArray(c, ci, mask);
        }
    }

    /**
     * {@code C (+)= A B} as one dot product per element, for A with contiguous rows
     * ({@code aCol == 1}) and B with contiguous columns ({@code bRow == 1}): a few rows against
     * a transposed weight, or many rows against a few (pre-gathered) columns.
     */
    static void dots(int m, int n, int k, float[] a, int aOff, int aRow,
                     float[] b, int bOff, int bCol,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        WorkerPool.global().parallelFor(m * n, k, (from, to) -> {
            for (int t = from; t < to; t++) {
                int i = t / n;
                int j = t - i * n;
                float d = dot(k, a, aOff + i * aRow, b, bOff + j * bCol);
                int o = cOff + i * ldc + j;
                c[o] = accumulate ? c[o] + d : d;
            }
        });
    }

    /** {@code sum_p x[xo + p] * y[yo + p]} with two vector accumulators and a masked tail. */
    static float dot(int k, float[] x, int xo, float[] y, int yo) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int p = 0;
        for (; p + 2 * L <= k; p += 2 * L) {
            s0 = FloatVector.fromArray(S, x, xo + p).fma(FloatVector.fromArray(S, y, yo + p), s0);
            s1 = FloatVector.fromArray(S, x, xo + p + L).fma(FloatVector.fromArray(S, y, yo + p + L), s1);
        }
        for (; p < k; p += L) {
            VectorMask<Float> mask = S.indexInRange(p, k);
            s0 = FloatVector.fromArray(S, x, xo + p, mask).fma(FloatVector.fromArray(S, y, yo + p, mask), s0);
        }
        return LaneSum.of(s0.add(s1));
    }
}
