package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BinaryOpsTest {

    static BinaryOperator<Tensor> op(String name) {
        switch (name) {
            case "add": return Ops::add;
            case "sub": return Ops::sub;
            case "mul": return Ops::mul;
            default: return Ops::div;
        }
    }

    static DoubleBinaryOperator ref(String name) {
        switch (name) {
            case "add": return (x, y) -> x + y;
            case "sub": return (x, y) -> x - y;
            case "mul": return (x, y) -> x * y;
            default: return (x, y) -> x / y;
        }
    }

    /** Values away from 0 (divisors). */
    static Tensor nonZero(Random rng, int... shape) {
        Tensor t = Tensor.randn(rng, 1f, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (d[i] < 0 ? -0.5f : 0.5f) + d[i];
        return t;
    }

    /** The broadcast result computed element by element in double. */
    static double[] broadcastReference(Tensor a, Tensor b, DoubleBinaryOperator f) {
        int[] shape = Shapes.broadcast("ref", a.shape(), b.shape());
        int n = Shapes.numel(shape);
        double[] out = new double[n];
        int[] idx = new int[shape.length];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            out[i] = f.applyAsDouble(at(a, idx), at(b, idx));
        }
        return out;
    }

    /** Element of t at the broadcast index idx (t's dimensions align to the right). */
    static double at(Tensor t, int[] idx) {
        int[] s = t.shape();
        int[] i = new int[s.length];
        for (int d = 0; d < s.length; d++) i[d] = s[d] == 1 ? 0 : idx[idx.length - s.length + d];
        return t.get(i);
    }

    static void assertForward(String what, Tensor a, Tensor b, String name) {
        double[] expected = broadcastReference(a, b, ref(name));
        float[] got = op(name).apply(a, b).toFloatArray();
        assertThat(got.length).isEqualTo(expected.length);
        for (int i = 0; i < got.length; i++) {
            Reference.assertClose(what + " " + name + " [" + i + "]", got[i], expected[i], 6e-8, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"add", "sub", "mul", "div"})
    void forwardMatchesFloat64OnEveryLayout(String name) {
        Random rng = new Random(1);
        KernelModes.each(vector -> {
            String k = vector ? "vector" : "scalar";
            assertForward(k + " same shape", nonZero(rng, 7, 45), nonZero(rng, 7, 45), name);
            assertForward(k + " row broadcast (bias)", nonZero(rng, 3, 5, 33), nonZero(rng, 33), name);
            assertForward(k + " row broadcast, swapped", nonZero(rng, 33), nonZero(rng, 3, 5, 33), name);
            assertForward(k + " column broadcast", nonZero(rng, 4, 6, 19), nonZero(rng, 4, 6, 1), name);
            assertForward(k + " column broadcast, swapped", nonZero(rng, 4, 6, 1), nonZero(rng, 4, 6, 19), name);
            assertForward(k + " scalar", nonZero(rng, 5, 21), Tensor.scalar(1.7f), name);
            assertForward(k + " scalar, swapped", Tensor.scalar(-2.5f), nonZero(rng, 5, 21), name);
            assertForward(k + " outer product", nonZero(rng, 9, 1), nonZero(rng, 1, 70), name);
            assertForward(k + " middle broadcast", nonZero(rng, 3, 1, 20), nonZero(rng, 3, 4, 20), name);
            assertForward(k + " transposed views", Rand.transposedView(rng, 6, 11), Rand.transposedView(rng, 6, 11), name);
            assertForward(k + " view and bias", Rand.transposedView(rng, 6, 11), nonZero(rng, 11), name);
            Tensor big = nonZero(rng, 8, 20);
            assertForward(k + " narrowed and selected", big.narrow(1, 3, 9), nonZero(rng, 15, 8).select(0, 4).narrow(0, 0, 1), name);
            assertForward(k + " rank 0", Tensor.scalar(3f), Tensor.scalar(-0.75f), name);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"add", "sub", "mul", "div"})
    void backwardMatchesFiniteDifferencesWithBroadcasting(String name) {
        Random rng = new Random(2);
        BinaryOperator<Tensor> f = op(name);
        int[][][] pairs = {
                {{3, 4}, {3, 4}}, {{2, 3, 5}, {5}}, {{5}, {2, 3, 5}}, {{4, 3}, {4, 1}}, {{3, 1}, {1, 4}},
                {{2, 1, 3}, {4, 1}}, {{}, {2, 3}}, {{2, 3}, {}}};
        for (int[][] p : pairs) {
            Tensor a = nonZero(rng, p[0]).requiresGrad(true);
            Tensor b = nonZero(rng, p[1]).requiresGrad(true);
            KernelModes.each(vector -> GradCheck.check(name + " " + Shapes.str(p[0]) + " " + Shapes.str(p[1]),
                    in -> f.apply(in[0], in[1]), a, b));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"add", "sub", "mul", "div"})
    void vectorAndScalarKernelsAgree(String name) {
        BinaryOperator<Tensor> f = op(name);
        for (int n : new int[] {1, 3, 17, 65, 1000, 40_000}) {
            Random rng = new Random(n);
            Tensor a = nonZero(rng, n).requiresGrad(true);
            Tensor b = nonZero(rng, n).requiresGrad(true);
            Tensor rows = nonZero(rng, 3, n);
            Tensor col = nonZero(rng, 3, 1);
            Tensor g = Tensor.randn(rng, 1f, n);
            float[][] same = KernelModes.both(() -> f.apply(a, b).toFloatArray());
            Reference.assertArraysClose(name + " n=" + n, same[0], same[1], 1e-5, 0);
            float[][] bias = KernelModes.both(() -> f.apply(rows, b).toFloatArray());
            Reference.assertArraysClose(name + " bias n=" + n, bias[0], bias[1], 1e-5, 0);
            float[][] column = KernelModes.both(() -> f.apply(rows, col).toFloatArray());
            Reference.assertArraysClose(name + " column n=" + n, column[0], column[1], 1e-5, 0);
            float[][] grads = KernelModes.both(() -> {
                a.zeroGrad();
                b.zeroGrad();
                f.apply(a, b).backward(g);
                float[] ga = a.grad().toFloatArray();
                float[] gb = b.grad().toFloatArray();
                float[] both = java.util.Arrays.copyOf(ga, 2 * n);
                System.arraycopy(gb, 0, both, n, n);
                return both;
            });
            Reference.assertArraysClose(name + " grads n=" + n, grads[0], grads[1], 1e-5, 1e-6);
        }
        Random rng = new Random(7);
        Tensor ta = Rand.transposedView(rng, 17, 65);
        Tensor tb = Rand.transposedView(rng, 17, 65);
        float[][] views = KernelModes.both(() -> f.apply(ta, tb).toFloatArray());
        Reference.assertArraysClose(name + " transposed views", views[0], views[1], 1e-5, 0);
    }

    @Test
    void frozenInputsGetNoGradient() {
        Random rng = new Random(3);
        Tensor a = Rand.param(rng, 2, 3);
        Tensor frozen = Tensor.randn(rng, 1f, 3);
        Ops.sum(Ops.mul(a, frozen)).backward();
        assertThat(frozen.grad()).isNull();
        // d/da sum(a * b) = b broadcast over the rows.
        float[] ga = a.grad().toFloatArray();
        for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) assertThat(ga[r * 3 + c]).isEqualTo(frozen.get(c));
        assertThat(Ops.add(frozen, frozen).requiresGrad()).isFalse();
    }

    @Test
    void broadcastGradientsAreReducedToTheInputShapes() {
        Tensor x = Tensor.randn(new Random(4), 1f, 4, 3).requiresGrad(true);
        Tensor bias = Tensor.randn(new Random(5), 1f, 3).requiresGrad(true);
        Ops.sum(Ops.add(x, bias)).backward();
        assertThat(bias.grad().shape()).containsExactly(3);
        assertThat(bias.grad().toFloatArray()).containsExactly(4f, 4f, 4f);
        assertThat(x.grad().toFloatArray()).containsOnly(1f);
    }

    @Test
    void divisionByZeroFollowsIeee() {
        Tensor a = Tensor.of(new float[] {1f, -1f, 0f}, 3);
        Tensor zero = Tensor.zeros(3);
        KernelModes.each(vector -> {
            float[] q = Ops.div(a, zero).toFloatArray();
            assertThat(q[0]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(q[1]).isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(q[2]).isNaN();
        });
    }

    @Test
    void impossibleBroadcastNamesTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4);
        for (String name : new String[] {"add", "sub", "mul", "div"}) {
            assertThatThrownBy(() -> op(name).apply(a, b))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + name + "'")
                    .hasMessageContaining("[2, 3]")
                    .hasMessageContaining("[4]");
        }
    }

    @Test
    void emptyTensorsGiveEmptyResults() {
        Tensor a = Tensor.zeros(0, 3);
        Tensor b = Tensor.zeros(3);
        assertThat(Ops.add(a, b).shape()).containsExactly(0, 3);
        assertThat(Ops.mul(Tensor.zeros(2, 0), Tensor.zeros(2, 1)).shape()).containsExactly(2, 0);
    }
}
