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
        double[] vt = new double[n * n]; // rows are the eigenvectors (V transposed, so updates run along rows)
        for (int i = 0; i < n; i++) vt[i * n + i] = 1;
        double total = 0;
        for (double x : m) total += x * x;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
            }
            if (off <= 1e-30 * total || off == 0) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) rotate(m, vt, n, p, q);
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
            for (int j = 1; j < n; j++) if (Math.abs(vt[c * n + j]) > Math.abs(vt[c * n + big])) big = j;
            double sign = vt[c * n + big] < 0 ? -1 : 1;
            for (int j = 0; j < n; j++) vectors[k * n + j] = sign * vt[c * n + j];
        }
        return new Result(values, vectors, n);
    }

    /**
     * One Jacobi rotation J in the (p, q) plane ({@code J_pp = J_qq = c, J_pq = s, J_qp = -s})
     * chosen so that {@code (J^T M J)[p][q] = 0}; {@code V <- V J}. M stays symmetric, so only
     * rows p and q are computed and mirrored into columns p and q.
     */
    private static void rotate(double[] m, double[] vt, int n, int p, int q) {
        double apq = m[p * n + q];
        if (apq == 0) return;
        double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        // t = tan of the angle: the smaller root of t^2 + 2 t theta - 1 = 0
        double t = theta == 0 ? 1 : Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int rp = p * n;
        int rq = q * n;
        for (int k = 0; k < n; k++) {
            if (k == p || k == q) continue;
            double pk = m[rp + k];
            double qk = m[rq + k];
            double np = c * pk - s * qk;
            double nq = s * pk + c * qk;
            m[rp + k] = np;
            m[rq + k] = nq;
            m[k * n + p] = np;
            m[k * n + q] = nq;
        }
        m[rp + p] -= t * apq;
        m[rq + q] += t * apq;
        m[rp + q] = 0;
        m[rq + p] = 0;
        for (int k = 0; k < n; k++) {
            double vp = vt[rp + k];
            double vq = vt[rq + k];
            vt[rp + k] = c * vp - s * vq;
            vt[rq + k] = s * vp + c * vq;
        }
    }
}
