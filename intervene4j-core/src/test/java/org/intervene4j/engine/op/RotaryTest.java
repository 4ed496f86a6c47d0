package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.intervene4j.engine.op.RowRef.assertClose;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

class RotaryTest {

    /** float64 rotate-half rotary with angles pos * invFreq computed in double. */
    static double[] ref(double[] x, int batch, int heads, int seq, int headDim, int[][] pos, float[] invFreq) {
        int half = invFreq.length;
        double[] y = x.clone();
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int s = 0; s < seq; s++) {
                    int row = ((b * heads + h) * seq + s) * headDim;
                    for (int j = 0; j < half; j++) {
                        double a = (double) pos[b][s] * invFreq[j];
                        double x1 = x[row + j];
                        double x2 = x[row + j + half];
                        y[row + j] = x1 * Math.cos(a) - x2 * Math.sin(a);
                        y[row + j + half] = x2 * Math.cos(a) + x1 * Math.sin(a);
                    }
                }
            }
        }
        return y;
    }

    @Test
    void inverseFrequenciesFollowThetaPowers() {
        float[] inv = RotaryTables.inverseFrequencies(8, 10000);
        assertThat(inv).hasSize(4);
        for (int j = 0; j < 4; j++) assertThat(inv[j]).isEqualTo((float) Math.pow(10000, -j / 4.0));
        assertThatThrownBy(() -> RotaryTables.inverseFrequencies(7, 10000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rot").hasMessageContaining("7");
        assertThatThrownBy(() -> RotaryTables.inverseFrequencies(8, -1)).hasMessageContaining("theta");
    }

    @Test
    void tablesAreComputedInDoubleForLargePositions() {
        float[] inv = RotaryTables.inverseFrequencies(4, 10000);
        Tensor[] cs = RotaryTables.tables(new int[][] {{0, 100_000}}, inv);
        assertThat(cs[0].shape()).containsExactly(1, 2, 2);
        assertThat(cs[0].get(0, 0, 0)).isEqualTo(1f);
        assertThat(cs[1].get(0, 0, 1)).isEqualTo(0f);
        assertThat(cs[0].get(0, 1, 0)).isEqualTo((float) Math.cos(100_000.0 * inv[0]));
        assertThat(cs[1].get(0, 1, 1)).isEqualTo((float) Math.sin(100_000.0 * inv[1]));
    }

    @Test
    void fullAndPartialRotaryWithPerExamplePositionsMatchFloat64() {
        Random rng = new Random(1);
        int batch = 2, heads = 3, seq = 5, headDim = 16;
        int[][] pos = {{0, 1, 2, 3, 4}, {7, 8, 9, 10, 11}}; // example 1 continues from a KV cache
        for (int rot : new int[] {16, 8, 2}) {
            float[] inv = RotaryTables.inverseFrequencies(rot, 10000);
            Tensor[] cs = RotaryTables.tables(pos, inv);
            Tensor x = Tensor.randn(rng, 1f, batch, heads, seq, headDim);
            Tensor y = Ops.rotary(x, cs[0], cs[1]);
            assertClose("rotary rot=" + rot, y, ref(RowRef.doubles(x), batch, heads, seq, headDim, pos, inv), 1e-6);
            if (rot < headDim) {
                // pass-through dims are bit-identical
                for (int j = rot; j < headDim; j++) assertThat(y.get(1, 2, 4, j)).isEqualTo(x.get(1, 2, 4, j));
            }
        }
    }

    @Test
    void nonContiguousInputAndSharedTable() {
        Random rng = new Random(2);
        // [batch, seq, heads, headDim] transposed to [batch, heads, seq, headDim], as after a projection
        Tensor x = Tensor.randn(rng, 1f, 2, 4, 3, 8).transpose(1, 2);
        assertThat(x.isContiguous()).isFalse();
        int[][] pos = {{0, 1, 2, 3}};
        float[] inv = RotaryTables.inverseFrequencies(6, 500000);
        Tensor[] cs = RotaryTables.tables(pos, inv); // batch 1, shared by both examples
        Tensor y = Ops.rotary(x, cs[0], cs[1]);
        assertClose("rotary transposed shared table", y,
                ref(RowRef.doubles(x), 2, 3, 4, 8, new int[][] {pos[0], pos[0]}, inv), 1e-6);
    }

    @Test
    void backwardIsRotationByTheNegativeAngle() {
        Random rng = new Random(3);
        int[][] pos = {{3, 5, 9}, {0, 2, 4}};
        Tensor[] cs = RotaryTables.tables(pos, RotaryTables.inverseFrequencies(4, 100));
        Tensor x = Rand.param(rng, 2, 2, 3, 6);
        Tensor y = Ops.rotary(x, cs[0], cs[1]);
        // with seed = y, the gradient rotates y back to x (rotation is orthogonal)
        y.backward(y.detach());
        RowRef.assertClose("rotary inverse", x.grad(), RowRef.doubles(x), 1e-6);
    }

    @Test
    void gradientsOfXAndTablesMatchFiniteDifferences() {
        Random rng = new Random(4);
        Tensor x = Rand.param(rng, 2, 2, 3, 6);
        Tensor cos = Rand.param(rng, 2, 3, 2);
        Tensor sin = Rand.param(rng, 2, 3, 2);
        GradCheck.check("rotary x,cos,sin", in -> Ops.rotary(in[0], in[1], in[2]), x, cos, sin);
        Tensor cos1 = Rand.param(rng, 1, 3, 3);
        Tensor sin1 = Rand.param(rng, 1, 3, 3);
        GradCheck.check("rotary shared tables", in -> Ops.rotary(in[0], in[1], in[2]), Rand.param(rng, 2, 2, 3, 6), cos1, sin1);
        Tensor[] cs = RotaryTables.tables(new int[][] {{1, 2, 3}}, RotaryTables.inverseFrequencies(4, 10000));
        GradCheck.check("rotary frozen tables", in -> Ops.rotary(in[0], cs[0], cs[1]), Rand.param(rng, 1, 2, 3, 6));
        assertThat(cs[0].grad()).isNull();
    }

    @Test
    void shapeErrorsNameTheOpAndShapes() {
        Tensor x = Tensor.zeros(1, 2, 3, 8);
        assertThatThrownBy(() -> Ops.rotary(x, Tensor.zeros(1, 3, 2), Tensor.zeros(1, 3, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rotary").hasMessageContaining("[1, 3, 2]").hasMessageContaining("[1, 3, 3]");
        assertThatThrownBy(() -> Ops.rotary(x, Tensor.zeros(1, 4, 2), Tensor.zeros(1, 4, 2)))
                .hasMessageContaining("rotary").hasMessageContaining("[1, 4, 2]").hasMessageContaining("[1, 2, 3, 8]");
        assertThatThrownBy(() -> Ops.rotary(x, Tensor.zeros(1, 3, 5), Tensor.zeros(1, 3, 5)))
                .hasMessageContaining("rot/2");
        assertThatThrownBy(() -> Ops.rotary(Tensor.zeros(2, 3, 8), Tensor.zeros(1, 3, 2), Tensor.zeros(1, 3, 2)))
                .hasMessageContaining("[2, 3, 8]");
    }
}
