package org.intervene4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.KernelConfig;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    private static final int[] SIZES = {1, 3, 17, 65, 1000};

    /** Runs {@code body} with the vectorized and with the scalar kernels. */
    private static void bothKernels(Runnable body) {
        boolean saved = KernelConfig.vectorized();
        try {
            KernelConfig.setVectorized(true);
            body.run();
            KernelConfig.setVectorized(false);
            body.run();
        } finally {
            KernelConfig.setVectorized(saved);
        }
    }

    private static float[][] randomGrads(Random rng, int steps, int n) {
        float[][] g = new float[steps][n];
        for (float[] row : g) for (int i = 0; i < n; i++) row[i] = (float) rng.nextGaussian();
        return g;
    }

    private static void assertClose(float[] actual, double[] expected, double tol, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s[%d]", what, i)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tol * (1 + Math.abs(expected[i]))));
        }
    }

    @Test
    void sgdWithMomentumNesterovAndDecayMatchesFloat64Reference() {
        bothKernels(() -> {
            for (int n : SIZES) {
                for (boolean nesterov : new boolean[] {false, true}) {
                    Random rng = new Random(n);
                    Tensor p = Tensor.randn(rng, 1f, n).requiresGrad(true);
                    double[] ref = new double[n];
                    for (int i = 0; i < n; i++) ref[i] = p.toFloatArray()[i];
                    double lr = 0.1;
                    double mu = 0.9;
                    double wd = 0.01;
                    Sgd opt = new Sgd(List.of(ParamGroup.builder("g").add(p).lr(lr).weightDecay(wd).build()), mu, nesterov);
                    float[][] grads = randomGrads(rng, 5, n);
                    double[] buf = new double[n];
                    for (int t = 0; t < grads.length; t++) {
                        Losses.setGrad(p, grads[t]);
                        opt.step();
                        for (int i = 0; i < n; i++) {
                            double g = grads[t][i] + wd * ref[i];
                            buf[i] = t == 0 ? g : mu * buf[i] + g;
                            ref[i] -= lr * (nesterov ? g + mu * buf[i] : buf[i]);
                        }
                    }
                    assertClose(p.toFloatArray(), ref, 1e-5, "sgd n=" + n + " nesterov=" + nesterov);
                }
            }
        });
    }

    @Test
    void adamFirstStepMovesEachWeightByLrTimesSignOfGradient() {
        // With bias correction, m_hat = g and v_hat = g^2 at t = 1, so the step is lr * g / (|g| + eps).
        Tensor p = Tensor.zerosPersistent(4).requiresGrad(true);
        Adam opt = Adam.of(0.01, p);
        Losses.setGrad(p, new float[] {3f, -0.001f, 250f, -7f});
        opt.step();
        assertThat(p.toFloatArray()).containsExactly(new float[] {-0.01f, 0.01f, -0.01f, 0.01f},
                org.assertj.core.data.Offset.offset(1e-7f));
    }

    private static void adamReference(boolean decoupled) {
        adamReference(decoupled, 0.8, 0.95);
        adamReference(decoupled, 0.9, 0.999);
    }

    private static void adamReference(boolean decoupled, double b1, double b2) {
        for (int n : SIZES) {
            Random rng = new Random(100 + n);
            Tensor p = Tensor.randn(rng, 1f, n).requiresGrad(true);
            double[] ref = new double[n];
            float[] init = p.toFloatArray();
            for (int i = 0; i < n; i++) ref[i] = init[i];
            double lr = 0.05;
            double eps = 1e-6;
            double wd = 0.1;
            ParamGroup group = ParamGroup.builder("g").add(p).lr(lr).weightDecay(wd).build();
            Adam opt = decoupled ? new AdamW(List.of(group), b1, b2, eps) : new Adam(List.of(group), b1, b2, eps);
            float[][] grads = randomGrads(rng, 6, n);
            double[] m = new double[n];
            double[] v = new double[n];
            for (int t = 1; t <= grads.length; t++) {
                Losses.setGrad(p, grads[t - 1]);
                opt.step();
                for (int i = 0; i < n; i++) {
                    double g = grads[t - 1][i];
                    if (decoupled) {
                        ref[i] *= 1 - lr * wd;
                    } else {
                        g += wd * ref[i];
                    }
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    double vHat = v[i] / (1 - Math.pow(b2, t));
                    ref[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
            }
            assertClose(p.toFloatArray(), ref, 2e-6, (decoupled ? "adamw" : "adam") + " n=" + n);
        }
    }

    @Test
    void adamWithL2DecayMatchesFloat64Reference() {
        bothKernels(() -> adamReference(false));
    }

    @Test
    void adamWDecoupledDecayMatchesFloat64Reference() {
        bothKernels(() -> adamReference(true));
    }

    @Test
    void adamWWithZeroGradientOnlyShrinksWeights() {
        Tensor p = Tensor.of(new float[] {1f, -2f, 4f}, 3).requiresGrad(true);
        AdamW opt = AdamW.of(0.1, 0.5, p);
        Losses.setGrad(p, new float[3]);
        opt.step();
        assertThat(p.toFloatArray()).containsExactly(0.95f, -1.9f, 3.8f);
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        for (int n : SIZES) {
            float[][] results = new float[2][];
            for (int k = 0; k < 2; k++) {
                boolean saved = KernelConfig.vectorized();
                try {
                    KernelConfig.setVectorized(k == 0);
                    Random rng = new Random(7);
                    Tensor a = Tensor.randn(rng, 1f, n).requiresGrad(true);
                    Tensor b = Tensor.randn(rng, 1f, n).requiresGrad(true);
                    AdamW adam = AdamW.of(0.01, 0.1, a);
                    Sgd sgd = new Sgd(List.of(ParamGroup.of(0.1, b)), 0.9, true);
                    for (float[] g : randomGrads(rng, 3, n)) {
                        Losses.setGrad(a, g);
                        Losses.setGrad(b, g);
                        adam.step();
                        sgd.step();
                    }
                    float[] both = new float[2 * n];
                    System.arraycopy(a.toFloatArray(), 0, both, 0, n);
                    System.arraycopy(b.toFloatArray(), 0, both, n, n);
                    results[k] = both;
                } finally {
                    KernelConfig.setVectorized(saved);
                }
            }
            for (int i = 0; i < 2 * n; i++) {
                assertThat(results[1][i]).as("n=%d i=%d", n, i)
                        .isCloseTo(results[0][i], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(results[0][i]))));
            }
        }
    }

    @Test
    void quadraticConverges() {
        Random rng = new Random(3);
        int n = 65;
        float[] target = Tensor.randn(rng, 2f, n).toFloatArray();
        float[] weight = Tensor.uniform(rng, 0.5f, 2f, n).toFloatArray();
        Tensor a = Tensor.zerosPersistent(n).requiresGrad(true);
        Tensor b = Tensor.zerosPersistent(n).requiresGrad(true);
        Adam adam = new Adam(List.of(ParamGroup.builder("a").add(a).lr(0.1).betas(0.9, 0.99).build()));
        Sgd sgd = new Sgd(List.of(ParamGroup.of(0.1, b)), 0.9, false);
        float lossA = 0;
        float lossB = 0;
        int steps = 600;
        // Adam with a constant rate hovers around the minimum; a cosine decay lets it settle.
        LrSchedule schedule = LrSchedule.warmupCosine(0, steps, 0.0);
        for (int step = 0; step < steps; step++) {
            try (Arena arena = Arena.open()) {
                schedule.apply(adam);
                adam.zeroGrad();
                sgd.zeroGrad();
                Tensor la = Losses.quadratic(a, target, weight);
                Tensor lb = Losses.quadratic(b, target, weight);
                la.backward();
                lb.backward();
                adam.step();
                sgd.step();
                lossA = la.item();
                lossB = lb.item();
            }
        }
        assertThat(lossA).isLessThan(1e-6f);
        assertThat(lossB).isLessThan(1e-6f);
        assertThat(adam.steps()).isEqualTo(steps);
    }

    @Test
    void groupsUseTheirOwnLearningRatesAndOptions() {
        Tensor a = Tensor.zerosPersistent(3).requiresGrad(true);
        Tensor b = Tensor.zerosPersistent(3).requiresGrad(true);
        Sgd sgd = new Sgd(List.of(ParamGroup.builder("fast").add(a).lr(1.0).build(),
                ParamGroup.builder("slow").add(b).lr(0.01).build()), 0, false);
        float[] g = {1f, -2f, 0.5f};
        Losses.setGrad(a, g);
        Losses.setGrad(b, g);
        sgd.step();
        assertThat(a.toFloatArray()).containsExactly(-1f, 2f, -0.5f);
        assertThat(b.toFloatArray()).containsExactly(-0.01f, 0.02f, -0.005f);

        sgd.setLr(1, 0.5);
        assertThat(sgd.lr(1)).isEqualTo(0.5);
        assertThat(sgd.groups().get(1).baseLr()).isEqualTo(0.01);
        Losses.setGrad(b, g);
        sgd.step();
        assertThat(b.toFloatArray()[0]).isCloseTo(-0.51f, org.assertj.core.data.Offset.offset(1e-7f));

        // A group's betas override the optimizer's: beta1 = 0 makes step 2 use only the newest gradient
        // (m_hat = -1, v_hat = 1), which undoes step 1 exactly.
        Tensor c = Tensor.zerosPersistent(1).requiresGrad(true);
        Tensor d = Tensor.zerosPersistent(1).requiresGrad(true);
        Adam adam = new Adam(List.of(ParamGroup.builder("c").add(c).lr(0.1).betas(0.0, 0.999).build(),
                ParamGroup.builder("d").add(d).lr(0.1).build()));
        Losses.setGrad(c, new float[] {1f});
        Losses.setGrad(d, new float[] {1f});
        adam.step();
        Losses.setGrad(c, new float[] {-1f});
        Losses.setGrad(d, new float[] {-1f});
        adam.step();
        assertThat(c.toFloatArray()[0]).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-6f));
        // Default beta1 = 0.9: m_hat = (0.9 * 0.1 - 0.1) / (1 - 0.81) = -0.01 / 0.19 and v_hat = 1.
        assertThat(d.toFloatArray()[0]).isCloseTo((float) (-0.1 + 0.1 * 0.01 / 0.19), org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void updatesAParameterThatViewsTheMiddleOfAnArray() {
        Tensor storage = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, 3);
        Tensor p = storage.narrow(0, 1, 2).detach().requiresGrad(true);  // contiguous, offset 3
        assertThat(p.offset()).isEqualTo(3);
        for (Optimizer opt : List.of(Sgd.of(1.0, p), AdamW.of(0.5, 0.0, p))) {
            float[] before = storage.toFloatArray();
            Losses.setGrad(p, new float[] {1, 1, 1, 1, 1, 1});
            opt.step();
            float[] after = storage.toFloatArray();
            for (int i = 0; i < 12; i++) {
                float expected = i < 3 || i >= 9 ? before[i] : before[i] - (opt instanceof Sgd ? 1f : 0.5f);
                assertThat(after[i]).as("%s element %d", opt.getClass().getSimpleName(), i)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        Tensor a = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {3f, 4f}, 2).requiresGrad(true);
        Adam adam = Adam.of(0.1, a, b);
        Losses.setGrad(a, new float[] {1f, 1f});
        adam.step();
        assertThat(b.toFloatArray()).containsExactly(3f, 4f);
        assertThat(adam.firstMoment(b)).isNull();
        assertThat(adam.firstMoment(a)).isNotNull();
        assertThat(a.toFloatArray()[0]).isLessThan(1f);
    }

    @Test
    void stepWorksWithGradModeOnAndZeroGradClears() {
        Tensor a = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
        Sgd sgd = Sgd.of(0.5, a);
        Losses.setGrad(a, new float[] {2f});
        assertThat(GradMode.enabled()).isTrue();
        sgd.step();
        assertThat(a.toFloatArray()).containsExactly(0f);
        sgd.zeroGrad();
        assertThat(a.grad()).isNull();
        sgd.step(); // no gradient since zeroGrad: the parameter is skipped, not moved by stale state
        assertThat(a.toFloatArray()).containsExactly(0f);
    }

    @Test
    void badOptionsAreRejectedWithTheirNames() {
        Tensor p = Tensor.zerosPersistent(2).requiresGrad(true);
        assertThatThrownBy(() -> ParamGroup.builder("g").add(p).lr(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lr").hasMessageContaining("'g'");
        assertThatThrownBy(() -> ParamGroup.builder("g").add(p).lr(Double.POSITIVE_INFINITY).build())
                .hasMessageContaining("lr must be a finite number");
        assertThatThrownBy(() -> ParamGroup.builder("g").add(p).build()).hasMessageContaining("lr was not set");
        assertThatThrownBy(() -> ParamGroup.builder("g").add(p).lr(0.1).weightDecay(-0.1).build())
                .hasMessageContaining("weightDecay");
        assertThatThrownBy(() -> ParamGroup.builder("g").lr(0.1).build()).hasMessageContaining("no parameters");
        assertThatThrownBy(() -> ParamGroup.builder("g").add(p, p).lr(0.1).build())
                .hasMessageContaining("same tensor as parameter 0");
        Tensor frozen = Tensor.zerosPersistent(2);
        assertThatThrownBy(() -> ParamGroup.of(0.1, frozen)).hasMessageContaining("does not require grad");
        Tensor nonLeaf = p.reshape(1, 2);
        assertThatThrownBy(() -> ParamGroup.of(0.1, nonLeaf)).hasMessageContaining("is not a leaf")
                .hasMessageContaining("reshape");
        Tensor strided = Tensor.zerosPersistent(2, 3).transpose(0, 1).detach().requiresGrad(true);
        assertThatThrownBy(() -> ParamGroup.of(0.1, strided)).hasMessageContaining("non-contiguous");

        assertThatThrownBy(() -> new Sgd(List.of(ParamGroup.of(0.1, p), ParamGroup.of(0.2, p)), 0, false))
                .hasMessageContaining("in both group");
        assertThatThrownBy(() -> new Sgd(List.of(ParamGroup.of(0.1, p)), 1.0, false)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new Sgd(List.of(ParamGroup.of(0.1, p)), 0, true)).hasMessageContaining("nesterov");
        assertThatThrownBy(() -> new Sgd(List.of(ParamGroup.builder("g").add(p).lr(0.1).betas(0.9, 0.9).build()), 0, false))
                .hasMessageContaining("Sgd").hasMessageContaining("betas");
        assertThatThrownBy(() -> new Adam(List.of(ParamGroup.of(0.1, p)), 1.0, 0.999, 1e-8)).hasMessageContaining("beta1");
        assertThatThrownBy(() -> new Adam(List.of(ParamGroup.of(0.1, p)), 0.9, -0.1, 1e-8)).hasMessageContaining("beta2");
        assertThatThrownBy(() -> new AdamW(List.of(ParamGroup.of(0.1, p)), 0.9, 0.999, 0)).hasMessageContaining("AdamW")
                .hasMessageContaining("eps");
        assertThatThrownBy(() -> new Adam(List.of(ParamGroup.builder("g").add(p).lr(0.1).momentum(0.9).build())))
                .hasMessageContaining("momentum");
        assertThatThrownBy(() -> new Adam(List.of())).hasMessageContaining("at least one param group");
        Sgd sgd = Sgd.of(0.1, p);
        assertThatThrownBy(() -> sgd.setLr(0, -0.5)).hasMessageContaining("lr");
        assertThatThrownBy(() -> sgd.setLr(3, 0.5)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
