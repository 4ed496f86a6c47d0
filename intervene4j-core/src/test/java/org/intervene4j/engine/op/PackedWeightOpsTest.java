package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.intervene4j.engine.HalfFormat;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.PackedWeight;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

/**
 * {@code linear} on a prepacked weight against a float64 reference of {@code x W^T + b} and its
 * gradients, in both kernel modes, for fp32 weights (stored and transposed views) and both half
 * formats, on sizes that cross every blocking edge of the packed kernel: ragged panels and
 * register tiles, two depth blocks (in > 768), a wide output (out = 4100, 129 panels), and row counts
 * that split the product across threads by rows or by columns.
 */
class PackedWeightOpsTest {
    /** {@code [rows, out, in]}. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 17, 65}, {17, 3, 1000}, {65, 33, 17}, {200, 65, 770}, {20, 4100, 3}, {40, 96, 768}};

    @Test
    void linearMatchesAFloat64ReferenceForwardAndBackward() {
        Random rng = new Random(11);
        double[] worst = new double[3];
        KernelModes.each(vector -> {
            for (int kind = 0; kind < 4; kind++) { // fp32, fp32 transposed view, F16, BF16
                for (int[] s : SHAPES) {
                    int rows = s[0], out = s[1], in = s[2];
                    Tensor wf = kind == 1 ? Rand.transposedView(rng, out, in) : Tensor.randn(rng, 1f, out, in);
                    PackedWeight w;
                    if (kind >= 2) {
                        HalfMatrix h = HalfMatrix.round(wf, kind == 2 ? HalfFormat.F16 : HalfFormat.BF16);
                        wf = h.toTensor(); // the values the kernels see
                        w = PackedWeight.of(h);
                    } else {
                        w = PackedWeight.of(wf);
                    }
                    Tensor x = (rows % 2 == 0 ? Rand.transposedView(rng, rows, in) : Tensor.randn(rng, 1f, rows, in))
                            .requiresGrad(true);
                    Tensor b = out % 2 == 1 ? Tensor.randn(rng, 1f, out).requiresGrad(true) : null;
                    Tensor seed = Tensor.randn(rng, 1f, rows, out);
                    Tensor y = Ops.linear(x, w, b);
                    y.backward(seed);

                    double[] xd = Rand.doubles(x), wd = Rand.doubles(wf), gd = Rand.doubles(seed);
                    double[] bd = b == null ? null : Rand.doubles(b);
                    double[] yRef = new double[rows * out];
                    double[] dxRef = new double[rows * in];
                    double[] dbRef = new double[out];
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < out; j++) {
                            double acc = bd == null ? 0 : bd[j];
                            for (int p = 0; p < in; p++) acc += xd[i * in + p] * wd[j * in + p];
                            yRef[i * out + j] = acc;
                            double g = gd[i * out + j];
                            dbRef[j] += g;
                            for (int p = 0; p < in; p++) dxRef[i * in + p] += g * wd[j * in + p];
                        }
                    }
                    assertThat(y.shape()).containsExactly(rows, out);
                    worst[0] = Math.max(worst[0], maxRelative(y.toFloatArray(), yRef));
                    worst[1] = Math.max(worst[1], maxRelative(x.grad().toFloatArray(), dxRef));
                    if (b != null) worst[2] = Math.max(worst[2], maxRelative(b.grad().toFloatArray(), dbRef));
                }
            }
        });
        assertThat(worst[0]).as("forward vs float64").isLessThan(1e-5);
        assertThat(worst[1]).as("dx vs float64").isLessThan(1e-5);
        assertThat(worst[2]).as("dbias vs float64").isLessThan(1e-5);
    }

    @Test
    void packedAndPlainLinearAgreeOnBatchedInput() {
        Random rng = new Random(12);
        Tensor wt = Tensor.randn(rng, 0.1f, 96, 80);
        Tensor x = Tensor.randn(rng, 1f, 3, 21, 80); // [batch, seq, in]
        Tensor bias = Tensor.randn(rng, 1f, 96);
        Tensor packed = Ops.linear(x, PackedWeight.of(wt), bias);
        Tensor plain = Ops.linear(x, wt, bias);
        assertThat(packed.shape()).containsExactly(3, 21, 96);
        assertThat(maxRelative(packed.toFloatArray(), Rand.doubles(plain))).isLessThan(1e-6);
    }

    @Test
    void onlyFrozenWeightsArePackedAndErrorsNameTheOp() {
        Random rng = new Random(13);
        assertThatThrownBy(() -> PackedWeight.of(Tensor.randn(rng, 1f, 4, 6).requiresGrad(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requires a gradient")
                .hasMessageContaining("[4, 6]");
        assertThatThrownBy(() -> PackedWeight.of(Tensor.zeros(6))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[out, in]");
        PackedWeight w = PackedWeight.of(Tensor.randn(rng, 1f, 4, 6));
        assertThat(w.shape()).containsExactly(4, 6);
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 5), w, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("op 'linear'").hasMessageContaining("[2, 5]").hasMessageContaining("[4, 6]");
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 6), w, Tensor.zeros(3))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bias must be [4]");
        assertThat(Ops.linear(Tensor.zeros(0, 6), w, null).shape()).containsExactly(0, 4);
    }

    /** Max |got - want| relative to max(1, max |want|). */
    private static double maxRelative(float[] got, double[] want) {
        assertThat(got).hasSize(want.length);
        double scale = 1;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
        return worst;
    }
}
