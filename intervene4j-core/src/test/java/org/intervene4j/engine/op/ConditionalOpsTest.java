package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

class ConditionalOpsTest {

    /** A 0/1 mask with roughly half ones. */
    private static Tensor mask(Random rng, int... shape) {
        Tensor m = Tensor.zerosPersistent(shape);
        float[] d = m.data();
        for (int i = 0; i < d.length; i++) d[i] = rng.nextBoolean() ? 1f : 0f;
        return m;
    }

    @Test
    void whereSelectsWithBroadcasting() {
        Random rng = new Random(1);
        KernelModes.each(vector -> {
            Tensor c = mask(rng, 4, 1, 19);
            Tensor a = Tensor.randn(rng, 1f, 3, 19);
            Tensor b = Tensor.randn(rng, 1f, 4, 3, 1);
            Tensor out = Ops.where(c, a, b);
            assertThat(out.shape()).containsExactly(4, 3, 19);
            for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 19; k++) {
                float expected = c.get(i, 0, k) != 0 ? a.get(j, k) : b.get(i, j, 0);
                assertThat(out.get(i, j, k)).isEqualTo(expected);
            }
        });
    }

    @Test
    void whereGradientsGoToTheSelectedSideAndNeverToTheCondition() {
        Random rng = new Random(2);
        Tensor c = mask(rng, 3, 5);
        Tensor a = Rand.param(rng, 3, 5);
        Tensor b = Rand.param(rng, 5);
        GradCheck.check("where", in -> Ops.where(c, in[0], in[1]), a, b);
        // A condition that itself requires grad gets none (and backward does not fail).
        Tensor cond = Tensor.randn(rng, 1f, 3, 5).requiresGrad(true);
        Tensor x = Rand.param(rng, 3, 5);
        Ops.sum(Ops.where(Ops.relu(cond), x, Tensor.scalar(0f))).backward();
        assertThat(cond.grad()).isNull();
        float[] gx = x.grad().toFloatArray();
        float[] cv = cond.toFloatArray();
        for (int i = 0; i < gx.length; i++) assertThat(gx[i]).isEqualTo(cv[i] > 0 ? 1f : 0f);
    }

    @Test
    void maskedFillReplacesMaskedPositions() {
        Random rng = new Random(3);
        Tensor scores = Rand.param(rng, 2, 4, 4);
        Tensor causal = Tensor.zerosPersistent(4, 4);
        for (int i = 0; i < 4; i++) for (int j = i + 1; j < 4; j++) causal.set(1f, i, j);
        KernelModes.each(vector -> {
            Tensor out = Ops.maskedFill(scores, causal, Float.NEGATIVE_INFINITY);
            for (int b = 0; b < 2; b++) for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) {
                float expected = j > i ? Float.NEGATIVE_INFINITY : scores.get(b, i, j);
                assertThat(out.get(b, i, j)).isEqualTo(expected);
            }
        });
        GradCheck.check("maskedFill", in -> Ops.maskedFill(in[0], causal, -3f), scores);
        scores.zeroGrad();
        Ops.sum(Ops.maskedFill(scores, causal, 7f)).backward();
        float[] g = scores.grad().toFloatArray();
        for (int b = 0; b < 2; b++) for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) {
            assertThat(g[(b * 4 + i) * 4 + j]).isEqualTo(j > i ? 0f : 1f);
        }
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        for (int n : new int[] {1, 3, 17, 65, 1000, 40_000}) {
            Random rng = new Random(n);
            Tensor c = mask(rng, n);
            Tensor a = Tensor.randn(rng, 1f, 2, n);
            Tensor b = Tensor.randn(rng, 1f, n);
            float[][] r = KernelModes.both(() -> Ops.where(c, a, b).toFloatArray());
            Reference.assertArraysClose("where n=" + n, r[0], r[1], 0, 0);
            Tensor col = mask(rng, 2, 1);
            float[][] r2 = KernelModes.both(() -> Ops.where(col, a, Tensor.scalar(5f)).toFloatArray());
            Reference.assertArraysClose("where column n=" + n, r2[0], r2[1], 0, 0);
        }
        Random rng = new Random(9);
        Tensor c = Rand.transposedView(rng, 17, 9);
        Tensor a = Rand.transposedView(rng, 17, 9);
        Tensor b = Tensor.randn(rng, 1f, 17, 9);
        float[][] r = KernelModes.both(() -> Ops.where(c, a, b).toFloatArray());
        Reference.assertArraysClose("where transposed", r[0], r[1], 0, 0);
        float[] cv = c.toFloatArray();
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        for (int i = 0; i < cv.length; i++) assertThat(r[0][i]).isEqualTo(cv[i] != 0 ? av[i] : bv[i]);
    }

    @Test
    void errorsNameTheOpAndShapes() {
        assertThatThrownBy(() -> Ops.where(Tensor.zeros(2, 3), Tensor.zeros(4), Tensor.zeros(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("where").hasMessageContaining("[2, 3]").hasMessageContaining("[4]");
        assertThatThrownBy(() -> Ops.maskedFill(Tensor.zeros(2, 3), Tensor.zeros(4, 2, 3), 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maskedFill").hasMessageContaining("[4, 2, 3]").hasMessageContaining("[2, 3]");
    }
}
