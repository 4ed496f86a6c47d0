package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.HalfFormat;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

/**
 * {@code linear} and {@code embedding} on half-precision weights agree with the fp32 ops on the
 * widened weight (forward, dx, dbias), in both kernel modes, in nn.Linear and Conv1D
 * (transposed view) layouts, with non-contiguous inputs; the weight itself is frozen.
 */
class HalfWeightOpsTest {
    /** Max |got - want| relative to the tensor's scale max(1, max |want|): sums of up to 1000 terms cancel. */
    private static double maxRelative(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double scale = 1;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
        return worst;
    }

    /** A [out, in] half weight, stored directly or as the transposed view of a stored [in, out]. */
    private static HalfMatrix weight(Random rng, int out, int in, HalfFormat f, boolean conv1d) {
        if (conv1d) return HalfMatrix.round(Tensor.randn(rng, 1f, in, out), f).transpose();
        return HalfMatrix.round(Tensor.randn(rng, 1f, out, in), f);
    }

    @Test
    void linearMatchesFp32OnTheWidenedWeightForwardAndBackward() {
        Random rng = new Random(1);
        int[][] shapes = {{1, 1, 1}, {3, 17, 65}, {2, 3, 17}, {65, 1000, 3}, {1, 1, 130}};
        double[] worst = new double[4];
        KernelModes.each(vector -> {
            for (HalfFormat f : HalfFormat.values()) {
                for (boolean conv1d : new boolean[] {false, true}) {
                    for (int[] s : shapes) {
                        int rows = s[0];
                        int out = s[1];
                        int in = s[2];
                        HalfMatrix w = weight(rng, out, in, f, conv1d);
                        Tensor wide = w.toTensor();
                        // x [2, rows, in], non-contiguous (stored transposed) for some shapes.
                        Tensor x0 = (rows + in) % 2 == 0 ? Rand.transposedView(rng, 2, rows, in) : Tensor.randn(rng, 1f, 2, rows, in);
                        Tensor b0 = out % 2 == 1 ? Tensor.randn(rng, 1f, out) : null;
                        Tensor seed = Tensor.randn(rng, 1f, 2, rows, out);

                        Tensor x = x0.detach().requiresGrad(true);
                        Tensor b = b0 == null ? null : b0.detach().requiresGrad(true);
                        Tensor y = Ops.linear(x, w, b);
                        y.backward(seed);

                        Tensor xr = x0.detach().requiresGrad(true);
                        Tensor br = b0 == null ? null : b0.detach().requiresGrad(true);
                        Tensor yr = Ops.linear(xr, wide, br);
                        yr.backward(seed);

                        assertThat(y.shape()).containsExactly(2, rows, out);
                        worst[0] = Math.max(worst[0], maxRelative(y.toFloatArray(), yr.toFloatArray()));
                        worst[1] = Math.max(worst[1], maxRelative(x.grad().toFloatArray(), xr.grad().toFloatArray()));
                        if (b != null) worst[2] = Math.max(worst[2], maxRelative(b.grad().toFloatArray(), br.grad().toFloatArray()));
                    }
                }
            }
        });
        assertThat(worst[0]).as("forward vs fp32 on the widened weight").isLessThan(1e-5);
        assertThat(worst[1]).as("dx vs fp32").isLessThan(1e-5);
        assertThat(worst[2]).as("dbias vs fp32").isLessThan(1e-5);
    }

    @Test
    void linearOnAVectorAndWithEmptyInput() {
        Random rng = new Random(2);
        HalfMatrix w = weight(rng, 5, 7, HalfFormat.BF16, false);
        Tensor v = Tensor.randn(rng, 1f, 7);
        assertThat(Ops.linear(v, w, null).toFloatArray()).containsExactly(Ops.linear(v, w.toTensor(), null).toFloatArray());
        assertThat(Ops.linear(Tensor.zeros(0, 7), w, Tensor.ones(5)).shape()).containsExactly(0, 5);
    }

