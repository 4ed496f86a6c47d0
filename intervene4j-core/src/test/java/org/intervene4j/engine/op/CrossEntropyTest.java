package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

class CrossEntropyTest {
    static final int IGNORE = -100;

    /** float64 mean NLL over non-ignored targets. */
    static double refLoss(double[] x, int classes, int[] targets) {
        double total = 0;
        int count = 0;
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] == IGNORE) continue;
            double m = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) m = Math.max(m, x[r * classes + c]);
            double s = 0;
            for (int c = 0; c < classes; c++) s += Math.exp(x[r * classes + c] - m);
            total += m + Math.log(s) - x[r * classes + targets[r]];
            count++;
        }
        return count == 0 ? 0 : total / count;
    }

    /** float64 gradient of the mean loss. */
    static double[] refGrad(double[] x, int classes, int[] targets) {
        double[] g = new double[x.length];
        int count = 0;
        for (int t : targets) if (t != IGNORE) count++;
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] == IGNORE) continue;
            double m = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) m = Math.max(m, x[r * classes + c]);
            double s = 0;
            for (int c = 0; c < classes; c++) s += Math.exp(x[r * classes + c] - m);
            for (int c = 0; c < classes; c++) {
                g[r * classes + c] = (Math.exp(x[r * classes + c] - m) / s - (c == targets[r] ? 1 : 0)) / count;
            }
        }
        return g;
    }

    @Test
    void lossAndGradientMatchFloat64WithIgnoredTargets() {
        Random rng = new Random(1);
        for (int classes : new int[] {1, 3, 17, 65, 1000, 50257}) {
            int n = classes > 1000 ? 3 : 6;
            Tensor x = Tensor.randn(rng, 4f, n, classes).requiresGrad(true);
            int[] t = new int[n];
            for (int i = 0; i < n; i++) t[i] = i % 3 == 1 ? IGNORE : rng.nextInt(classes);
            Tensor loss = Ops.crossEntropy(x, t, IGNORE);
            assertThat(loss.dim()).isZero();
            double want = refLoss(RowRef.doubles(x), classes, t);
            double err = Math.abs(loss.item() - want) / Math.max(1, Math.abs(want));
            System.out.printf("[maxerr] crossEntropy loss classes=%d: %.3g%n", classes, err);
            assertThat(err).isLessThanOrEqualTo(1e-6);
            loss.backward();
            RowRef.assertClose("crossEntropy grad classes=" + classes, x.grad(), refGrad(RowRef.doubles(x), classes, t), 1e-6);
        }
    }

    @Test
    void nonContiguousLogits() {
        Random rng = new Random(2);
        Tensor x = Rand.transposedView(rng, 5, 9).requiresGrad(true);
        int[] t = {0, 8, IGNORE, 3, 4};
        Tensor loss = Ops.crossEntropy(x, t, IGNORE);
        assertThat((double) loss.item()).isCloseTo(refLoss(RowRef.doubles(x), 9, t), org.assertj.core.data.Offset.offset(1e-5));
        GradCheck.check("crossEntropy transposed", in -> Ops.crossEntropy(in[0], t, IGNORE), x);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Random rng = new Random(3);
        int[] t = {2, IGNORE, 0, 6};
        GradCheck.check("crossEntropy", in -> Ops.crossEntropy(in[0], t, IGNORE), Rand.param(rng, 4, 7));
    }

    @Test
    void allTargetsIgnoredGivesZeroLossAndZeroGradient() {
        Tensor x = Rand.param(new Random(4), 3, 5);
        Tensor loss = Ops.crossEntropy(x, new int[] {IGNORE, IGNORE, IGNORE}, IGNORE);
        assertThat(loss.item()).isEqualTo(0f);
        loss.backward();
        assertThat(x.grad().toFloatArray()).containsOnly(0f);
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        Random rng = new Random(5);
        for (int classes : new int[] {1, 3, 17, 65, 1000}) {
            Tensor x = Rand.param(rng, 4, classes);
            int[] t = {0, classes - 1, IGNORE, classes / 2};
            assertKernelsAgree("crossEntropy loss classes=" + classes, () -> Ops.crossEntropy(x, t, IGNORE));
            assertKernelsAgree("crossEntropy grad classes=" + classes, () -> {
                x.zeroGrad();
                Ops.crossEntropy(x, t, IGNORE).backward();
                return x.grad();
            });
        }
    }

    @Test
    void badTargetsAreReportedWithIndexAndPosition() {
        Tensor x = Tensor.zeros(3, 4);
        assertThatThrownBy(() -> Ops.crossEntropy(x, new int[] {0, 4, 1}, IGNORE))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("crossEntropy").hasMessageContaining("target 4")
                .hasMessageContaining("position 1").hasMessageContaining("4 classes");
        assertThatThrownBy(() -> Ops.crossEntropy(x, new int[] {0, -1, 1}, IGNORE))
                .hasMessageContaining("target -1").hasMessageContaining("position 1");
        assertThatThrownBy(() -> Ops.crossEntropy(x, new int[] {0, 1}, IGNORE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("crossEntropy").hasMessageContaining("[3, 4]");
        assertThatThrownBy(() -> Ops.crossEntropy(Tensor.zeros(2, 3, 4), new int[] {0, 1}, IGNORE))
                .hasMessageContaining("[2, 3, 4]");
    }

    @Property(tries = 40)
    void lossIsTheMeanNegativeLogSoftmaxAtTheTargets(@ForAll @IntRange(min = 1, max = 6) int n,
                                                     @ForAll @IntRange(min = 1, max = 200) int classes,
                                                     @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        Tensor x = Tensor.randn(rng, 3f, n, classes);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(4) == 0 ? IGNORE : rng.nextInt(classes);
        float[] logp = Ops.logSoftmax(x).toFloatArray();
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == IGNORE) continue;
            sum -= logp[i * classes + t[i]];
            count++;
        }
        double want = count == 0 ? 0 : sum / count;
        assertThat((double) Ops.crossEntropy(x, t, IGNORE).item())
                .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(want))));
    }
}
