package org.intervene4j.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

/** Attention against a float64 reference written out loop by loop, and its gradients. */
class CausalSelfAttentionTest {
    @Test
    void matchesAFloat64Reference() {
        Random rng = new Random(11);
        int batch = 2, seq = 5, dim = 12, heads = 3;
        CausalSelfAttention attn = new CausalSelfAttention(dim, heads, rng);
        Tensor x = Tensor.randn(rng, 1f, batch, seq, dim);
        float[] keyMask = {1, 1, 1, 1, 1, 1, 0, 1, 1, 0}; // sequence 1: keys 1 and 4 are padding
        float[] actual;
        try (GradMode off = GradMode.off()) {
            actual = attn.forward(x, Tensor.of(keyMask, batch, seq)).toFloatArray();
        }
        double[] expected = reference(attn, Rand.doubles(x), keyMask, batch, seq, dim, heads);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("output %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(12);
        CausalSelfAttention attn = new CausalSelfAttention(8, 2, rng);
        Tensor x = Rand.param(rng, 2, 4, 8);
        GradCheck.check("attention d/dx", in -> attn.forward(in[0], null), x);
        Tensor wq = attn.parameters().get("query.weight");
        GradCheck.check("attention d/d query.weight", in -> attn.forward(x, null), wq);
        Tensor bo = attn.parameters().get("output.bias");
        GradCheck.check("attention d/d output.bias", in -> attn.forward(x, null), bo);
    }

    private static double[] reference(CausalSelfAttention attn, double[] x, float[] keyMask,
                                      int batch, int seq, int dim, int heads) {
        double[][] q = project(x, attn.parameters().get("query.weight"), attn.parameters().get("query.bias"), batch * seq, dim);
        double[][] k = project(x, attn.parameters().get("key.weight"), attn.parameters().get("key.bias"), batch * seq, dim);
        double[][] v = project(x, attn.parameters().get("value.weight"), attn.parameters().get("value.bias"), batch * seq, dim);
        int hd = dim / heads;
        double[] merged = new double[batch * seq * dim];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < seq; i++) {
                    double[] w = new double[seq];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        if (keyMask[b * seq + j] == 0) continue;
                        double s = 0;
                        for (int c = 0; c < hd; c++) s += q[b * seq + i][h * hd + c] * k[b * seq + j][h * hd + c];
                        w[j] = s / Math.sqrt(hd);
                        max = Math.max(max, w[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= i; j++) {
                        w[j] = keyMask[b * seq + j] == 0 ? 0 : Math.exp(w[j] - max);
                        z += w[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        for (int c = 0; c < hd; c++) {
                            merged[(b * seq + i) * dim + h * hd + c] += z == 0 ? 0 : w[j] / z * v[b * seq + j][h * hd + c];
                        }
                    }
                }
            }
        }
        double[][] out = project(merged, attn.parameters().get("output.weight"), attn.parameters().get("output.bias"), batch * seq, dim);
        double[] flat = new double[batch * seq * dim];
        for (int r = 0; r < batch * seq; r++) System.arraycopy(out[r], 0, flat, r * dim, dim);
        return flat;
    }

    /** Rows of {@code x [rows, dim] @ w^T + b} in double. */
    private static double[][] project(double[] x, Tensor w, Tensor b, int rows, int dim) {
        double[] wd = Rand.doubles(w);
        double[] bd = Rand.doubles(b);
        double[][] out = new double[rows][dim];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < dim; o++) {
                double s = bd[o];
                for (int i = 0; i < dim; i++) s += x[r * dim + i] * wd[o * dim + i];
                out[r][o] = s;
            }
        }
        return out;
    }
}
