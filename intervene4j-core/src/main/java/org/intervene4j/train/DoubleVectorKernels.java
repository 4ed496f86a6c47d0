package org.intervene4j.train;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/** Vectorized twins of the {@link DoubleMatrices} kernels (same arguments and results up to rounding). */
final class DoubleVectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private DoubleVectorKernels() {}

    /** The narrowest B for which {@link #gemmRows} pays off: one 2-vector strip. */
    static int minColumns() {
        return 2 * L;
    }

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
     * Rows [from, to) of {@link DoubleMatrices#gemm} by a 4-row x 2-vector register-blocked
     * kernel over depth tiles; columns past the last full 2-vector strip go through the scalar
     * kernel.
     */
    static void gemmRows(int k, int n, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                         double[] c, int cOff, int ldc, int from, int to, int depthTile) {
        int strip = 2 * L;
        int jVec = n - n % strip;
        for (int p0 = 0; p0 < k; p0 += depthTile) {
            int p1 = Math.min(k, p0 + depthTile);
            for (int j = 0; j < jVec; j += strip) {
                int i = from;
                for (; i + 4 <= to; i += 4) {
                    kernel4(a, aOff + i * lda, lda, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, p0, p1);
                }
                for (; i < to; i++) kernel1(a, aOff + i * lda, b, bOff + j, ldb, c, cOff + i * ldc + j, p0, p1);
            }
        }
        if (jVec < n) DoubleMatrices.gemmRowsScalar(k, n, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, from, to, jVec);
    }

    /** Four rows of C (from c0, stride ldc) x 2 vectors += A rows (from a0, stride lda) [p0, p1) x B strip (from b0). */
    private static void kernel4(double[] a, int a0, int lda, double[] b, int b0, int ldb, double[] c, int c0, int ldc,
                                int p0, int p1) {
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        DoubleVector x00 = DoubleVector.fromArray(S, c, c0);
        DoubleVector x01 = DoubleVector.fromArray(S, c, c0 + L);
        DoubleVector x10 = DoubleVector.fromArray(S, c, c1);
        DoubleVector x11 = DoubleVector.fromArray(S, c, c1 + L);
        DoubleVector x20 = DoubleVector.fromArray(S, c, c2);
        DoubleVector x21 = DoubleVector.fromArray(S, c, c2 + L);
        DoubleVector x30 = DoubleVector.fromArray(S, c, c3);
        DoubleVector x31 = DoubleVector.fromArray(S, c, c3 + L);
        for (int p = p0; p < p1; p++) {
            int bp = b0 + p * ldb;
            DoubleVector v0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector v1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector s = DoubleVector.broadcast(S, a[a0 + p]);
            x00 = v0.fma(s, x00);
            x01 = v1.fma(s, x01);
            s = DoubleVector.broadcast(S, a[a0 + lda + p]);
            x10 = v0.fma(s, x10);
            x11 = v1.fma(s, x11);
            s = DoubleVector.broadcast(S, a[a0 + 2 * lda + p]);
            x20 = v0.fma(s, x20);
            x21 = v1.fma(s, x21);
            s = DoubleVector.broadcast(S, a[a0 + 3 * lda + p]);
            x30 = v0.fma(s, x30);
            x31 = v1.fma(s, x31);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + L);
        x10.intoArray(c, c1);
        x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2);
        x21.intoArray(c, c2 + L);
        x30.intoArray(c, c3);
        x31.intoArray(c, c3 + L);
    }

    /** One-row version of {@link #kernel4}. */
    private static void kernel1(double[] a, int a0, double[] b, int b0, int ldb, double[] c, int c0, int p0, int p1) {
        DoubleVector x0 = DoubleVector.fromArray(S, c, c0);
        DoubleVector x1 = DoubleVector.fromArray(S, c, c0 + L);
        for (int p = p0; p < p1; p++) {
            DoubleVector s = DoubleVector.broadcast(S, a[a0 + p]);
            x0 = DoubleVector.fromArray(S, b, b0 + p * ldb).fma(s, x0);
            x1 = DoubleVector.fromArray(S, b, b0 + p * ldb + L).fma(s, x1);
        }
        x0.intoArray(c, c0);
        x1.intoArray(c, c0 + L);
    }
}
