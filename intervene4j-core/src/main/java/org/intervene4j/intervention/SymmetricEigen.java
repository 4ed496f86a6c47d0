package org.intervene4j.intervention;

/**
 * Eigen-decomposition of a real symmetric matrix in float64 by cyclic Jacobi rotations: each
 * rotation zeroes one off-diagonal pair, sweeps repeat until the off-diagonal mass is
 * negligible. O(n^3) per sweep, typically 6-10 sweeps: fine up to n ~ 1000.
 */
final class SymmetricEigen {
    /** Eigenvalues in decreasing order and the matching unit eigenvectors as rows {@code [n, n]}. */
    record Result(double[] values, double[] vectors, int n) {
        /** Component j of eigenvector k. */
        double vector(int k, int j) {
            return vectors[k * n + j];
        }
    }

    private SymmetricEigen() {}

    /** @param a a symmetric {@code [n, n]} matrix, row-major (not modified) */
    static Result decompose(double[] a, int n) {
        double[] m = a.clone();
        double[] v = new double[n * n]; // columns are the eigenvectors
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        double total = 0;
        for (double x : m) total += x * x;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
            }
            if (off <= 1e-30 * total || off == 0) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) rotate(m, v, n, p, q);
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(m[y * n + y], m[x * n + x]));
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int k = 0; k < n; k++) {
            int c = order[k];
            values[k] = m[c * n + c];
            // sign: the largest-magnitude component positive, so results are deterministic
            int big = 0;
            for (int j = 1; j < n; j++) if (Math.abs(v[j * n + c]) > Math.abs(v[big * n + c])) big = j;
            double sign = v[big * n + c] < 0 ? -1 : 1;
            for (int j = 0; j < n; j++) vectors[k * n + j] = sign * v[j * n + c];
        }
        return new Result(values, vectors, n);
    }

    /** One Jacobi rotation J in the (p, q) plane chosen so that (J^T M J)[p][q] = 0; V <- V J. */
    private static void rotate(double[] m, double[] v, int n, int p, int q) {
        double apq = m[p * n + q];
        if (apq == 0) return;
        double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) t = 1;
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < n; k++) { // columns p, q of M J
            double kp = m[k * n + p];
            double kq = m[k * n + q];
            m[k * n + p] = c * kp - s * kq;
            m[k * n + q] = s * kp + c * kq;
        }
        for (int k = 0; k < n; k++) { // rows p, q of J^T (M J)
            double pk = m[p * n + k];
            double qk = m[q * n + k];
            m[p * n + k] = c * pk - s * qk;
            m[q * n + k] = s * pk + c * qk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (int k = 0; k < n; k++) {
            double kp = v[k * n + p];
            double kq = v[k * n + q];
            v[k * n + p] = c * kp - s * kq;
            v[k * n + q] = s * kp + c * kq;
        }
    }
}
