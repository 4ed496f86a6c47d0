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

    /** Vectorized {@link DoubleMatrices#eliminateRowsScalar} (same arguments and results). */
    static int eliminateRows(double[] x, int d, int from, int k, int k0, int kb, double inv, boolean searchNext) {
        int bound = S.loopBound(kb);
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
                DoubleVector nm = DoubleVector.broadcast(S, -m);
                int j = 0;
                for (; j < bound; j += L) {
                    DoubleVector.fromArray(S, x, pr + j).fma(nm, DoubleVector.fromArray(S, x, ri + j)).intoArray(x, ri + j);
                }
                for (; j < kb; j++) x[ri + j] = Math.fma(-m, x[pr + j], x[ri + j]);
                // stored after the vector store (a scalar store just before a vector load of the
                // same bytes would stall store forwarding)
                x[i * d + k] = -m * inv;
            }
            if (searchNext && i > k) {
                // x[i][k+1] after the update, from values loaded before it (reading it back
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
}
