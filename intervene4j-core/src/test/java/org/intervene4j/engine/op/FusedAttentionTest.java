package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

class FusedAttentionTest {

    /** One attention problem: q, k, v as head views of projection outputs, as models make them. */
    private record Case(String name, int b, int h, int kvh, int s, int t, int hd, boolean causal, int window, float[] mask) {
        Tensor keyMask() {
            return mask == null ? null : Tensor.of(mask.clone(), b, t);
        }

        float scale() {
            return (float) (1 / Math.sqrt(hd));
        }
    }

    /** [b, n, heads, hd] projection rows seen as [b, heads, n, hd] (a strided view, as model code splits heads). */
    private static Tensor heads(Tensor projection, int b, int n, int heads, int hd) {
        return projection.reshape(b, n, heads, hd).transpose(1, 2);
    }

    /** float64 attention following the documented visibility rule; returns [b, s, h * hd] row-major. */
    static double[] reference(Case c, double[] q, double[] k, double[] v) {
        int group = c.h / c.kvh;
        double[] out = new double[c.b * c.s * c.h * c.hd];
        for (int bi = 0; bi < c.b; bi++) {
            for (int hq = 0; hq < c.h; hq++) {
                int g = hq / group;
                for (int i = 0; i < c.s; i++) {
                    int col = i + (c.t - c.s);
                    double[] sc = new double[c.t];
                    boolean[] vis = new boolean[c.t];
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c.t; j++) {
                        vis[j] = (!c.causal || j <= col) && (c.window == 0 || j > col - c.window)
                                && (c.mask == null || c.mask[bi * c.t + j] != 0f);
                        if (!vis[j]) continue;
                        double dot = 0;
                        for (int d = 0; d < c.hd; d++) dot += q[idx(c.h, c.s, c.hd, bi, hq, i, d)] * k[idx(c.kvh, c.t, c.hd, bi, g, j, d)];
                        sc[j] = dot / Math.sqrt(c.hd);
                        m = Math.max(m, sc[j]);
                    }
                    if (m == Double.NEGATIVE_INFINITY) continue; // sees no key: zeros
                    double sum = 0;
                    for (int j = 0; j < c.t; j++) if (vis[j]) sum += Math.exp(sc[j] - m);
                    for (int j = 0; j < c.t; j++) {
                        if (!vis[j]) continue;
                        double p = Math.exp(sc[j] - m) / sum;
                        for (int d = 0; d < c.hd; d++) {
                            out[((bi * c.s + i) * c.h + hq) * c.hd + d] += p * v[idx(c.kvh, c.t, c.hd, bi, g, j, d)];
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Index of [bi, head, row, d] in a contiguous [b, heads, rows, hd] array. */
    private static int idx(int heads, int rows, int hd, int bi, int head, int row, int d) {
        return ((bi * heads + head) * rows + row) * hd + d;
    }

    private static Case[] cases() {
        float[] pad = new float[2 * 9];
        for (int j = 0; j < 9; j++) {
            pad[j] = 1f;
            pad[9 + j] = j < 7 ? 0f : 1f; // example 1: left padding of 7, so early queries see no key
        }
        float[] holes = new float[2 * 70];
        for (int j = 0; j < 140; j++) holes[j] = j % 5 == 3 ? 0f : 1f;
        float[] secondOff = new float[2 * 37];
        java.util.Arrays.fill(secondOff, 0, 37, 1f); // example 1 attends to no key at all
        return new Case[] {
            new Case("causal, GQA 4/2, hd 8", 2, 4, 2, 5, 5, 8, true, 0, null),
            new Case("KV offset + left padding, hd 20", 2, 3, 3, 3, 9, 20, true, 0, pad),
            new Case("decode row (dot path), GQA 6/2, hd 64", 2, 6, 2, 1, 9, 64, true, 0, pad),
            new Case("single head single row, hd 80", 1, 1, 1, 2, 9, 80, true, 0, null),
            new Case("sliding window 3", 1, 2, 1, 7, 7, 16, true, 3, null),
            new Case("bidirectional + holes, 70 keys, hd 64", 2, 2, 2, 70, 70, 64, false, 0, holes),
            new Case("causal 70 keys, GQA 4/1, hd 64", 1, 4, 1, 70, 70, 64, true, 0, null),
            new Case("more queries than keys (s > t), 3 keys, hd 4", 1, 2, 2, 6, 3, 4, true, 0, null),
            new Case("one example fully masked, GQA 6/3, 37 keys, hd 96", 2, 6, 3, 37, 37, 96, true, 0, secondOff),
            new Case("bidirectional window 4 under a KV offset, GQA 4/2, hd 20", 1, 4, 2, 9, 12, 20, false, 4, null),
        };
    }

    /** q, k, v as strided head views of one fused projection [b, s, (h + 2 kvh) hd] (t == s) or separate ones. */
    private static Tensor[] inputs(Case c, Random rng, boolean grad) {
        Tensor q, k, v;
        if (c.s == c.t && c.h == c.kvh) {
            Tensor qkv = Tensor.randn(rng, 1.5f, c.b, c.s, 3 * c.h * c.hd);
            if (grad) qkv.requiresGrad(true);
            int w = c.h * c.hd;
            return new Tensor[] {qkv, heads(qkv.narrow(2, 0, w), c.b, c.s, c.h, c.hd),
                heads(qkv.narrow(2, w, w), c.b, c.t, c.kvh, c.hd), heads(qkv.narrow(2, 2 * w, w), c.b, c.t, c.kvh, c.hd)};
        }
        q = Tensor.randn(rng, 1.5f, c.b, c.h, c.s, c.hd);
        k = Tensor.randn(rng, 1.5f, c.b, c.kvh, c.t, c.hd);
        v = Tensor.randn(rng, 1.5f, c.b, c.kvh, c.t, c.hd);
        if (grad) {
            q.requiresGrad(true);
            k.requiresGrad(true);
            v.requiresGrad(true);
        }
        return new Tensor[] {null, q, k, v};
    }

    @Test
    void forwardMatchesFloat64ReferenceInBothKernelModes() {
        Random rng = new Random(11);
        for (Case c : cases()) {
            Tensor[] in = inputs(c, rng, false);
            double[] want = reference(c, RowRef.doubles(in[1].contiguous()), RowRef.doubles(in[2].contiguous()),
                    RowRef.doubles(in[3].contiguous()));
            KernelModes.each(vector -> {
                Tensor got = Ops.attention(in[1], in[2], in[3], c.scale(), c.causal, c.window, c.keyMask());
                assertThat(got.shape()).containsExactly(c.b, c.s, c.h * c.hd);
                RowRef.assertClose(c.name + (vector ? " vector" : " scalar"), got, want, 5e-6);
            });
        }
    }

    @Test
    void equalsTheUnfusedOpsAndTheirGradients() {
        Random rng = new Random(12);
        for (Case c : cases()) {
            if (c.window > 0 || c.h != c.kvh) continue; // the unfused composition below has neither
            Tensor[] in = inputs(c, rng, true);
            Tensor seed = Tensor.randn(rng, 1f, c.b, c.s, c.h * c.hd);
            KernelModes.each(vector -> {
                float[][] grads = new float[3][];
                Tensor fused = Ops.attention(in[1], in[2], in[3], c.scale(), c.causal, c.window, c.keyMask());
                fused.backward(seed);
                Tensor[] leaves = in[0] != null ? new Tensor[] {in[0]} : new Tensor[] {in[1], in[2], in[3]};
                for (int i = 0; i < leaves.length; i++) {
                    grads[i] = leaves[i].grad().toFloatArray(); // a copy: zeroGrad below clears the tensor in place
                    leaves[i].zeroGrad();
                }
                Tensor scores = Ops.scale(Ops.matmul(in[1], in[2].transpose(-1, -2)), c.scale());
                Tensor probs = Ops.maskedSoftmax(scores, c.causal, c.keyMask());
                Tensor plain = Ops.matmul(probs, in[3]).transpose(1, 2).reshape(c.b, c.s, c.h * c.hd);
                plain.backward(seed);
                String tag = c.name + (vector ? " vector" : " scalar");
                RowRef.assertClose(tag + " forward", fused, RowRef.doubles(plain), 2e-6);
                for (int i = 0; i < leaves.length; i++) {
                    double err = RowRef.maxErr(grads[i], RowRef.doubles(leaves[i].grad()));
                    System.out.printf("[maxerr] %s grad %d vs unfused: %.3g%n", tag, i, err);
                    assertThat(err).as("%s: gradient %d, fused vs unfused", tag, i).isLessThanOrEqualTo(1e-5);
                    leaves[i].zeroGrad();
                }
            });
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(13);
        float[] mask = {1, 1, 1, 1, 0, 0, 1, 1, 1, 1};
        Tensor keyMask = Tensor.of(mask, 2, 5);
        // grouped-query heads, causal + padding (one query of example 1 sees no key), transposed path
        GradCheck.check("attention GQA causal+padding", in -> Ops.attention(in[0], in[1], in[2], 0.5f, true, 0, keyMask),
                Rand.param(rng, 2, 4, 5, 3), Rand.param(rng, 2, 2, 5, 3), Rand.param(rng, 2, 2, 5, 3));
        // one query row per kv head (dot path) under a KV offset, and a sliding window
        GradCheck.check("attention decode row", in -> Ops.attention(in[0], in[1], in[2], 0.7f, true, 0, null),
                Rand.param(rng, 1, 2, 1, 4), Rand.param(rng, 1, 2, 6, 4), Rand.param(rng, 1, 2, 6, 4));
        GradCheck.check("attention sliding window", in -> Ops.attention(in[0], in[1], in[2], 0.6f, true, 2, null),
                Rand.param(rng, 1, 1, 5, 3), Rand.param(rng, 1, 1, 5, 3), Rand.param(rng, 1, 1, 5, 3));
        // heads split from one projection through strided views
        GradCheck.check("attention on head views", in -> {
            Tensor p = in[0];
            return Ops.attention(heads(p.narrow(2, 0, 4), 1, 4, 2, 2), heads(p.narrow(2, 4, 4), 1, 4, 2, 2),
                    heads(p.narrow(2, 8, 4), 1, 4, 2, 2), 0.8f, false, 0, null);
        }, Rand.param(rng, 1, 4, 12));
    }

    @Test
    void frozenInputsKeepNoGraph() {
        Random rng = new Random(14);
        Tensor q = Tensor.randn(rng, 1f, 1, 2, 3, 4);
        Tensor out = Ops.attention(q, q, q, 0.5f, true, 0, null);
        assertThat(out.requiresGrad()).isFalse();
        assertThat(out.gradFn()).isNull();
        Tensor p = Rand.param(rng, 1, 2, 3, 4);
        try (GradMode off = GradMode.off()) {
            assertThat(Ops.attention(p, p, p, 0.5f, true, 0, null).gradFn()).isNull();
        }
    }

    @Test
    void badShapesNameTheOpAndShapes() {
        Tensor q = Tensor.zeros(2, 4, 3, 8);
        assertThatThrownBy(() -> Ops.attention(q, Tensor.zeros(2, 3, 3, 8), Tensor.zeros(2, 3, 3, 8), 1f, true, 0, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attention").hasMessageContaining("[2, 4, 3, 8]").hasMessageContaining("[2, 3, 3, 8]");
        assertThatThrownBy(() -> Ops.attention(q, Tensor.zeros(2, 2, 5, 8), Tensor.zeros(2, 2, 5, 8), 1f, true, 0, Tensor.ones(2, 4)))
                .hasMessageContaining("keyMask").hasMessageContaining("[2, 5]").hasMessageContaining("[2, 4]");
        assertThatThrownBy(() -> Ops.attention(Tensor.zeros(3, 8), q, q, 1f, true, 0, null)).hasMessageContaining("attention");
        assertThatThrownBy(() -> Ops.attention(q, q, q, 1f, true, -1, null)).hasMessageContaining("window");
    }
}
