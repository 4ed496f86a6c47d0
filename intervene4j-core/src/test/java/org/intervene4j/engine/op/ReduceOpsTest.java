package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

class ReduceOpsTest {

    /** Sum (or mean or max) over dim of x [d0, d1, d2] in double, as a flat array of the kept dims. */
    private static double[] reference(Tensor x, int dim, String kind) {
        int[] s = x.shape();
        double[] v = Rand.doubles(x);
        int outer = 1;
        for (int i = 0; i < dim; i++) outer *= s[i];
        int len = s[dim];
        int inner = 1;
        for (int i = dim + 1; i < s.length; i++) inner *= s[i];
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = kind.equals("max") ? Double.NEGATIVE_INFINITY : 0;
                for (int j = 0; j < len; j++) {
                    double e = v[(o * len + j) * inner + i];
                    acc = kind.equals("max") ? Math.max(acc, e) : acc + e;
                }
                out[o * inner + i] = kind.equals("mean") ? acc / len : acc;
            }
        }
        return out;
    }

    @Test
    void sumsAndMeansMatchFloat64() {
        Random rng = new Random(1);
        KernelModes.each(vector -> {
            for (Tensor x : new Tensor[] {Tensor.randn(rng, 1f, 3, 17, 5), Rand.transposedView(rng, 4, 33, 6)}) {
                double total = 0;
                for (double d : Rand.doubles(x)) total += d;
                Reference.assertClose("sum", Ops.sum(x).item(), total, 1e-6, 1e-5);
                assertThat(Ops.sum(x).shape()).isEmpty();
                Reference.assertClose("mean", Ops.mean(x).item(), total / x.numel(), 1e-6, 1e-6);
                for (int dim = 0; dim < 3; dim++) {
                    for (String kind : new String[] {"sum", "mean", "max"}) {
                        double[] expected = reference(x, dim, kind);
                        Tensor keep = reduce(kind, x, dim, true);
                        Tensor drop = reduce(kind, x, dim, false);
                        int[] keptShape = x.shape();
                        keptShape[dim] = 1;
                        assertThat(keep.shape()).isEqualTo(keptShape);
                        assertThat(drop.dim()).isEqualTo(2);
                        float[] got = drop.toFloatArray();
                        for (int i = 0; i < got.length; i++) {
                            Reference.assertClose(kind + " dim " + dim + " [" + i + "]", got[i], expected[i], 1e-6, 1e-6);
                        }
                        assertThat(keep.toFloatArray()).isEqualTo(got);
                    }
                }
            }
        });
        // Negative dims count from the end.
        Tensor x = Tensor.randn(rng, 1f, 2, 3);
        assertThat(Ops.sum(x, -1, false).toFloatArray()).isEqualTo(Ops.sum(x, 1, false).toFloatArray());
    }

    @Test
    void wideReductionsOverLeadingDimsSpanSeveralColumnBlocks() {
        Tensor x = Tensor.randn(new Random(11), 1f, 3, 9001);
        for (String kind : new String[] {"sum", "mean", "max"}) {
            double[] expected = reference(x, 0, kind);
            float[] got = reduce(kind, x, 0, false).toFloatArray();
            for (int i = 0; i < got.length; i++) Reference.assertClose(kind + " [" + i + "]", got[i], expected[i], 1e-6, 1e-6);
        }
    }

    private static Tensor reduce(String kind, Tensor x, int dim, boolean keep) {
        switch (kind) {
            case "sum": return Ops.sum(x, dim, keep);
            case "mean": return Ops.mean(x, dim, keep);
            default: return Ops.max(x, dim, keep);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(2);
        Tensor x = Rand.param(rng, 3, 4, 5);
        GradCheck.check("sum", in -> Ops.sum(in[0]), x);
        GradCheck.check("mean", in -> Ops.mean(in[0]), x);
        for (int dim = 0; dim < 3; dim++) {
            int d = dim;
            for (boolean keep : new boolean[] {true, false}) {
                GradCheck.check("sum dim " + d, in -> Ops.sum(in[0], d, keep), x);
                GradCheck.check("mean dim " + d, in -> Ops.mean(in[0], d, keep), x);
                // Gaussian values: no ties within 2h of each other in practice (seeded).
                GradCheck.check("max dim " + d, 1e-3, 1e-2, 2e-3, 64, in -> Ops.max(in[0], d, keep), x);
            }
        }
        Tensor view = Rand.transposedView(rng, 6, 5).detach().requiresGrad(true);
        GradCheck.check("mean of a view", in -> Ops.mean(in[0], 0, false), view);
    }

    @Test
    void maxGradientGoesToTheFirstArgMaxOnly() {
        Tensor x = Tensor.of(new float[] {1f, 3f, 3f, 2f, 5f, 5f, 0f, 5f}, 2, 4).requiresGrad(true);
        KernelModes.each(vector -> {
            x.zeroGrad();
            Tensor m = Ops.max(x, 1, false);
            assertThat(m.toFloatArray()).containsExactly(3f, 5f);
            Ops.sum(m).backward();
            assertThat(x.grad().toFloatArray()).containsExactly(0f, 1f, 0f, 0f, 1f, 0f, 0f, 0f);
            x.zeroGrad();
            Tensor col = Ops.max(x, 0, true);
            assertThat(col.toFloatArray()).containsExactly(5f, 5f, 3f, 5f);
            Ops.sum(col).backward();
            assertThat(x.grad().toFloatArray()).containsExactly(0f, 0f, 1f, 0f, 1f, 1f, 0f, 1f);
            // A tie down a column: the first row wins.
            Tensor tie = Tensor.of(new float[] {4f, 1f, 4f, 2f}, 2, 2).requiresGrad(true);
            Ops.sum(Ops.max(tie, 0, false)).backward();
            assertThat(tie.grad().toFloatArray()).containsExactly(1f, 0f, 0f, 1f);
        });
        Tensor withNaN = Tensor.of(new float[] {1f, Float.NaN, 7f}, 3);
        KernelModes.each(vector -> assertThat(Ops.max(withNaN, 0, false).item()).isNaN());
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        for (int n : new int[] {1, 3, 17, 65, 1000, 40_000}) {
            Random rng = new Random(n);
            Tensor x = Tensor.randn(rng, 1f, 3, n);
            float[][] s = KernelModes.both(() -> new float[] {Ops.sum(x).item(), Ops.mean(x).item()});
            Reference.assertArraysClose("sum/mean n=" + n, s[0], s[1], 1e-5, 1e-4);
            for (int dim = 0; dim < 2; dim++) {
                int d = dim;
                float[][] sd = KernelModes.both(() -> Ops.sum(x, d, false).toFloatArray());
                Reference.assertArraysClose("sum dim " + d + " n=" + n, sd[0], sd[1], 1e-5, 1e-5);
                float[][] md = KernelModes.both(() -> Ops.max(x, d, false).toFloatArray());
                Reference.assertArraysClose("max dim " + d + " n=" + n, md[0], md[1], 0, 0);
            }
        }
        Tensor t = Rand.transposedView(new Random(5), 65, 17);
        float[][] r = KernelModes.both(() -> Ops.mean(t, 1, true).toFloatArray());
        Reference.assertArraysClose("mean of a transposed view", r[0], r[1], 1e-5, 1e-6);
    }

    @Test
    void frozenInputsAndErrors() {
        Tensor frozen = Tensor.randn(new Random(6), 1f, 2, 3);
        assertThat(Ops.sum(frozen, 0, false).requiresGrad()).isFalse();
        assertThatThrownBy(() -> Ops.sum(frozen, 2, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum").hasMessageContaining("rank 2");
        assertThatThrownBy(() -> Ops.max(Tensor.zeros(2, 0), 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max").hasMessageContaining("[2, 0]");
        assertThat(Ops.mean(Tensor.zeros(0)).item()).isNaN();
        assertThat(Ops.sum(Tensor.zeros(3, 0), 1, false).toFloatArray()).containsExactly(0f, 0f, 0f);
    }
}
