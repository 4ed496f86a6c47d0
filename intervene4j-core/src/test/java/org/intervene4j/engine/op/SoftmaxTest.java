package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.intervene4j.engine.op.RowRef.assertClose;
import static org.intervene4j.engine.op.RowRef.assertKernelsAgree;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

class SoftmaxTest {

    /** float64 softmax (or log-softmax) of each row of a row-major array; rows of length n. */
    static double[] refSoftmax(double[] x, int n, boolean log) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / n; r++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) m = Math.max(m, x[r * n + j]);
            double s = 0;
            for (int j = 0; j < n; j++) s += Math.exp(x[r * n + j] - m);
            for (int j = 0; j < n; j++) {
                double v = x[r * n + j] - m;
                y[r * n + j] = log ? v - Math.log(s) : Math.exp(v) / s;
            }
        }
        return y;
    }

    /** float64 masked softmax following the documented visibility rule. */
    static double[] refMasked(double[] x, int batch, int heads, int q, int k, boolean causal, float[] keyMask) {
        double[] y = new double[x.length];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < q; i++) {
                    int row = ((b * heads + h) * q + i) * k;
                    double m = Double.NEGATIVE_INFINITY;
                    boolean[] vis = new boolean[k];
                    for (int j = 0; j < k; j++) {
                        vis[j] = (!causal || j <= i + (k - q)) && (keyMask == null || keyMask[b * k + j] != 0f);
                        if (vis[j]) m = Math.max(m, x[row + j]);
                    }
                    if (m == Double.NEGATIVE_INFINITY) continue; // no visible key: zeros
                    double s = 0;
                    for (int j = 0; j < k; j++) if (vis[j]) s += Math.exp(x[row + j] - m);
                    for (int j = 0; j < k; j++) y[row + j] = vis[j] ? Math.exp(x[row + j] - m) / s : 0;
                }
            }
        }
        return y;
    }

    @Test
    void softmaxAndLogSoftmaxMatchFloat64OnAwkwardRowLengths() {
        Random rng = new Random(1);
        for (int n : new int[] {1, 3, 17, 65, 1000, 50257}) {
            Tensor x = Tensor.randn(rng, 3f, n > 1000 ? 2 : 4, n);
            assertClose("softmax n=" + n, Ops.softmax(x), refSoftmax(RowRef.doubles(x), n, false), 1e-6);
            assertClose("logSoftmax n=" + n, Ops.logSoftmax(x), refSoftmax(RowRef.doubles(x), n, true), 2e-6);
        }
    }

    @Test
    void nonContiguousInputIsReadThroughItsStrides() {
        Random rng = new Random(2);
        Tensor x = Rand.transposedView(rng, 5, 7);
        assertThat(x.isContiguous()).isFalse();
        assertClose("softmax transposed", Ops.softmax(x), refSoftmax(RowRef.doubles(x), 7, false), 1e-6);
        assertClose("logSoftmax transposed", Ops.logSoftmax(x), refSoftmax(RowRef.doubles(x), 7, true), 2e-6);
    }

    @Test
    void extremeLogitsStayFinite() {
        Tensor x = Tensor.of(new float[] {1000f, -1000f, 0f, Float.NEGATIVE_INFINITY}, 1, 4);
        float[] y = Ops.softmax(x).toFloatArray();
        assertThat(y).containsExactly(1f, 0f, 0f, 0f);
        float[] ly = Ops.logSoftmax(x).toFloatArray();
        assertThat(ly[0]).isEqualTo(0f);
        assertThat(ly[1]).isEqualTo(-2000f);
    }

    @Test
    void maskedSoftmaxCausalPaddingFullyMaskedAndKvCacheAlignment() {
        Random rng = new Random(3);
        int batch = 2, heads = 3;
        // q == k causal; q < k (KV cache: the last queries align with the last keys)
        for (int[] qk : new int[][] {{5, 5}, {2, 6}, {1, 9}, {4, 17}}) {
            int q = qk[0], k = qk[1];
            Tensor s = Tensor.randn(rng, 2f, batch, heads, q, k);
            float[] mask = new float[batch * k];
            for (int j = 0; j < k; j++) {
                mask[j] = 1f;
                mask[k + j] = j < 2 ? 0f : 1f; // left padding on example 1
            }
            Tensor keyMask = Tensor.of(mask, batch, k);
            String tag = " q=" + q + " k=" + k;
            assertClose("maskedSoftmax causal" + tag, Ops.maskedSoftmax(s, true, null),
                    refMasked(RowRef.doubles(s), batch, heads, q, k, true, null), 1e-6);
            assertClose("maskedSoftmax causal+padding" + tag, Ops.maskedSoftmax(s, true, keyMask),
                    refMasked(RowRef.doubles(s), batch, heads, q, k, true, mask), 1e-6);
            assertClose("maskedSoftmax padding only" + tag, Ops.maskedSoftmax(s, false, keyMask),
                    refMasked(RowRef.doubles(s), batch, heads, q, k, false, mask), 1e-6);
        }
    }

    @Test
    void queryThatSeesNoKeyGetsZerosNotNaN() {
        // causal with left padding of 3: query 0 and 1 (k == q) see only padded keys
        Tensor s = Tensor.randn(new Random(4), 1f, 1, 2, 4, 4);
        Tensor keyMask = Tensor.of(new float[] {0, 0, 1, 1}, 1, 4);
        Tensor y = Ops.maskedSoftmax(s, true, keyMask);
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 4; j++) assertThat(y.get(0, h, i, j)).isEqualTo(0f);
            }
            assertThat(y.get(0, h, 2, 2)).isEqualTo(1f);
            assertThat(y.get(0, h, 3, 2) + y.get(0, h, 3, 3)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        }
        // every key padded
        Tensor none = Ops.maskedSoftmax(s, false, Tensor.zeros(1, 4));
        assertThat(none.toFloatArray()).containsOnly(0f);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(5);
        GradCheck.check("softmax", in -> Ops.softmax(in[0]), Rand.param(rng, 3, 7));
        GradCheck.check("logSoftmax", in -> Ops.logSoftmax(in[0]), Rand.param(rng, 3, 7));
        Tensor t = Rand.transposedView(rng, 4, 5).requiresGrad(true);
        GradCheck.check("softmax of transposed view", in -> Ops.softmax(in[0]), t);
        Tensor mask = Tensor.of(new float[] {1, 1, 0, 1, 1, 0, 0, 1, 1, 1}, 2, 5);
        GradCheck.check("maskedSoftmax causal+padding", in -> Ops.maskedSoftmax(in[0], true, mask), Rand.param(rng, 2, 2, 3, 5));
        GradCheck.check("maskedSoftmax causal", in -> Ops.maskedSoftmax(in[0], true, null), Rand.param(rng, 1, 2, 4, 4));
    }

    @Test
    void maskedPositionsGetZeroGradient() {
        Tensor s = Rand.param(new Random(6), 1, 1, 3, 3);
        Tensor y = Ops.maskedSoftmax(s, true, null);
        y.backward(Tensor.randn(new Random(7), 1f, 1, 1, 3, 3));
        assertThat(s.grad().get(0, 0, 0, 1)).isEqualTo(0f);
        assertThat(s.grad().get(0, 0, 0, 2)).isEqualTo(0f);
        assertThat(s.grad().get(0, 0, 1, 2)).isEqualTo(0f);
    }

    @Test
    void frozenInputGetsNoGradientAndNoGraph() {
        Tensor x = Tensor.randn(new Random(8), 1f, 2, 3);
        Tensor y = Ops.softmax(x);
        assertThat(y.requiresGrad()).isFalse();
        assertThat(y.gradFn()).isNull();
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        Random rng = new Random(9);
        for (int n : new int[] {1, 3, 17, 65, 1000}) {
            Tensor x = Tensor.randn(rng, 4f, 3, n);
            Tensor xt = Rand.transposedView(rng, n, 3).transpose(0, 1); // [3, n], non-contiguous
            assertKernelsAgree("softmax n=" + n, () -> Ops.softmax(x));
            assertKernelsAgree("softmax strided n=" + n, () -> Ops.softmax(xt));
            assertKernelsAgree("logSoftmax n=" + n, () -> Ops.logSoftmax(x));
            Tensor s = Tensor.randn(rng, 4f, 1, 2, 3, n);
            assertKernelsAgree("maskedSoftmax n=" + n, () -> Ops.maskedSoftmax(s, true, null));
            Tensor p = Rand.param(rng, 3, n);
            Tensor w = Tensor.randn(rng, 1f, 3, n);
            assertKernelsAgree("softmax backward n=" + n, () -> {
                p.zeroGrad();
                Ops.softmax(p).backward(w);
                return p.grad();
            });
            assertKernelsAgree("logSoftmax backward n=" + n, () -> {
                p.zeroGrad();
                Ops.logSoftmax(p).backward(w);
                return p.grad();
            });
        }
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Tensor s = Tensor.zeros(2, 1, 3, 4);
        assertThatThrownBy(() -> Ops.maskedSoftmax(s, true, Tensor.ones(2, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maskedSoftmax").hasMessageContaining("[2, 4]").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> Ops.maskedSoftmax(Tensor.zeros(3, 4), false, null))
                .hasMessageContaining("maskedSoftmax").hasMessageContaining("[3, 4]");
        assertThatThrownBy(() -> Ops.softmax(Tensor.scalar(1f))).hasMessageContaining("softmax");
    }

    @Property(tries = 40)
    void softmaxRowsSumToOneAndMatchFloat64(@ForAll @IntRange(min = 1, max = 5) int rows,
                                            @ForAll @IntRange(min = 1, max = 300) int n,
                                            @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Tensor x = Tensor.randn(new Random(seed), 5f, rows, n);
        float[] y = Ops.softmax(x).toFloatArray();
        double[] want = refSoftmax(RowRef.doubles(x), n, false);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += y[r * n + j];
            assertThat(s).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(RowRef.maxErr(y, want)).isLessThanOrEqualTo(1e-6);
    }

    @Property(tries = 30)
    void maskedSoftmaxMatchesFloat64(@ForAll @IntRange(min = 1, max = 6) int q,
                                     @ForAll @IntRange(min = 0, max = 40) int extraKeys,
                                     @ForAll boolean causal,
                                     @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        int k = q + extraKeys;
        Tensor s = Tensor.randn(rng, 3f, 2, 2, q, k);
        float[] mask = new float[2 * k];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextInt(4) == 0 ? 0f : 1f;
        float[] y = Ops.maskedSoftmax(s, causal, Tensor.of(mask, 2, k)).toFloatArray();
        double[] want = refMasked(RowRef.doubles(s), 2, 2, q, k, causal, mask);
        assertThat(RowRef.maxErr(y, want)).isLessThanOrEqualTo(1e-6);
    }
}