    @Test
    void theHalfWeightIsFrozenAndErrorsNameTheOp() {
        Random rng = new Random(3);
        HalfMatrix w = weight(rng, 4, 6, HalfFormat.F16, false);
        assertThat(w.requiresGrad()).isFalse();
        assertThatThrownBy(() -> w.requiresGrad(true)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("'linear'").hasMessageContaining("frozen").hasMessageContaining("[4, 6]");
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 5), w, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("op 'linear'").hasMessageContaining("[2, 5]").hasMessageContaining("[4, 6]");
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 6), w, Tensor.zeros(3))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("op 'linear'").hasMessageContaining("bias must be [4]");
        // Under grad mode, an input that needs no gradient gives an output without a graph.
        Tensor y = Ops.linear(Tensor.ones(2, 6), w, null);
        assertThat(y.requiresGrad()).isFalse();
    }

    @Test
    void embeddingWidensRowsExactlyInBothKernelModes() {
        Random rng = new Random(4);
        for (HalfFormat f : HalfFormat.values()) {
            for (boolean transposed : new boolean[] {false, true}) {
                // vocab 11 x d 37: a view of a stored [37, 11] when transposed (strided rows).
                HalfMatrix w = transposed ? HalfMatrix.round(Tensor.randn(rng, 1f, 37, 11), f).transpose()
                        : HalfMatrix.round(Tensor.randn(rng, 1f, 11, 37), f);
                int[] ids = {3, 0, 10, 3, 7, 1};
                float[][] both = KernelModes.both(() -> Ops.embedding(w, ids, 2, 3).toFloatArray());
                float[] want = Ops.embedding(w.toTensor(), ids, 2, 3).toFloatArray();
                assertThat(both[0]).containsExactly(want);
                assertThat(both[1]).containsExactly(want);
            }
        }
        HalfMatrix w = HalfMatrix.round(Tensor.ones(4, 3), HalfFormat.BF16);
        assertThat(Ops.embedding(w, new int[] {1}).requiresGrad()).isFalse();
        assertThatThrownBy(() -> Ops.embedding(w, new int[] {0, 4})).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("op 'embedding'").hasMessageContaining("id 4").hasMessageContaining("[4, 3]");
    }

    @Test
    void aTransposedCopyHoldsTheViewsValuesRowMajor() {
        Random rng = new Random(6);
        HalfMatrix stored = HalfMatrix.round(Tensor.randn(rng, 1f, 5, 9), HalfFormat.F16); // Conv1D [in, out]
        HalfMatrix view = stored.transpose();                                             // [out, in]
        HalfMatrix copy = view.contiguous();
        assertThat(stored.contiguous()).isSameAs(stored);
        assertThat(copy.shape()).containsExactly(9, 5);
        assertThat(copy.rowStride()).isEqualTo(5);
        assertThat(copy.colStride()).isEqualTo(1);
        assertThat(copy.toTensor().toFloatArray()).containsExactly(view.toTensor().toFloatArray());
        Tensor x = Tensor.randn(rng, 1f, 2, 5);
        assertThat(maxRelative(Ops.linear(x, copy, null).toFloatArray(), Ops.linear(x, view, null).toFloatArray())).isLessThan(1e-6);
    }

    @Test
    void gradientsFlowThroughAHalfLinearToEarlierParameters() {
        // A trainable fp32 input layer feeding a frozen half layer: finite differences agree.
        Random rng = new Random(5);
        HalfMatrix w = weight(rng, 3, 4, HalfFormat.BF16, true);
        Tensor p = Rand.param(rng, 4, 4);
        Tensor x = Tensor.randn(rng, 1f, 2, 4);
        Tensor loss = Ops.sum(Ops.square(Ops.linear(Ops.linear(x, p, null), w, null)));
        loss.backward();
        float[] analytic = p.grad().toFloatArray();
        try (GradMode off = GradMode.off()) {
            double h = 1e-2;
            for (int i = 0; i < 16; i++) {
                float saved = p.data()[i];
                p.data()[i] = (float) (saved + h);
                double up = Ops.sum(Ops.square(Ops.linear(Ops.linear(x, p, null), w, null))).item();
                p.data()[i] = (float) (saved - h);
                double down = Ops.sum(Ops.square(Ops.linear(Ops.linear(x, p, null), w, null))).item();
                p.data()[i] = saved;
                double numeric = (up - down) / (2 * h);
                assertThat(analytic[i]).as("d loss / d p[%d]", i).isCloseTo((float) numeric,
                        org.assertj.core.data.Offset.offset((float) (1e-2 * Math.max(1, Math.abs(numeric)))));
            }
        }
    }
}
