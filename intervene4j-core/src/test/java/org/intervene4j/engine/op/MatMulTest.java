package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

/** matmul and linear: forward against float64 references, backward against finite differences. */
class MatMulTest {

    // ---------------------------------------------------------------- float64 references

    /** A float64 result and, per element, the scale {@code sum |a b|} its rounding error scales with. */
    private record Reference(int[] shape, double[] value, double[] scale) {}

    /** {@code a @ b} with numpy batch broadcasting, element by element in double. */
    private static Reference matmulReference(Tensor a, Tensor b) {
        int[] as = a.shape();
        int[] bs = b.shape();
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        int rank = Math.max(as.length, bs.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank - 2; i++) {
            int da = dimFromEnd(as, rank - i);
            int db = dimFromEnd(bs, rank - i);
            out[i] = Math.max(da, db);
        }
        out[rank - 2] = m;
        out[rank - 1] = n;
        int total = 1;
        for (int d : out) total *= d;
        double[] value = new double[total];
        double[] scale = new double[total];
        int[] idx = new int[rank];
        for (int flat = 0; flat < total; flat++) {
            int rest = flat;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d] = rest % out[d];
                rest /= out[d];
            }
            int[] ai = broadcastIndex(idx, as);
            int[] bi = broadcastIndex(idx, bs);
            double sum = 0;
            double abs = 0;
            for (int p = 0; p < k; p++) {
                ai[as.length - 1] = p;
                bi[bs.length - 2] = p;
                double t = (double) a.get(ai) * b.get(bi);
                sum += t;
                abs += Math.abs(t);
            }
            value[flat] = sum;
            scale[flat] = abs;
        }
        return new Reference(out, value, scale);
    }

    private static int dimFromEnd(int[] shape, int fromEnd) {
        return fromEnd <= shape.length ? shape[shape.length - fromEnd] : 1;
    }

    /** The index into a tensor of {@code shape} that output index {@code idx} broadcasts from. */
    private static int[] broadcastIndex(int[] idx, int[] shape) {
        int[] r = new int[shape.length];
        int shift = idx.length - shape.length;
        for (int d = 0; d < shape.length; d++) r[d] = shape[d] == 1 ? 0 : idx[d + shift];
        return r;
    }

    /** Asserts got equals the reference within 1e-5 of each element's dot-product scale. */
    private static void assertMatches(String what, Tensor got, Reference ref) {
        assertThat(got.shape()).as("%s: shape", what).containsExactly(ref.shape);
        float[] v = got.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            double tol = 1e-5 * ref.scale[i] + 1e-7;
            assertThat(Math.abs(v[i] - ref.value[i]))
                    .as("%s: element %d got %s want %s", what, i, v[i], ref.value[i]).isLessThanOrEqualTo(tol);
        }
    }

    private static Tensor randn(Random rng, int... shape) {
        return Tensor.randn(rng, 1f, shape);
    }

    // ---------------------------------------------------------------- matmul forward

    @Test
    void forwardMatchesFloat64AcrossBatchingAndLayouts() {
        Random rng = new Random(1);
        Tensor[][] cases = {
                {randn(rng, 5, 4), randn(rng, 4, 6)},
                {randn(rng, 2, 3, 5, 4), randn(rng, 2, 3, 4, 6)},
                {randn(rng, 2, 1, 5, 4), randn(rng, 3, 4, 6)},        // batch broadcast both ways
                {randn(rng, 2, 3, 17, 9), randn(rng, 9, 65)},         // 2-d weight: folded rows
                {randn(rng, 7, 9), randn(rng, 4, 9, 3)},              // 2-d a, batched b
                {Rand.transposedView(rng, 3, 6, 5), Rand.transposedView(rng, 3, 5, 4)},
                {randn(rng, 4, 3, 6).permute(1, 0, 2), randn(rng, 6, 2)}, // rows not uniformly strided
                {randn(rng, 3, 1, 8), randn(rng, 3, 8, 1)},           // m = n = 1
                {randn(rng, 2, 65, 70), Rand.transposedView(rng, 70, 130)},
        };
        boolean saved = KernelConfig.vectorized();
        try {
            for (boolean vector : new boolean[] {true, false}) {
                KernelConfig.setVectorized(vector);
                for (Tensor[] c : cases) {
                    String what = Arrays.toString(c[0].shape()) + " @ " + Arrays.toString(c[1].shape())
                            + (vector ? " vector" : " scalar");
                    assertMatches(what, Ops.matmul(c[0], c[1]), matmulReference(c[0], c[1]));
                }
            }
        } finally {
            KernelConfig.setVectorized(saved);
        }
    }

    @Test
    void transposedViewIsReadInPlace() {
        Random rng = new Random(2);
        Tensor a = randn(rng, 4, 6);
        Tensor stored = randn(rng, 5, 6);
        Tensor viaView = Ops.matmul(a, stored.transpose(0, 1));
        Tensor viaCopy = Ops.matmul(a, stored.transpose(0, 1).contiguous());
        assertThat(viaView.toFloatArray()).containsExactly(viaCopy.toFloatArray());
    }

    // ---------------------------------------------------------------- matmul backward

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(3);
        int[][][] shapes = {
                {{3, 4}, {4, 5}},
                {{2, 3, 4}, {2, 4, 5}},
                {{2, 1, 3, 4}, {3, 4, 2}},
                {{2, 3, 4}, {4, 5}},
                {{3, 4}, {2, 4, 5}},
                {{1, 3, 4}, {2, 4, 2}},
        };
        for (int[][] s : shapes) {
            Tensor a = Rand.param(rng, s[0]);
            Tensor b = Rand.param(rng, s[1]);
            GradCheck.check("matmul " + Arrays.toString(s[0]) + " @ " + Arrays.toString(s[1]),
                    in -> Ops.matmul(in[0], in[1]), a, b);
        }
        Tensor at = Rand.transposedView(rng, 2, 3, 4).requiresGrad(true);
        Tensor bt = Rand.transposedView(rng, 4, 5).requiresGrad(true);
        GradCheck.check("matmul of transposed views", in -> Ops.matmul(in[0], in[1]), at, bt);
        Tensor ap = randn(rng, 3, 2, 4).permute(1, 0, 2).requiresGrad(true);
        GradCheck.check("matmul of permuted a, 2-d b", in -> Ops.matmul(in[0], in[1]), ap, Rand.param(rng, 4, 3));
    }

    @Test
    void frozenInputsGetNoGradient() {
        Random rng = new Random(4);
        Tensor a = Rand.param(rng, 2, 3, 4);
        Tensor b = randn(rng, 4, 5);
        Ops.matmul(a, b).backward(Tensor.ones(2, 3, 5));
        assertThat(a.grad()).isNotNull();
        assertThat(b.grad()).isNull();

        Tensor c = randn(rng, 3, 4);
        Tensor d = Rand.param(rng, 4, 2);
        Ops.matmul(c, d).backward(Tensor.ones(3, 2));
        assertThat(c.grad()).isNull();
        // d(sum)/dD[p, j] = sum_i C[i, p]
        float[] g = d.grad().toFloatArray();
        for (int p = 0; p < 4; p++) {
            double colSum = 0;
            for (int i = 0; i < 3; i++) colSum += c.get(i, p);
            assertThat((double) g[p * 2]).isCloseTo(colSum, org.assertj.core.data.Offset.offset(1e-5));
            assertThat((double) g[p * 2 + 1]).isCloseTo(colSum, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    // ---------------------------------------------------------------- linear

    @Test
    void linearMatchesFloat64() {
        Random rng = new Random(5);
        Tensor w = randn(rng, 7, 5);
        Tensor bias = randn(rng, 7);
        Tensor[] inputs = {randn(rng, 2, 3, 5), randn(rng, 5), Rand.transposedView(rng, 4, 5),
                randn(rng, 3, 4, 5).permute(1, 0, 2)};
        for (Tensor x : inputs) {
            for (Tensor bb : new Tensor[] {bias, null}) {
                Tensor got = Ops.linear(x, w, bb);
                int[] xs = x.shape();
                Tensor x2 = x.reshape(-1, 5);
                Reference ref = matmulReference(x2, w.transpose(0, 1));
                int[] want = xs.clone();
                want[want.length - 1] = 7;
                assertThat(got.shape()).containsExactly(want);
                float[] v = got.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    double expect = ref.value()[i] + (bb == null ? 0 : bb.get(i % 7));
                    assertThat(Math.abs(v[i] - expect)).as("linear x %s element %d", Arrays.toString(xs), i)
                            .isLessThanOrEqualTo(1e-5 * (ref.scale()[i] + 1) + 1e-7);
                }
            }
        }
    }

    @Test
    void linearGradientsMatchFiniteDifferences() {
        Random rng = new Random(6);
        GradCheck.check("linear [2,3,5] x [4,5] + bias", in -> Ops.linear(in[0], in[1], in[2]),
                Rand.param(rng, 2, 3, 5), Rand.param(rng, 4, 5), Rand.param(rng, 4));
        GradCheck.check("linear without bias", in -> Ops.linear(in[0], in[1], null),
                Rand.param(rng, 3, 5), Rand.param(rng, 4, 5));
        GradCheck.check("linear of a vector", in -> Ops.linear(in[0], in[1], in[2]),
                Rand.param(rng, 5), Rand.param(rng, 3, 5), Rand.param(rng, 3));
        Tensor xp = randn(rng, 3, 2, 5).permute(1, 0, 2).requiresGrad(true);
        Tensor wt = Rand.transposedView(rng, 4, 5).requiresGrad(true);
        GradCheck.check("linear of permuted x, transposed w", in -> Ops.linear(in[0], in[1], in[2]),
                xp, wt, Rand.param(rng, 4));
    }

    @Test
    void linearFrozenWeightAndBiasGetNoGradient() {
        Random rng = new Random(7);
        Tensor x = Rand.param(rng, 3, 5);
        Tensor w = randn(rng, 4, 5);
        Tensor bias = randn(rng, 4);
        Ops.linear(x, w, bias).backward(Tensor.ones(3, 4));
        assertThat(x.grad()).isNotNull();
        assertThat(w.grad()).isNull();
        assertThat(bias.grad()).isNull();
    }

    // ---------------------------------------------------------------- property

    @Property(tries = 60)
    void randomShapesMatchFloat64(@ForAll @IntRange(min = 1, max = 40) int m,
                                  @ForAll @IntRange(min = 1, max = 40) int n,
                                  @ForAll @IntRange(min = 1, max = 40) int k,
                                  @ForAll @IntRange(min = 0, max = 3) int batchRank,
                                  @ForAll long seed) {
        Random rng = new Random(seed);
        int[] batch = new int[batchRank];
        for (int d = 0; d < batchRank; d++) batch[d] = 1 + rng.nextInt(3);
        int[] aBatch = broadcastable(rng, batch);
        int[] bBatch = broadcastable(rng, batch);
        Tensor a = make(rng, concat(aBatch, m, k));
        Tensor b = make(rng, concat(bBatch, k, n));
        assertMatches("property " + Arrays.toString(a.shape()) + " @ " + Arrays.toString(b.shape()),
                Ops.matmul(a, b), matmulReference(a, b));
    }

    /** A batch shape that broadcasts to {@code batch}: some leading dims dropped, some set to 1. */
    private static int[] broadcastable(Random rng, int[] batch) {
        int drop = rng.nextInt(batch.length + 1);
        int[] s = Arrays.copyOfRange(batch, drop, batch.length);
        for (int d = 0; d < s.length; d++) if (rng.nextInt(3) == 0) s[d] = 1;
        return s;
    }

    /** Contiguous or (half the time) a transposed view of the same shape. */
    private static Tensor make(Random rng, int[] shape) {
        return rng.nextBoolean() ? randn(rng, shape) : Rand.transposedView(rng, shape);
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    // ---------------------------------------------------------------- errors

    @Test
    void errorsNameTheOpAndBothShapes() {
        assertThatThrownBy(() -> Ops.matmul(Tensor.zeros(2, 3), Tensor.zeros(4, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matmul").hasMessageContaining("[2, 3]").hasMessageContaining("[4, 5]");
        assertThatThrownBy(() -> Ops.matmul(Tensor.zeros(3), Tensor.zeros(3, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matmul").hasMessageContaining("[3]").hasMessageContaining("[3, 5]");
        assertThatThrownBy(() -> Ops.matmul(Tensor.zeros(2, 3, 4), Tensor.zeros(3, 4, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matmul").hasMessageContaining("[2, 3, 4]").hasMessageContaining("[3, 4, 5]");
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 3), Tensor.zeros(4, 5), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("linear").hasMessageContaining("[2, 3]").hasMessageContaining("[4, 5]");
        assertThatThrownBy(() -> Ops.linear(Tensor.zeros(2, 5), Tensor.zeros(4, 5), Tensor.zeros(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("linear").hasMessageContaining("bias").hasMessageContaining("[5]");
    }
}
