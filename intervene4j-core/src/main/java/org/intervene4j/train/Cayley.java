package org.intervene4j.train;

import java.util.Arrays;
import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.Gemm;

/**
 * The differentiable Cayley map from an unconstrained square matrix to a rotation:
 * {@code A = W - W^T} (skew-symmetric), {@code M = I + A},
 * {@code C = M^{-1} (I - A) = 2 M^{-1} - I} (orthogonal for every W, since M is never singular:
 * the eigenvalues of A are imaginary), optionally pre-multiplied by a fixed rotation R0 and
 * truncated to its first {@code rank} columns: {@code R = (R0 C)[:, :rank]}.
 *
 * <p>The inverse is computed in float64 (orthogonality to 1e-7 whatever W has grown to); backward
 * uses {@code dC = -2 M^{-1} dA M^{-1}}, so {@code G_A = -2 M^{-T} G_C M^{-T}} and
 * {@code G_W = G_A - G_A^T}, with {@code G_C = R0^T G_R} (zero beyond the first {@code rank}
 * columns, which keeps backward at O(d^2 rank)). Backward's products run in float32: the gradient
 * arrives and leaves as float32 and needs no more, and the float GEMM runs them about three times
 * faster (two d^3 products per training step). Transposes are read through strides by the
 * products, never materialized. For a full rotation the forward keeps {@code P = R0 M^{-1}}, so
 * backward's {@code M^{-T} R0^T G_R} is the single product {@code P^T G_R}.
 */
final class Cayley {
    private Cayley() {}

    /**
     * Memo of the last forward: reused while the weight's values are unchanged (evaluation calls
     * {@code matrix()} many times per weight update). Read and replaced under its own lock, so
     * threads sharing a rotation never see a weight paired with another weight's inverse.
     */
    static final class Cache {
        private Entry last; // guarded by this
    }

    /**
     * A forward's inputs and results. {@code inverse}, {@code rotated} and {@code r0} are what
     * backward reads (a graph may hold them after the memo moved on): never modified.
     * {@code weight} and {@code result} are read only through the memo, under its lock: when the
     * weight changes, the next entry takes them over (a training step would otherwise allocate
     * both afresh, ~5 MB at d = 768, which on this VM costs more in page faults than copying).
     */
    private static final class Entry {
        final float[] weight;    // W [d, d]
        final float[] inverse;   // M^{-1} [d, d]
        final float[] rotated;   // R0 M^{-1} [d, d] when rank == d and R0 is given, else null
        final double[] r0Source; // the R0 the float copy below was made from, or null
        final float[] r0;        // R0 [d, d], or null for the identity
        final float[] result;    // R [d, rank]

        Entry(float[] weight, double[] inverse, double[] rotated, double[] r0, float[] r0Floats, float[] result) {
            this.weight = weight;
            this.inverse = toFloats(inverse, weight.length);
            this.rotated = rotated == null ? null : toFloats(rotated, weight.length);
            this.r0Source = r0;
            this.r0 = r0Floats;
            this.result = result;
        }
    }

