package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UnaryOpsTest {

    /** An op, its float64 reference, and the input domain it is tested on. */
    private static final class Case {
        final String name;
        final UnaryOperator<Tensor> op;
        final DoubleUnaryOperator ref;
        final boolean positiveOnly;

        Case(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, boolean positiveOnly) {
            this.name = name;
            this.op = op;
            this.ref = ref;
            this.positiveOnly = positiveOnly;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("scale", x -> Ops.scale(x, -1.7f), v -> -1.7f * v, false),
                new Case("addScalar", x -> Ops.addScalar(x, 0.3f), v -> (double) (float) (v + 0.3f), false),
                new Case("neg", Ops::neg, v -> -v, false),
                new Case("exp", Ops::exp, Math::exp, false),
                new Case("log", Ops::log, Math::log, true),
                new Case("sqrt", Ops::sqrt, Math::sqrt, true),
                new Case("square", Ops::square, v -> v * v, false),
                new Case("tanh", Ops::tanh, Math::tanh, false),
                new Case("sigmoid", Ops::sigmoid, Reference::sigmoid, false),
                new Case("relu", Ops::relu, v -> Math.max(v, 0), false),
                new Case("gelu", Ops::gelu, Reference::gelu, false),
                new Case("geluErf", Ops::geluErf, Reference::geluErf, false),
                new Case("silu", Ops::silu, v -> v * Reference.sigmoid(v), false),
                new Case("clamp", x -> Ops.clamp(x, -0.5f, 0.8f), v -> Math.min(Math.max(v, -0.5), 0.8), false))
                .map(Arguments::of);
    }

    /** Gaussian values (scale 3), a few tiny and large ones; positive (>= 0.05) for log and sqrt. */
    private static Tensor inputs(Case c, Random rng, int... shape) {
        Tensor t = Tensor.randn(rng, 3f, shape);
        float[] d = t.data();
        float[] special = {1e-6f, -1e-6f, 3e-4f, -2e-3f, 0.29f, -0.31f, 8f, -8f, 20f, -20f};
        for (int i = 0; i < special.length && i < d.length; i++) d[i * 7 % d.length] = special[i];
        if (c.positiveOnly) for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]) + 0.05f;
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesFloat64WithBothKernels(Case c) {
        Tensor x = inputs(c, new Random(1), 9, 37);
        KernelModes.each(vector -> Reference.assertMap(c.name + (vector ? " (vector)" : " (scalar)"),
                x, c.op.apply(x), c.ref, 1e-6, 1e-37));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardReadsNonContiguousViews(Case c) {
        Random rng = new Random(2);
        Tensor t = Rand.transposedView(rng, 6, 9);
        if (c.positiveOnly) t = Ops.addScalar(Ops.square(t), 0.1f).transpose(0, 1).contiguous().transpose(0, 1);
        assertThat(t.isContiguous()).isFalse();
        Tensor x = t;
        KernelModes.each(vector -> Reference.assertMap(c.name + " transposed", x, c.op.apply(x), c.ref, 1e-6, 1e-37));
        Tensor narrowed = x.narrow(1, 2, 5);
        Reference.assertMap(c.name + " narrowed", narrowed, c.op.apply(narrowed), c.ref, 1e-6, 1e-37);
        Tensor selected = x.select(1, 3);
        Reference.assertMap(c.name + " selected", selected, c.op.apply(selected), c.ref, 1e-6, 1e-37);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(Case c) {
        Random rng = new Random(3);
        Tensor x = Tensor.randn(rng, 1.5f, 4, 6);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            if (c.positiveOnly) d[i] = Math.abs(d[i]) + 0.3f;
            // Keep relu's kink at 0 and clamp's bounds -0.5, 0.8 out of the finite-difference stencil.
            if (c.name.equals("relu") && Math.abs(d[i]) < 0.05f) d[i] += 0.2f;
            if (c.name.equals("clamp") && (Math.abs(d[i] + 0.5f) < 0.05f || Math.abs(d[i] - 0.8f) < 0.05f)) d[i] += 0.15f;
        }
        x.requiresGrad(true);
        KernelModes.each(vector -> GradCheck.check(c.name + (vector ? " vector" : " scalar"), in -> c.op.apply(in[0]), x));
        Tensor view = Rand.transposedView(rng, 5, 4);
        float[] v = view.data();
        for (int i = 0; i < v.length; i++) {
            if (c.positiveOnly) v[i] = Math.abs(v[i]) + 0.3f;
            if (Math.abs(v[i]) < 0.05f || Math.abs(v[i] + 0.5f) < 0.05f || Math.abs(v[i] - 0.8f) < 0.05f) v[i] += 0.15f;
        }
        Tensor leaf = view.detach().requiresGrad(true);
        GradCheck.check(c.name + " on a transposed view", in -> c.op.apply(in[0]), leaf);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vectorAndScalarKernelsAgreeOnAwkwardSizes(Case c) {
        for (int n : new int[] {1, 3, 17, 65, 1000, 40_000}) {
            Tensor x = inputs(c, new Random(n), n);
            Tensor g = Tensor.randn(new Random(n + 1), 1f, n);
            float[][] fwd = KernelModes.both(() -> c.op.apply(x).toFloatArray());
            Reference.assertArraysClose(c.name + " forward n=" + n, fwd[0], fwd[1], 1e-5, 1e-30);
            Tensor leaf = x.detach().requiresGrad(true);
            float[][] bwd = KernelModes.both(() -> {
                leaf.zeroGrad();
                c.op.apply(leaf).backward(g);
                return leaf.grad().toFloatArray();
            });
            // Derivatives like 1 - y^2 amplify one-ulp differences of y where they are small: compare
            // relative to the gradient's scale (g ~ N(0, 1)) there.
            Reference.assertArraysClose(c.name + " backward n=" + n, bwd[0], bwd[1], 1e-5, 1e-6);
        }
        Tensor t = Rand.transposedView(new Random(9), 17, 5);
        Tensor x = c.positiveOnly ? Ops.addScalar(Ops.square(t), 0.1f) : t;
        float[][] fwd = KernelModes.both(() -> c.op.apply(x).toFloatArray());
        Reference.assertArraysClose(c.name + " transposed view", fwd[0], fwd[1], 1e-5, 1e-30);
    }

    @Test
    void expandedViewsWithZeroStridesAreRead() {
        Tensor col = Tensor.of(new float[] {0.5f, -1f, 2f}, 3, 1);
        Tensor wide = col.expand(3, 70);
        KernelModes.each(vector -> {
            Tensor y = Ops.exp(wide);
            for (int i = 0; i < 3; i++) for (int j = 0; j < 70; j++) {
                assertThat(y.get(i, j)).isEqualTo((float) Math.exp(col.get(i, 0)));
            }
        });
        Tensor leaf = col.detach().requiresGrad(true);
        Ops.sum(Ops.square(leaf.expand(3, 70))).backward();
        assertThat(leaf.grad().toFloatArray()).containsExactly(70f * 2 * 0.5f, 70f * 2 * -1f, 70f * 2 * 2f);
    }

    @Test
    void frozenInputsGetNoGradientAndOutputsStayOutOfTheGraph() {
        Tensor frozen = Tensor.randn(new Random(4), 1f, 3, 4);
        Tensor y = Ops.gelu(frozen);
        assertThat(y.requiresGrad()).isFalse();
        assertThat(y.gradFn()).isNull();
        Tensor x = Rand.param(new Random(5), 3, 4);
        Ops.sum(Ops.tanh(x)).backward();
        assertThat(frozen.grad()).isNull();
        assertThat(x.grad()).isNotNull();
    }

    @Test
    void nonFiniteValuesFollowIeee() {
        Tensor x = Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -1f}, 5);
        KernelModes.each(vector -> {
            float[] e = Ops.exp(x).toFloatArray();
            assertThat(e[0]).isNaN();
            assertThat(e[1]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(e[2]).isEqualTo(0f);
            float[] l = Ops.log(x).toFloatArray();
            assertThat(l[3]).isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(l[4]).isNaN();
            float[] t = Ops.tanh(x).toFloatArray();
            assertThat(t[1]).isEqualTo(1f);
            assertThat(t[2]).isEqualTo(-1f);
            float[] s = Ops.sigmoid(x).toFloatArray();
            assertThat(s[1]).isEqualTo(1f);
            assertThat(s[2]).isEqualTo(0f);
            assertThat(Ops.relu(x).toFloatArray()[0]).isNaN();
        });
    }

    @Test
    void clampRejectsInvertedBounds() {
        Tensor x = Tensor.zeros(2, 3);
        assertThatThrownBy(() -> Ops.clamp(x, 1f, -1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clamp").hasMessageContaining("[2, 3]");
    }

    @Test
    void scalarTensorsWork() {
        Tensor s = Tensor.scalar(0.5f).requiresGrad(true);
        Tensor y = Ops.exp(s);
        assertThat(y.shape()).isEmpty();
        assertThat(y.item()).isCloseTo((float) Math.exp(0.5), org.assertj.core.data.Offset.offset(1e-6f));
        y.backward();
        assertThat(s.grad().item()).isCloseTo((float) Math.exp(0.5), org.assertj.core.data.Offset.offset(1e-6f));
    }
}
