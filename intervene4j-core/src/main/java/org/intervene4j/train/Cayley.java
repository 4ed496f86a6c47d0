package org.intervene4j.train;

import java.util.Arrays;
import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Tensor;

/**
 * The differentiable Cayley map from an unconstrained square matrix to a rotation:
 * {@code A = W - W^T} (skew-symmetric), {@code M = I + A},
 * {@code C = M^{-1} (I - A) = 2 M^{-1} - I} (orthogonal for every W, since M is never singular:
 * the eigenvalues of A are imaginary), optionally pre-multiplied by a fixed rotation R0 and
 * truncated to its first {@code rank} columns: {@code R = (R0 C)[:, :rank]}.
 *
 * <p>The inverse is computed in float64; backward uses {@code dC = -2 M^{-1} dA M^{-1}}, so
 * {@code G_A = -2 M^{-T} G_C M^{-T}} and {@code G_W = G_A - G_A^T}, with {@code G_C = R0^T G_R}
 * (zero beyond the first {@code rank} columns, which keeps backward at O(d^2 rank)).
 */
final class Cayley {
    private Cayley() {}

    /**
     * Memo of the last forward: reused while the weight's values are unchanged (evaluation calls
     * {@code matrix()} many times per weight update). One immutable entry swapped atomically, so
     * threads sharing a rotation never see a weight paired with another weight's inverse.
     */
    static final class Cache {
        private volatile Entry last;
    }

    /** A forward's inputs and results; the arrays are never modified. */
    private static final class Entry {
        final float[] weight;     // W [d, d]
        final double[] inverseT;  // M^{-T} [d, d]
        final float[] result;     // R [d, rank]

        Entry(float[] weight, double[] inverseT, float[] result) {
            this.weight = weight;
            this.inverseT = inverseT;
            this.result = result;
        }
    }

    /**
     * @param w      {@code [d, d]} unconstrained weight
     * @param r0     the initial rotation {@code [d, d]} in float64, or null for the identity
     * @param r0T    its transpose (backward needs it), or null
     * @param rank   number of columns kept, 1..d
     * @param cache  memo of the last forward, or null
     * @return {@code R [d, rank]}, recorded for autograd as "cayley"
     */
    static Tensor apply(Tensor w, double[] r0, double[] r0T, int rank, Cache cache) {
        Graph.checkAlive("cayley", w);
        int[] shape = w.shape();
        if (shape.length != 2 || shape[0] != shape[1]) {
            throw new IllegalArgumentException("op 'cayley': weight must be square [d, d], got " + Arrays.toString(shape));
        }
        int d = shape[0];
        if (rank < 1 || rank > d) {
            throw new IllegalArgumentException("op 'cayley': rank must be in [1, " + d + "], got " + rank);
        }
        if (r0 != null && r0.length != d * d) {
            throw new IllegalArgumentException("op 'cayley': initial rotation has " + r0.length + " values, expected [" + d
                    + ", " + d + "]");
        }
        float[] wv = w.toFloatArray();
        double[] inverseT;
        float[] result;
        Entry hit = cache == null ? null : cache.last;
        if (hit != null && Arrays.equals(hit.weight, wv)) {
            inverseT = hit.inverseT;
            result = hit.result;
        } else {
            double[] m = new double[d * d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    m[i * d + j] = (i == j ? 1.0 : 0.0) + ((double) wv[i * d + j] - wv[j * d + i]);
                }
            }
            double[] inv = DoubleMatrices.invert(m, d);
            // C[:, :rank] = 2 M^{-1}[:, :rank] - I[:, :rank]
            double[] c = new double[d * rank];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < rank; j++) c[i * rank + j] = 2 * inv[i * d + j] - (i == j ? 1 : 0);
            }
            double[] r = r0 == null ? c : DoubleMatrices.multiply(r0, c, d, d, rank);
            result = new float[d * rank];
            for (int i = 0; i < result.length; i++) result[i] = (float) r[i];
            inverseT = DoubleMatrices.transpose(inv, d, d);
            if (cache != null) cache.last = new Entry(wv, inverseT, result);
        }
        Tensor out = Tensor.empty(d, rank);
        System.arraycopy(result, 0, out.data(), out.offset(), result.length);
        double[] minvT = inverseT;
        return Graph.record("cayley", out, (grad, needs) -> new Tensor[] {backward(grad, minvT, r0T, d, rank)}, w);
    }

    /** G_W from G_R {@code [d, rank]}. */
    private static Tensor backward(Tensor grad, double[] minvT, double[] r0T, int d, int rank) {
        float[] gf = grad.toFloatArray();
        double[] g = new double[gf.length];
        for (int i = 0; i < g.length; i++) g[i] = gf[i];
        double[] gc = r0T == null ? g : DoubleMatrices.multiply(r0T, g, d, d, rank);
        // G_A = -2 M^{-T} [G_C | 0] M^{-T} = -2 (M^{-T} G_C) (M^{-T})[:rank, :]
        double[] x = DoubleMatrices.multiply(minvT, gc, d, d, rank);
        double[] top = Arrays.copyOf(minvT, rank * d);
        double[] ga = DoubleMatrices.multiply(x, top, d, rank, d);
        Tensor gw = Tensor.empty(d, d);
        float[] out = gw.data();
        int o = gw.offset();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) out[o + i * d + j] = (float) (-2 * (ga[i * d + j] - ga[j * d + i]));
        }
        return gw;
    }
}