    private static float[] toFloats(double[] x, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) x[i];
        return out;
    }

    /**
     * Float64 work arrays of this thread's forwards, kept between calls: a training step's
     * forward would otherwise allocate ~9 MB of short-lived doubles at d = 768, which on a VM
     * handing out memory lazily costs more in page faults than the inverse itself.
     */
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[2][0]);

    private static double[] scratch(int slot, int n) {
        double[][] s = SCRATCH.get();
        if (s[slot].length < n) s[slot] = new double[n];
        return s[slot];
    }

    /**
     * @param w      {@code [d, d]} unconstrained weight
     * @param r0     the initial rotation {@code [d, d]} in float64, or null for the identity
     * @param rank   number of columns kept, 1..d
     * @param cache  memo of the last forward, or null
     * @return {@code R [d, rank]}, recorded for autograd as "cayley"
     */
    static Tensor apply(Tensor w, double[] r0, int rank, Cache cache) {
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
        Tensor out = Tensor.empty(d, rank);
        Entry e;
        if (cache == null) {
            e = forward(w.toFloatArray(), r0, r0 == null ? null : toFloats(r0, r0.length), new float[d * rank], d, rank);
            System.arraycopy(e.result, 0, out.data(), out.offset(), e.result.length);
        } else {
            synchronized (cache) {
                e = cache.last;
                if (e == null || !holds(w, e.weight)) {
                    boolean reuse = e != null && e.weight.length == d * d && e.result.length == d * rank;
                    float[] weight = reuse ? e.weight : new float[d * d];
                    w.copyTo(weight);
                    float[] r0Floats = r0 == null ? null : e != null && e.r0Source == r0 ? e.r0 : toFloats(r0, r0.length);
                    cache.last = null; // the old entry's weight is being overwritten: no memo until the new one exists
                    e = forward(weight, r0, r0Floats, reuse ? e.result : new float[d * rank], d, rank);
                    cache.last = e;
                }
                System.arraycopy(e.result, 0, out.data(), out.offset(), e.result.length);
            }
        }
        Entry saved = e;
        return Graph.record("cayley", out, (grad, needs) -> new Tensor[] {backward(grad, saved, d, rank)}, w);
    }

    /** True when {@code w}'s elements equal {@code values} bit for bit (read in place when contiguous). */
    private static boolean holds(Tensor w, float[] values) {
        if (!w.isContiguous()) return Arrays.equals(w.toFloatArray(), values);
        int o = w.offset();
        return Arrays.equals(w.data(), o, o + values.length, values, 0, values.length);
    }

    /** The forward of weight {@code wv}, writing R into {@code result} [d, rank]. */
    private static Entry forward(float[] wv, double[] r0, float[] r0Floats, float[] result, int d, int rank) {
        double[] m = scratch(0, d * d); // M = I + W - W^T, tile by tile so W^T's reads stay in cache
        final int tile = 32;
        for (int i0 = 0; i0 < d; i0 += tile) {
            for (int j0 = 0; j0 < d; j0 += tile) {
                for (int i = i0, ie = Math.min(d, i0 + tile); i < ie; i++) {
                    for (int j = j0, je = Math.min(d, j0 + tile); j < je; j++) {
                        m[i * d + j] = (i == j ? 1.0 : 0.0) + ((double) wv[i * d + j] - wv[j * d + i]);
                    }
                }
            }
        }
        double[] inv = DoubleMatrices.invertInPlace(m, d);
        double[] rotated = null;
        if (r0 == null) {
            // R = C[:, :rank] = 2 M^{-1}[:, :rank] - I[:, :rank]
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < rank; j++) result[i * rank + j] = (float) (2 * inv[i * d + j] - (i == j ? 1 : 0));
            }
        } else {
            // R = R0 C[:, :rank] = 2 (R0 M^{-1})[:, :rank] - R0[:, :rank]
            double[] p = scratch(1, d * rank);
            DoubleMatrices.gemm(d, d, rank, 1, r0, 0, d, 1, inv, 0, d, 1, p, 0, rank, false);
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < rank; j++) result[i * rank + j] = (float) (2 * p[i * rank + j] - r0[i * d + j]);
            }
            if (rank == d) rotated = p;
        }
        return new Entry(wv, inv, rotated, r0, r0Floats, result);
    }

    /** G_W from G_R {@code [d, rank]}, in float32 products. */
    private static Tensor backward(Tensor grad, Entry e, int d, int rank) {
        // Work arrays come from Tensor.empty: inside a training step's arena they are recycled.
        Tensor gr = grad.contiguous();
        float[] g = gr.data();
        int go = gr.offset();
        float[] inv = e.inverse;
        // X = M^{-T} G_C = M^{-T} R0^T G_R [d, rank]
        Tensor xt = Tensor.empty(d, rank);
        float[] x = xt.data();
        int xo = xt.offset();
        if (e.rotated != null) {
            // (R0 M^{-1})^T G_R
            Gemm.multiply(d, rank, d, e.rotated, 0, 1, d, g, go, rank, 1, x, xo, rank, false);
        } else {
            if (e.r0 != null) {
                Tensor gct = Tensor.empty(d, rank);
                Gemm.multiply(d, rank, d, e.r0, 0, 1, d, g, go, rank, 1, gct.data(), gct.offset(), rank, false);
                g = gct.data();
                go = gct.offset();
            }
            Gemm.multiply(d, rank, d, inv, 0, 1, d, g, go, rank, 1, x, xo, rank, false);
        }
        // G_A = -2 M^{-T} [G_C | 0] M^{-T} = -2 X (M^{-1}[:, :rank])^T [d, d]; the -2 is applied in skewPart
        Tensor gat = Tensor.empty(d, d);
        Gemm.multiply(d, d, rank, x, xo, rank, 1, inv, 0, 1, d, gat.data(), gat.offset(), d, false);
        Tensor gw = Tensor.empty(d, d);
        skewPart(gat.data(), gat.offset(), d, gw.data(), gw.offset());
        return gw;
    }

    /** {@code out[o + i*d + j] = -2 (ga[i][j] - ga[j][i])}, ga read from offset {@code a}, tile by tile so both reads stay in cache. */
    private static void skewPart(float[] ga, int a, int d, float[] out, int o) {
        final int tile = 32;
        for (int i0 = 0; i0 < d; i0 += tile) {
            for (int j0 = 0; j0 < d; j0 += tile) {
                for (int i = i0, ie = Math.min(d, i0 + tile); i < ie; i++) {
                    for (int j = j0, je = Math.min(d, j0 + tile); j < je; j++) {
                        out[o + i * d + j] = (float) (-2 * (ga[a + i * d + j] - ga[a + j * d + i]));
                    }
                }
            }
        }
    }
}
