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

class NormTest {
    static final float EPS = 1e-5f;

    /** float64 layer norm (rms = false) or RMS norm (rms = true); gamma/beta may be null. */
    static double[] ref(double[] x, int d, double[] gamma, double[] beta, boolean rms) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / d; r++) {
            double mean = 0;
            if (!rms) {
                for (int j = 0; j < d; j++) mean += x[r * d + j];
                mean /= d;
            }
            double var = 0;
            for (int j = 0; j < d; j++) var += (x[r * d + j] - mean) * (x[r * d + j] - mean);
            var /= d;
            double rstd = 1 / Math.sqrt(var + EPS);
            for (int j = 0; j < d; j++) {
                double v = (x[r * d + j] - mean) * rstd;
                if (gamma != null) v *= gamma[j];
                if (beta != null) v += beta[j];
                y[r * d + j] = v;
            }
        }
        return y;
    }

    static double[] d(Tensor t) {
        return t == null ? null : RowRef.doubles(t);
    }

    @Test
    void forwardMatchesFloat64WithAndWithoutAffine() {
        Random rng = new Random(1);
        for (int n : new int[] {1, 3, 17, 65, 1000}) {
            // offset mean: the two-pass variance must not lose precision
            Tensor x = Tensor.randn(rng, 2f, 2, 3, n);
            Tensor shifted = Ops.layerNorm(x, null, null, EPS);
            Tensor g = Tensor.randn(rng, 1f, n);
            Tensor b = Tensor.randn(rng, 1f, n);
            assertClose("layerNorm n=" + n, shifted, ref(d(x), n, null, null, false), 2e-5);
            assertClose("layerNorm affine n=" + n, Ops.layerNorm(x, g, b, EPS), ref(d(x), n, d(g), d(b), false), 2e-5);
            assertClose("layerNorm gamma only n=" + n, Ops.layerNorm(x, g, null, EPS), ref(d(x), n, d(g), null, false), 2e-5);
            assertClose("rmsNorm n=" + n, Ops.rmsNorm(x, null, EPS), ref(d(x), n, null, null, true), 2e-5);
            assertClose("rmsNorm gamma n=" + n, Ops.rmsNorm(x, g, EPS), ref(d(x), n, d(g), null, true), 2e-5);
        }
    }

    @Test
    void rowsWithLargeMeanAndTinySpreadStayCentered() {
        // mean 1000, std 0.01: rounding the mean to float shifts x - mean by up to 3e-5, i.e.
        // 3e-3 in normalized units, unless the kernel corrects the centering
        Random rng = new Random(11);
        int n = 300;
        float[] v = new float[2 * n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (1000 + 0.01 * rng.nextGaussian());
        Tensor x = Tensor.of(v, 2, n).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 1f, n);
        for (boolean vec : new boolean[] {false, true}) {
            boolean was = org.intervene4j.engine.kernel.KernelConfig.vectorized();
            try {
                org.intervene4j.engine.kernel.KernelConfig.setVectorized(vec);
                assertClose("layerNorm mean 1000 std 0.01 vector=" + vec, Ops.layerNorm(x, g, null, EPS),
                        ref(d(x), n, d(g), null, false), 5e-4);
            } finally {
                org.intervene4j.engine.kernel.KernelConfig.setVectorized(was);
            }
        }
        float[] y = Ops.layerNorm(x, null, null, 0f).toFloatArray();
        double mean = 0;
        for (int j = 0; j < n; j++) mean += y[j];
        assertThat(Math.abs(mean / n)).isLessThan(1e-5);
    }

    @Test
    void nonContiguousInput() {
        Random rng = new Random(2);
        Tensor x = Rand.transposedView(rng, 6, 10);
        Tensor g = Tensor.randn(rng, 1f, 10);
        assertClose("layerNorm transposed", Ops.layerNorm(x, g, g, EPS), ref(d(x), 10, d(g), d(g), false), 2e-5);
        assertClose("rmsNorm transposed", Ops.rmsNorm(x, g, EPS), ref(d(x), 10, d(g), null, true), 2e-5);
    }

    @Test
    void gradientsOfAllInputsMatchFiniteDifferences() {
        Random rng = new Random(3);
        GradCheck.check("layerNorm x,gamma,beta", in -> Ops.layerNorm(in[0], in[1], in[2], EPS),
                Rand.param(rng, 3, 2, 6), Rand.param(rng, 6), Rand.param(rng, 6));
        GradCheck.check("layerNorm no affine", in -> Ops.layerNorm(in[0], null, null, EPS), Rand.param(rng, 4, 5));
        GradCheck.check("rmsNorm x,gamma", in -> Ops.rmsNorm(in[0], in[1], EPS), Rand.param(rng, 3, 2, 6), Rand.param(rng, 6));
        GradCheck.check("rmsNorm no affine", in -> Ops.rmsNorm(in[0], null, EPS), Rand.param(rng, 4, 5));
        Tensor xt = Rand.transposedView(rng, 4, 7).requiresGrad(true);
        GradCheck.check("layerNorm transposed x", in -> Ops.layerNorm(in[0], in[1], null, EPS), xt, Rand.param(rng, 7));
    }

    @Test
    void frozenParametersGetNoGradient() {
        Random rng = new Random(4);
        Tensor x = Rand.param(rng, 3, 4);
        Tensor g = Tensor.randn(rng, 1f, 4); // frozen
        Tensor b = Rand.param(rng, 4);
        Ops.layerNorm(x, g, b, EPS).backward(Tensor.randn(rng, 1f, 3, 4));
        assertThat(g.grad()).isNull();
        assertThat(b.grad()).isNotNull();
        assertThat(x.grad()).isNotNull();
        // only gamma trainable: x gets nothing
        Tensor xf = Tensor.randn(rng, 1f, 3, 4);
        Tensor gt = Rand.param(rng, 4);
        Ops.rmsNorm(xf, gt, EPS).backward(Tensor.randn(rng, 1f, 3, 4));
        assertThat(xf.grad()).isNull();
        assertThat(gt.grad()).isNotNull();
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        Random rng = new Random(5);
        for (int n : new int[] {1, 3, 17, 65, 1000}) {
            Tensor x = Rand.param(rng, 5, n);
            Tensor xt = Rand.transposedView(rng, n, 5).transpose(0, 1);
            Tensor g = Rand.param(rng, n);
            Tensor b = Rand.param(rng, n);
            Tensor w = Tensor.randn(rng, 1f, 5, n);
            assertKernelsAgree("layerNorm n=" + n, () -> Ops.layerNorm(x, g, b, EPS));
            assertKernelsAgree("layerNorm strided n=" + n, () -> Ops.layerNorm(xt, g, b, EPS));
            assertKernelsAgree("rmsNorm n=" + n, () -> Ops.rmsNorm(x, g, EPS));
            assertKernelsAgree("rmsNorm strided n=" + n, () -> Ops.rmsNorm(xt, null, EPS));
            for (int which = 0; which < 3; which++) {
                Tensor target = which == 0 ? x : which == 1 ? g : b;
                assertKernelsAgree("layerNorm backward input " + which + " n=" + n, () -> {
                    x.zeroGrad();
                    g.zeroGrad();
                    b.zeroGrad();
                    Ops.layerNorm(x, g, b, EPS).backward(w);
                    return target.grad();
                });
            }
            for (int which = 0; which < 2; which++) {
                Tensor target = which == 0 ? x : g;
                assertKernelsAgree("rmsNorm backward input " + which + " n=" + n, () -> {
                    x.zeroGrad();
                    g.zeroGrad();
                    Ops.rmsNorm(x, g, EPS).backward(w);
                    return target.grad();
                });
            }
        }
    }

    @Test
    void gammaOrBetaOfTheWrongSizeIsRejected() {
        Tensor x = Tensor.zeros(2, 4);
        assertThatThrownBy(() -> Ops.layerNorm(x, Tensor.ones(5), null, EPS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layerNorm").hasMessageContaining("gamma")
                .hasMessageContaining("[5]").hasMessageContaining("[2, 4]");
        assertThatThrownBy(() -> Ops.layerNorm(x, null, Tensor.ones(1, 4), EPS))
                .hasMessageContaining("beta").hasMessageContaining("[1, 4]");
        assertThatThrownBy(() -> Ops.rmsNorm(x, Tensor.ones(3), EPS))
                .hasMessageContaining("rmsNorm").hasMessageContaining("[3]");
    }

    @Property(tries = 40)
    void layerNormRowsHaveMeanZeroAndUnitVariance(@ForAll @IntRange(min = 1, max = 4) int rows,
                                                 @ForAll @IntRange(min = 2, max = 300) int n,
                                                 @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        float[] v = new float[rows * n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (10 + 3 * rng.nextGaussian()); // non-zero mean
        float[] y = Ops.layerNorm(Tensor.of(v, rows, n), null, null, 0f).toFloatArray();
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            double sq = 0;
            for (int j = 0; j < n; j++) mean += y[r * n + j];
            mean /= n;
            for (int j = 0; j < n; j++) sq += (y[r * n + j] - mean) * (y[r * n + j] - mean);
            assertThat(mean).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(sq / n).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Property(tries = 40)
    void rmsNormRowsHaveUnitMeanSquare(@ForAll @IntRange(min = 1, max = 4) int rows,
                                       @ForAll @IntRange(min = 1, max = 300) int n,
                                       @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Tensor x = Tensor.randn(new Random(seed), 4f, rows, n);
        float[] y = Ops.rmsNorm(x, null, 0f).toFloatArray();
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int j = 0; j < n; j++) sq += (double) y[r * n + j] * y[r * n + j];
            assertThat(sq / n).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-5));
        }
    }
}
