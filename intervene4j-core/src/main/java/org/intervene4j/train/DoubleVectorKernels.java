package org.intervene4j.train;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/** Vectorized twins of the {@link DoubleMatrices} row kernels (the matrix product has its own class, {@link DoubleVectorGemm}). */
final class DoubleVectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private DoubleVectorKernels() {}

    /**
     * {@code y[yo + j] += a * x[xo + j]} for the whole vectors in [0, n).
     *
     * @return the first index left for the caller's scalar tail
     */
    static int axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        int bound = S.loopBound(n);
        DoubleVector av = DoubleVector.broadcast(S, a);
        for (int j = 0; j < bound; j += L) {
            DoubleVector.fromArray(S, x, xo + j).fma(av, DoubleVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
        }
        return bound;
    }

    /**
     * Vectorized {@link DoubleMatrices#eliminatePanelRowsScalar} (same arguments and results).
     * Rows of two vectors (the usual base panel, {@link DoubleMatrices#panelStride} of 16 with
     * 512-bit vectors) take a path that holds the pivot row in registers.
     */
    static int eliminatePanelRows(double[] p, int rows, int ld, int k, double inv, boolean searchNext) {
        if (ld == 2 * L) return eliminatePanelRows2(p, rows, k, inv, searchNext);
        int bound = S.loopBound(ld);
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
                DoubleVector nm = DoubleVector.broadcast(S, -m);
                int j = 0;
                for (; j < bound; j += L) {
                    DoubleVector.fromArray(S, p, pr + j).fma(nm, DoubleVector.fromArray(S, p, ri + j)).intoArray(p, ri + j);
                }
                for (; j < ld; j++) p[ri + j] = Math.fma(-m, p[pr + j], p[ri + j]);
                // stored after the vector store (a scalar store just before a vector load of the
                // same bytes would stall store forwarding)
                p[ri + k] = -m * inv;
            }
            if (searchNext && i > k) {
                // p[i][k+1] after the update, from values loaded before it (reading it back
                // right after a vector store would wait for the store)
                double v = Math.abs(m != 0 ? Math.fma(-m, nextPivot, next) : next);
                if (i == k + 1 || v > best) {
                    best = v;
                    pivot = i;
                }
            }
        }
        return pivot;
    }

    /**
     * {@link #eliminatePanelRows} for rows of exactly two vectors: the pivot row is loaded once
     * (the loop's stores to the same array would otherwise make the JIT reload it every row), and
     * the rows before the pivot, which are not candidates, skip the pivot search.
     */
    private static int eliminatePanelRows2(double[] p, int rows, int k, double inv, boolean searchNext) {
        int ld = 2 * L;
        int pr = k * ld;
        DoubleVector pivot0 = DoubleVector.fromArray(S, p, pr);
        DoubleVector pivot1 = DoubleVector.fromArray(S, p, pr + L);
        for (int i = 0; i < k; i++) {
            int ri = i * ld;
            double m = p[ri + k];
            if (m != 0) {
                DoubleVector nm = DoubleVector.broadcast(S, -m);
                pivot0.fma(nm, DoubleVector.fromArray(S, p, ri)).intoArray(p, ri);
                pivot1.fma(nm, DoubleVector.fromArray(S, p, ri + L)).intoArray(p, ri + L);
                p[ri + k] = -m * inv;
            }
        }
        double nextPivot = searchNext ? p[pr + k + 1] : 0;
        int pivot = -1;
        double best = 0;
        for (int i = k + 1; i < rows; i++) {
            int ri = i * ld;
            double m = p[ri + k];
            double next = searchNext ? p[ri + k + 1] : 0;
            if (m != 0) {
                DoubleVector nm = DoubleVector.broadcast(S, -m);
                pivot0.fma(nm, DoubleVector.fromArray(S, p, ri)).intoArray(p, ri);
                pivot1.fma(nm, DoubleVector.fromArray(S, p, ri + L)).intoArray(p, ri + L);
                p[ri + k] = -m * inv;
            }
            if (searchNext) {
                double v = Math.abs(m != 0 ? Math.fma(-m, nextPivot, next) : next);
                if (i == k + 1 || v > best) {
                    best = v;
                    pivot = i;
                }
            }
        }
        return pivot;
    }
}
