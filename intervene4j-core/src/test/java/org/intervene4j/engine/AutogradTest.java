package org.intervene4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Autograd mechanics, exercised with views and a small custom op (no kernel ops needed). */
class AutogradTest {
    /** {@code c * x} as a custom op that counts how often its backward runs. */
    private static Tensor times(Tensor x, float c, AtomicInteger calls) {
        Tensor out = Tensor.zeros(x.shape());
        float[] in = x.toFloatArray();
        for (int i = 0; i < in.length; i++) out.data()[i] = c * in[i];
        return Graph.record("times", out, (g, needs) -> {
            calls.incrementAndGet();
            float[] gv = g.toFloatArray();
            for (int i = 0; i < gv.length; i++) gv[i] *= c;
            return new Tensor[] {Tensor.of(gv, x.shape())};
        }, x);
    }

    private static Tensor leaf(float... v) {
        return Tensor.of(v.clone(), v.length).requiresGrad(true);
    }

    @Test
    void gradientsFlowThroughViewsAndAccumulate() {
        AtomicInteger calls = new AtomicInteger();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor y = times(x.transpose(0, 1), 2f, calls); // [3, 2]
        y.backward(Tensor.of(new float[] {1, 10, 100, 1000, 10000, 100000}, 3, 2));
        // dL/dx[i][j] = 2 * seed[j][i]
        assertThat(x.grad().toFloatArray()).containsExactly(2, 200, 20000, 20, 2000, 200000);
        y = times(x.narrow(1, 1, 1), 3f, calls); // [2, 1]
        y.backward(Tensor.of(new float[] {1, 1}, 2, 1));
        assertThat(x.grad().toFloatArray()).containsExactly(2, 203, 20000, 20, 2003, 200000);
        x.zeroGrad();
        assertThat(x.grad().toFloatArray()).containsOnly(0f);
    }

    @Test
    void sharedInputsSumTheirGradients() {
        AtomicInteger calls = new AtomicInteger();
        Tensor x = leaf(1, 2);
        Tensor a = times(x, 2f, calls);
        Tensor b = times(a, 3f, calls);
        Tensor c = times(a, 5f, calls);
        // A node that adds b and c: gradient goes to both.
        Tensor sum = Tensor.zeros(2);
        Tensor out = Graph.record("sum2", sum, (g, needs) -> new Tensor[] {g, g}, b, c);
        out.backward(Tensor.of(new float[] {1, 1}, 2));
        assertThat(x.grad().toFloatArray()).containsExactly(16, 16);
        assertThat(calls.get()).isEqualTo(3); // each node's backward runs exactly once
    }

    @Test
    void frozenTensorsNeverGetGradientsAndUnneededBranchesAreSkipped() {
        AtomicInteger frozenCalls = new AtomicInteger();
        AtomicInteger liveCalls = new AtomicInteger();
        Tensor frozen = Tensor.of(new float[] {1, 2}, 2);
        Tensor w = leaf(3, 4);
        Tensor f = times(frozen, 2f, frozenCalls); // no graph: frozen input
        assertThat(f.requiresGrad()).isFalse();
        assertThat(f.gradFn()).isNull();
        Tensor g = times(w, 2f, liveCalls);
        Tensor out = Graph.record("pair", Tensor.zeros(2), (gr, needs) -> {
            assertThat(needs).containsExactly(false, true);
            return new Tensor[] {null, gr};
        }, f, g);
        out.backward(Tensor.of(new float[] {1, 1}, 2));
        assertThat(frozen.grad()).isNull();
        assertThat(w.grad().toFloatArray()).containsExactly(2, 2);
        assertThat(frozenCalls.get()).isZero();
        assertThat(liveCalls.get()).isEqualTo(1);
    }

    @Test
    void noGradScopeBuildsNoGraphAndDetachCuts() {
        AtomicInteger calls = new AtomicInteger();
        Tensor w = leaf(1, 2);
        try (GradMode off = GradMode.off()) {
            Tensor y = times(w, 2f, calls);
            assertThat(y.requiresGrad()).isFalse();
            assertThat(GradMode.enabled()).isFalse();
        }
        assertThat(GradMode.enabled()).isTrue();
        Tensor d = times(w, 2f, calls).detach();
        assertThat(d.requiresGrad()).isFalse();
        assertThat(d.gradFn()).isNull();
        assertThat(d.toFloatArray()).containsExactly(2, 4);
    }

