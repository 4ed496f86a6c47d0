package org.intervene4j.train;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/** Vectorized twins of the {@link DoubleMatrices} kernels (same arguments and results up to rounding). */
final class DoubleVectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private DoubleVectorKernels() {}

    /** The narrowest B for which {@link #multiplyRows} pays off: one 2-vector strip. */
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
     * {@code y[yo + j] -= sum_{t < 4} coef[co + t] * p[po + t * width + j]} for j in [0, width):
     * four rows of p per pass over y.
     */
    static void subtract4(double[] coef, int co, double[] p, int po, int width, double[] y, int yo) {
        int bound = S.loopBound(width);
        double m0 = coef[co];
        double m1 = coef[co + 1];
        double m2 = coef[co + 2];
        double m3 = coef[co + 3];
        int r0 = po;
        int r1 = r0 + width;
        int r2 = r1 + width;
        int r3 = r2 + width;
        DoubleVector v0 = DoubleVector.broadcast(S, -m0);
        DoubleVector v1 = DoubleVector.broadcast(S, -m1);
        DoubleVector v2 = DoubleVector.broadcast(S, -m2);
        DoubleVector v3 = DoubleVector.broadcast(S, -m3);
        int j = 0;
        for (; j < bound; j += L) {
            DoubleVector acc = DoubleVector.fromArray(S, y, yo + j);
            acc = DoubleVector.fromArray(S, p, r0 + j).fma(v0, acc);
            acc = DoubleVector.fromArray(S, p, r1 + j).fma(v1, acc);
            acc = DoubleVector.fromArray(S, p, r2 + j).fma(v2, acc);
            acc = DoubleVector.fromArray(S, p, r3 + j).fma(v3, acc);
            acc.intoArray(y, yo + j);
        }
        for (; j < width; j++) {
            double s = y[yo + j];
            s = Math.fma(-m0, p[r0 + j], s);
            s = Math.fma(-m1, p[r1 + j], s);
            s = Math.fma(-m2, p[r2 + j], s);
            y[yo + j] = Math.fma(-m3, p[r3 + j], s);
        }
    }

    /**
     * Rows [from, to) of C by a 4-row x 2-vector register-blocked kernel over depth tiles;
     * columns past the last full 2-vector strip go through the scalar kernel.
     */
    static void multiplyRows(double[] a, double[] b, double[] c, int k, int n, int from, int to, int depthTile) {
        int strip = 2 * L;
        int jVec = n - n % strip;
        for (int p0 = 0; p0 < k; p0 += depthTile) {
            int p1 = Math.min(k, p0 + depthTile);
            for (int j = 0; j < jVec; j += strip) {
                int i = from;
                for (; i + 4 <= to; i += 4) kernel4(a, b, c, k, n, i, j, p0, p1);
                for (; i < to; i++) kernel1(a, b, c, k, n, i, j, p0, p1);
            }
        }
        if (jVec < n) DoubleMatrices.multiplyRowsScalar(a, b, c, k, n, from, to, jVec);
    }

    /** C[i..i+3][j..j+2L) += A[i..i+3][p0..p1) B[p0..p1)[j..j+2L). */
    private static void kernel4(double[] a, double[] b, double[] c, int k, int n, int i, int j, int p0, int p1) {
        int c0 = i * n + j;
        int c1 = c0 + n;
        int c2 = c1 + n;
        int c3 = c2 + n;
        DoubleVector x00 = DoubleVector.fromArray(S, c, c0);
        DoubleVector x01 = DoubleVector.fromArray(S, c, c0 + L);
        DoubleVector x10 = DoubleVector.fromArray(S, c, c1);
        DoubleVector x11 = DoubleVector.fromArray(S, c, c1 + L);
        DoubleVector x20 = DoubleVector.fromArray(S, c, c2);
        DoubleVector x21 = DoubleVector.fromArray(S, c, c2 + L);
        DoubleVector x30 = DoubleVector.fromArray(S, c, c3);
        DoubleVector x31 = DoubleVector.fromArray(S, c, c3 + L);
        int a0 = i * k;
        for (int p = p0; p < p1; p++) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, p * n + j);
            DoubleVector b1 = DoubleVector.fromArray(S, b, p * n + j + L);
            DoubleVector v = DoubleVector.broadcast(S, a[a0 + p]);
            x00 = b0.fma(v, x00);
            x01 = b1.fma(v, x01);
            v = DoubleVector.broadcast(S, a[a0 + k + p]);
            x10 = b0.fma(v, x10);
            x11 = b1.fma(v, x11);
            v = DoubleVector.broadcast(S, a[a0 + 2 * k + p]);
            x20 = b0.fma(v, x20);
            x21 = b1.fma(v, x21);
            v = DoubleVector.broadcast(S, a[a0 + 3 * k + p]);
            x30 = b0.fma(v, x30);
            x31 = b1.fma(v, x31);
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
    private static void kernel1(double[] a, double[] b, double[] c, int k, int n, int i, int j, int p0, int p1) {
        int c0 = i * n + j;
        DoubleVector x0 = DoubleVector.fromArray(S, c, c0);
        DoubleVector x1 = DoubleVector.fromArray(S, c, c0 + L);
        for (int p = p0; p < p1; p++) {
            DoubleVector v = DoubleVector.broadcast(S, a[i * k + p]);
            x0 = DoubleVector.fromArray(S, b, p * n + j).fma(v, x0);
            x1 = DoubleVector.fromArray(S, b, p * n + j + L).fma(v, x1);
        }
        x0.intoArray(c, c0);
        x1.intoArray(c, c0 + L);
    }
}
