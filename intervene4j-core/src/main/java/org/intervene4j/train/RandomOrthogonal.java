package org.intervene4j.train;

import java.util.Random;
import org.intervene4j.engine.Tensor;

/**
 * Random orthogonal matrices distributed uniformly (Haar measure): the Q factor of a Gaussian
 * matrix's Householder QR, computed in float64, with Q's columns signed so that R has a
 * positive diagonal (without that fix Q would not be uniformly distributed).
 */
public final class RandomOrthogonal {
    private RandomOrthogonal() {}

    /** A random {@code [n, n]} orthogonal matrix, outside any arena. */
    public static Tensor sample(Random rng, int n) {
        return sample(rng, n, n);
    }

    /** The first {@code cols} columns of a random {@code [n, n]} orthogonal matrix: {@code [n, cols]}, orthonormal columns. */
    public static Tensor sample(Random rng, int n, int cols) {
        if (n < 1 || cols < 1 || cols > n) {
            throw new IllegalArgumentException("RandomOrthogonal.sample: need 1 <= cols <= n, got n=" + n + ", cols=" + cols);
        }
        double[] q = sampleDouble(rng, n);
        Tensor t = Tensor.zerosPersistent(n, cols);
        float[] out = t.data();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < cols; j++) out[i * cols + j] = (float) q[i * n + j];
        }
        return t;
    }

    /** A random {@code [n, n]} orthogonal matrix in float64, row-major. */
    static double[] sampleDouble(Random rng, int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        return householderQ(a, n);
    }

    /**
     * The orthogonal factor Q of {@code a = Q R} (a is overwritten), with the sign of each column
     * chosen so that diag(R) > 0.
     */
    static double[] householderQ(double[] a, int n) {
        double[][] vs = new double[n][];
        double[] sign = new double[n];
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            int len = n - k;
            double norm = 0;
            for (int i = k; i < n; i++) norm += a[i * n + k] * a[i * n + k];
            norm = Math.sqrt(norm);
            double x0 = a[k * n + k];
            // R[k][k] = alpha; alpha takes the sign opposite to x0 to avoid cancellation in v.
            double alpha = x0 >= 0 ? -norm : norm;
            sign[k] = alpha >= 0 ? 1 : -1;
            double[] v = new double[len];
            for (int i = 0; i < len; i++) v[i] = a[(k + i) * n + k];
            v[0] -= alpha;
            double vNorm = 0;
            for (double x : v) vNorm += x * x;
            vNorm = Math.sqrt(vNorm);
            if (vNorm == 0) {
                vs[k] = null;  // column already reduced: H = I
                continue;
            }
            for (int i = 0; i < len; i++) v[i] /= vNorm;
            vs[k] = v;
            reflectRows(a, n, k, v, w);
        }
        double[] q = new double[n * n];
        for (int i = 0; i < n; i++) q[i * n + i] = 1;
        for (int k = n - 1; k >= 0; k--) {
            if (vs[k] != null) reflectRows(q, n, k, vs[k], w);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) q[i * n + j] *= sign[j];
        }
        return q;
    }

    /**
     * Applies H = I - 2 v v^T to rows k.. of the row-major {@code [n, n]} matrix m, columns k..
     * (in both uses the columns left of k are zero in those rows: reduced columns of A, and the
     * identity part of Q while it is accumulated from the last reflection back).
     */
    private static void reflectRows(double[] m, int n, int k, double[] v, double[] w) {
        int len = n - k;
        java.util.Arrays.fill(w, 0, len, 0);
        for (int i = 0; i < v.length; i++) DoubleMatrices.axpy(v[i], m, (k + i) * n + k, w, 0, len);
        for (int i = 0; i < v.length; i++) DoubleMatrices.axpy(-2 * v[i], w, 0, m, (k + i) * n + k, len);
    }
}