    @Test
    void gradientsMeetingAtATensorAreSummedWithoutTouchingThemEvenWhenExpandedOrShared() {
        // A node that uses one input three times and hands it a stride-0 (expanded) gradient
        // once and its own incoming gradient twice (the same tensor, aliased): the sum must
        // read them all and write none (the seed and the expanded one stay as they were).
        AtomicInteger calls = new AtomicInteger();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor a = times(x, 2f, calls).retainGrad();
        Tensor ones = Tensor.of(new float[] {0.5f}, 1, 1).expand(2, 3); // [2, 3], strides 0
        Tensor fan = Graph.record("fan", Tensor.zeros(2, 3), (g, needs) -> new Tensor[] {ones, g, g}, a, a, a);
        Tensor seed = Tensor.of(new float[] {1, 10, 100, 1000, 10000, 100000}, 2, 3);
        fan.backward(seed);
        assertThat(a.grad().toFloatArray()).containsExactly(2.5f, 20.5f, 200.5f, 2000.5f, 20000.5f, 200000.5f);
        assertThat(x.grad().toFloatArray()).containsExactly(5, 41, 401, 4001, 40001, 400001);
        assertThat(seed.toFloatArray()).containsExactly(1, 10, 100, 1000, 10000, 100000);
        assertThat(ones.toFloatArray()).containsOnly(0.5f);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void viewsOfOneTensorPlaceTheirGradientsInOneBufferWithoutTouchingAnyOtherGradient() {
        // h [2, 6] feeds three narrows (the q/k/v pattern, two overlapping), a select, and a
        // node that hands its incoming gradient to h and to h2 as one aliased tensor: the
        // regions must add into h's gradient only, never into h2's or the seed. Both orders:
        // the aliased gradient reaching h before the views' gradients, and after.
        viewsAndAnAliasedGradientMeetAtOneTensor(true);
        viewsAndAnAliasedGradientMeetAtOneTensor(false);
    }

    private static void viewsAndAnAliasedGradientMeetAtOneTensor(boolean aliasedFirst) {
        AtomicInteger calls = new AtomicInteger();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 6).requiresGrad(true);
        Tensor w = Tensor.of(new float[] {1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6}, 2, 6).requiresGrad(true);
        Tensor h = times(x, 2f, calls).retainGrad();
        Tensor h2 = times(w, 1f, calls).retainGrad();
        Tensor seed = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 6);
        Tensor both = Graph.record("both", Tensor.zeros(2, 6), (g, needs) -> new Tensor[] {g, g}, h, h2);
        Tensor q = times(h.narrow(1, 0, 2), 10f, calls);   // columns 0-1
        Tensor k = times(h.narrow(1, 2, 3), 100f, calls);  // columns 2-4
        Tensor v = times(h.narrow(1, 3, 3), 1000f, calls); // columns 3-5, overlapping k
        Tensor r = times(h.select(0, 1), 10000f, calls);   // row 1
        Tensor[] views = {q, k, v, r};
        Tensor[] viewGrads = {Tensor.full(1f, 2, 2), Tensor.full(1f, 2, 3), Tensor.full(1f, 2, 3), Tensor.full(1f, 6)};
        // the graph is ordered depth-first from the root's inputs: the last input's branch runs first
        Tensor[] inputs = new Tensor[5];
        Tensor[] grads = new Tensor[5];
        inputs[aliasedFirst ? 4 : 0] = both;
        grads[aliasedFirst ? 4 : 0] = seed;
        for (int i = 0; i < 4; i++) {
            inputs[aliasedFirst ? i : i + 1] = views[i];
            grads[aliasedFirst ? i : i + 1] = viewGrads[i];
        }
        Tensor out = Graph.record("gather", Tensor.zeros(1), (g, needs) -> grads, inputs);
        out.backward(Tensor.of(new float[] {1}, 1));
        float[] want = new float[12]; // d out / d h, written out per element
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 6; j++) {
                float d = seed.toFloatArray()[i * 6 + j];
                if (j < 2) d += 10;
                if (j >= 2 && j < 5) d += 100;
                if (j >= 3) d += 1000;
                if (i == 1) d += 10000;
                want[i * 6 + j] = d;
            }
        }
        assertThat(h.grad().toFloatArray()).containsExactly(want);
        assertThat(h2.grad().toFloatArray()).containsExactly(seed.toFloatArray());
        assertThat(w.grad().toFloatArray()).containsExactly(seed.toFloatArray());
        float[] wantX = want.clone();
        for (int i = 0; i < wantX.length; i++) wantX[i] *= 2;
        assertThat(x.grad().toFloatArray()).containsExactly(wantX);
        assertThat(seed.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    }

    @Test
    void viewsOfALeafAddIntoItsGradientAcrossBackwardCalls() {
        AtomicInteger calls = new AtomicInteger();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
        Tensor a = times(x.select(1, 0), 2f, calls);  // [3]: column 0
        Tensor b = times(x.narrow(0, 1, 2), 3f, calls); // [2, 2]: rows 1-2
        Tensor out = Graph.record("pair", Tensor.zeros(1), (g, needs) -> new Tensor[] {Tensor.full(1f, 3), Tensor.full(1f, 2, 2)}, a, b);
        out.backward(Tensor.of(new float[] {1}, 1));
        assertThat(x.grad().toFloatArray()).containsExactly(2, 0, 5, 3, 5, 3);
        times(x.narrow(1, 1, 1), 7f, calls).backward(Tensor.full(1f, 3, 1));
        assertThat(x.grad().toFloatArray()).containsExactly(2, 7, 5, 10, 5, 10);
    }

    @Test
    void retainGradKeepsAnIntermediateGradient() {
        AtomicInteger calls = new AtomicInteger();
        Tensor w = leaf(1, 2);
        Tensor mid = times(w, 2f, calls).retainGrad();
        Tensor out = times(mid, 3f, calls);
        out.backward(Tensor.of(new float[] {1, 2}, 2));
        assertThat(mid.grad().toFloatArray()).containsExactly(3, 6);
        assertThat(w.grad().toFloatArray()).containsExactly(6, 12);
    }

    @Test
    void badBackwardCallsNameTheOpAndShape() {
        AtomicInteger calls = new AtomicInteger();
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor y = times(w, 2f, calls);
        assertThatThrownBy(y::backward).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'times'").hasMessageContaining("[2, 3]").hasMessageContaining("seed");
        assertThatThrownBy(() -> y.backward(Tensor.zeros(3, 2))).hasMessageContaining("[3, 2]")
                .hasMessageContaining("[2, 3]");
        Tensor frozen = times(Tensor.of(new float[] {1}, 1), 2f, calls);
        assertThatThrownBy(frozen::backward).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'times'").hasMessageContaining("does not require grad");
        assertThatThrownBy(() -> y.requiresGrad(false)).hasMessageContaining("leaf");
        assertThatThrownBy(() -> y.set(1f, 0, 0)).hasMessageContaining("in place");
    }

    @Test
    void wrongGradientShapeFromAnOpIsReported() {
        Tensor w = leaf(1, 2);
        Tensor bad = Graph.record("broken", Tensor.zeros(2), (g, needs) -> new Tensor[] {Tensor.zeros(3)}, w);
        assertThatThrownBy(() -> bad.backward(Tensor.zeros(2))).hasMessageContaining("broken")
                .hasMessageContaining("[3]").hasMessageContaining("[2]");
    }

    @Test
    void anomalyDetectionNamesTheFirstOpThatMadeANaN() {
        Anomaly.enable(true);
        try {
            Tensor w = leaf(1, 2);
            assertThatThrownBy(() -> Graph.record("bad_log", Tensor.of(new float[] {0f, Float.NaN}, 2),
                    (g, n) -> new Tensor[] {g}, w))
                    .isInstanceOf(ArithmeticException.class).hasMessageContaining("'bad_log'")
                    .hasMessageContaining("NaN").hasMessageContaining("[2]");
            Tensor ok = Graph.record("inf_grad", Tensor.zeros(2),
                    (g, n) -> new Tensor[] {Tensor.of(new float[] {1f, Float.POSITIVE_INFINITY}, 2)}, w);
            assertThatThrownBy(() -> ok.backward(Tensor.zeros(2))).hasMessageContaining("backward of 'inf_grad'");
        } finally {
            Anomaly.enable(false);
        }
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        AtomicInteger calls = new AtomicInteger();
        Tensor w = leaf(1);
        Tensor y = w;
        for (int i = 0; i < 20_000; i++) y = times(y, 1f, calls);
        y.backward();
        assertThat(w.grad().item()).isEqualTo(1f);
        assertThat(calls.get()).isEqualTo(20_000);
    }
}
