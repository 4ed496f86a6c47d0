package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

class SaeInterventionTest {
    static final int W = 6;
    static final int M = 10;

    /** A trainable SAE with random weights (biases nonzero so every term is exercised). */
    static SparseAutoencoder sae(long seed, boolean jump, boolean subtractDecoderBias) {
        Random rng = new Random(seed);
        Tensor wEnc = Rand.param(rng, W, M);
        Tensor bEnc = Tensor.randn(rng, 0.3f, M).requiresGrad(true);
        Tensor wDec = Rand.param(rng, M, W);
        Tensor bDec = Tensor.randn(rng, 0.3f, W).requiresGrad(true);
        if (!jump) return SparseAutoencoder.relu(wEnc, bEnc, wDec, bDec, subtractDecoderBias);
        return SparseAutoencoder.jumpRelu(wEnc, bEnc, wDec, bDec, Tensor.uniform(rng, 0.2f, 0.8f, M), subtractDecoderBias);
    }

    /** Float64 encode of one row. */
    static double[] encode(SparseAutoencoder s, double[] x) {
        float[] we = s.encoderWeight().toFloatArray();
        float[] be = s.encoderBias().toFloatArray();
        float[] bd = s.decoderBias().toFloatArray();
        float[] th = s.threshold() == null ? null : s.threshold().toFloatArray();
        double[] z = new double[M];
        for (int j = 0; j < M; j++) {
            double pre = be[j];
            for (int i = 0; i < W; i++) pre += (x[i] - (s.subtractsDecoderBias() ? bd[i] : 0)) * we[i * M + j];
            z[j] = Math.max(pre, 0);
            if (th != null && !(pre > th[j])) z[j] = 0;
        }
        return z;
    }

    static double[] decode(SparseAutoencoder s, double[] z) {
        float[] wd = s.decoderWeight().toFloatArray();
        float[] bd = s.decoderBias().toFloatArray();
        double[] x = new double[W];
        for (int i = 0; i < W; i++) {
            x[i] = bd[i];
            for (int j = 0; j < M; j++) x[i] += z[j] * wd[j * W + i];
        }
        return x;
    }

    @Test
    void nothingPatchedOrASourceEqualToTheBaseReturnsTheBaseExactly() {
        for (boolean jump : new boolean[] {false, true}) {
            SparseAutoencoder s = sae(1, jump, true);
            Tensor b = Tensor.randn(new Random(2), 1f, 5, W);
            Tensor src = Tensor.randn(new Random(3), 1f, 5, W);
            try (GradMode off = GradMode.off()) {
                assertThat(SaeIntervention.patch(s).apply(b, src, null).toFloatArray()).containsExactly(b.toFloatArray());
                assertThat(SaeIntervention.patch(s, 0, 3, 7).apply(b, b, null).toFloatArray()).containsExactly(b.toFloatArray());
                assertThat(SaeIntervention.ablate(s).apply(b, null, null).toFloatArray()).containsExactly(b.toFloatArray());
            }
        }
    }

    @Test
    void patchAblateAndReconstructMatchFloat64() {
        int[] latents = {1, 4, 5, 9};
        double worst = 0;
        for (boolean jump : new boolean[] {false, true}) {
            for (boolean subtract : new boolean[] {false, true}) {
                SparseAutoencoder s = sae(jump ? 4 : 5, jump, subtract);
                Tensor b = Tensor.randn(new Random(6), 1f, 4, W);
                Tensor src = Tensor.randn(new Random(7), 1f, 4, W);
                Tensor patched;
                Tensor ablated;
                Tensor recon;
                Tensor z;
                try (GradMode off = GradMode.off()) {
                    patched = SaeIntervention.patch(s, latents).apply(b, src, null);
                    ablated = SaeIntervention.ablate(s, latents).apply(b, null, null);
                    recon = SaeIntervention.reconstruct(s, false).apply(b, null, null);
                    z = s.encode(b);
                    // encoding only chosen latents gives the same values as the full encode
                    Tensor part = s.encode(b, latents);
                    for (int i = 0; i < 4; i++) {
                        for (int k = 0; k < latents.length; k++) {
                            worst = Math.max(worst, Math.abs(part.get(i, k) - z.get(i, latents[k])));
                        }
                    }
                }
                int active = 0;
                for (int i = 0; i < 4; i++) {
                    double[] bi = Rand.doubles(b.select(0, i));
                    double[] zb = encode(s, bi);
                    double[] zs = encode(s, Rand.doubles(src.select(0, i)));
                    double[] zp = zb.clone();
                    double[] za = zb.clone();
                    for (int l : latents) {
                        zp[l] = zs[l];
                        za[l] = 0;
                    }
                    double[] err = decode(s, zb);
                    double[] wantPatch = decode(s, zp);
                    double[] wantAblate = decode(s, za);
                    for (int j = 0; j < W; j++) {
                        double e = bi[j] - err[j]; // the base's reconstruction error
                        worst = Math.max(worst, Math.abs(patched.get(i, j) - (wantPatch[j] + e)));
                        worst = Math.max(worst, Math.abs(ablated.get(i, j) - (wantAblate[j] + e)));
                        worst = Math.max(worst, Math.abs(recon.get(i, j) - err[j]));
                    }
                    for (int l = 0; l < M; l++) {
                        worst = Math.max(worst, Math.abs(z.get(i, l) - zb[l]));
                        if (zb[l] > 0) active++;
                    }
                }
                assertThat(active).as("some latents fire").isGreaterThan(0).isLessThan(4 * M);
            }
        }
        assertThat(worst).isLessThan(1e-5);
    }

    @Test
    void jumpReluZeroesLatentsBelowTheirThreshold() {
        Tensor ones = Tensor.ones(M);
        Tensor eye = Tensor.zerosPersistent(W, M);
        for (int i = 0; i < W; i++) eye.set(1f, i, i);
        SparseAutoencoder s = SparseAutoencoder.jumpRelu(eye, Tensor.zeros(M), Tensor.zeros(M, W), Tensor.zeros(W),
                Ops.scale(ones, 0.5f), false);
        Tensor x = Tensor.of(new float[] {0.4f, 0.6f, -1f, 0.5f, 2f, 0.51f}, 1, W);
        try (GradMode off = GradMode.off()) {
            assertThat(s.encode(x).toFloatArray()).containsExactly(0f, 0.6f, 0f, 0f, 2f, 0.51f, 0f, 0f, 0f, 0f);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (boolean jump : new boolean[] {false, true}) {
            SparseAutoencoder s = sae(8, false, true);
            Tensor b = Rand.param(new Random(9), 3, W);
            Tensor src = Rand.param(new Random(10), 3, W);
            if (jump) s = withThresholdsInGaps(s, b, src);
            SparseAutoencoder sae = s;
            Tensor[] in = {b, src, s.encoderWeight(), s.encoderBias(), s.decoderWeight(), s.decoderBias()};
            SaeIntervention patch = SaeIntervention.patch(sae, 0, 2, 3, 6, 8);
            GradCheck.check("sae patch jump=" + jump, 1e-3, 1e-2, 2e-3, 64, x -> patch.apply(x[0], x[1], null), in);
            SaeIntervention recon = SaeIntervention.reconstruct(sae, false);
            GradCheck.check("sae reconstruct jump=" + jump, 1e-3, 1e-2, 2e-3, 64, x -> recon.apply(x[0], null, null), in);
            SaeIntervention ablate = SaeIntervention.ablate(sae, 1, 5);
            GradCheck.check("sae ablate jump=" + jump, 1e-3, 1e-2, 2e-3, 64, x -> ablate.apply(x[0], null, null), in);
        }
    }

    /**
     * The same SAE with JumpReLU thresholds placed in the middle of the widest gap between
     * the latent's pre-activations on these rows: the step is then far from every probed
     * point, so central differences see a smooth function (at a threshold the output jumps).
     */
    static SparseAutoencoder withThresholdsInGaps(SparseAutoencoder s, Tensor... rows) {
        float[] theta = new float[M];
        for (int j = 0; j < M; j++) {
            List<Double> pre = new java.util.ArrayList<>();
            pre.add(0.0);
            for (Tensor t : rows) {
                for (int i = 0; i < t.size(0); i++) {
                    double[] x = Rand.doubles(t.select(0, i));
                    double p = s.encoderBias().get(j);
                    for (int k = 0; k < W; k++) p += (x[k] - s.decoderBias().get(k)) * s.encoderWeight().get(k, j);
                    if (p > 0) pre.add(p);
                }
            }
            java.util.Collections.sort(pre);
            pre.add(pre.get(pre.size() - 1) + 1.0);
            double best = -1;
            for (int k = 0; k + 1 < pre.size(); k++) {
                double gap = pre.get(k + 1) - pre.get(k);
                if (gap > best) {
                    best = gap;
                    theta[j] = (float) ((pre.get(k) + pre.get(k + 1)) / 2);
                }
            }
        }
        return SparseAutoencoder.jumpRelu(s.encoderWeight(), s.encoderBias(), s.decoderWeight(), s.decoderBias(),
                Tensor.of(theta, M), s.subtractsDecoderBias());
    }

    /** With the error term kept the value is the base, but the gradient runs through the SAE. */
    @Test
    void keepingTheErrorTermKeepsTheValueAndRoutesGradientsThroughLatents() {
        SparseAutoencoder s = sae(11, false, false);
        Tensor b = Rand.param(new Random(12), 4, W);
        Tensor out = SaeIntervention.reconstruct(s, true).apply(b, null, null);
        float[] o = out.toFloatArray();
        float[] bv = b.toFloatArray();
        for (int i = 0; i < o.length; i++) assertThat((double) Math.abs(o[i] - bv[i])).isLessThan(1e-5);
        Ops.sum(out).backward();
        Tensor viaSae = Rand.param(new Random(12), 4, W);
        Ops.sum(s.reconstruct(viaSae)).backward();
        assertThat(b.grad().toFloatArray()).containsExactly(viaSae.grad().toFloatArray());
        assertThat(s.decoderWeight().grad()).isNotNull();
    }

    @Test
    void savedConfigRebuildsTheSameIntervention() {
        SparseAutoencoder s = sae(13, true, true);
        Tensor b = Tensor.randn(new Random(14), 1f, 3, W);
        Tensor src = Tensor.randn(new Random(15), 1f, 3, W);
        try (GradMode off = GradMode.off()) {
            for (SaeIntervention iv : List.of(SaeIntervention.patch(s, 2, 7), SaeIntervention.ablate(s, 1),
                    SaeIntervention.reconstruct(s, true))) {
                Map<String, Object> json = new HashMap<>();
                iv.config().forEach((k, v) -> json.put(k, v instanceof Number n ? (Object) n.doubleValue() : v));
                SaeIntervention back = SaeIntervention.fromConfig(json, iv.parameters());
                assertThat(back.config()).isEqualTo(iv.config());
                assertThat(back.needsSource()).isEqualTo(iv.needsSource());
                assertThat(back.apply(b, src, null).toFloatArray()).containsExactly(iv.apply(b, src, null).toFloatArray());
                assertThat(back.sae().encoderWeight().requiresGrad()).isTrue();
            }
        }
    }

    @Test
    void patchesLatentsInsideAModel() throws Exception {
        CausalLM m = Fixtures.load("llama");
        int d = m.info().dModel();
        SparseAutoencoder s = SparseAutoencoder.random(new Random(16), d, 4 * d);
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        TokenBatch base = TokenBatch.of(IntervenableModelTest.BASE);
        TokenBatch source = TokenBatch.of(IntervenableModelTest.SOURCE);
        try (GradMode off = GradMode.off()) {
            Tensor plain = m.forward(base);
            Tensor none = new IntervenableModel(m, List.of(InterventionSpec.at(site, SaeIntervention.patch(s), 0, new int[] {2}, new int[] {2})))
                    .run(base, List.of(source)).logits();
            assertThat(none.toFloatArray()).containsExactly(plain.toFloatArray());
            int[] all = new int[4 * d];
            for (int i = 0; i < all.length; i++) all[i] = i;
            // every latent patched from the source: the row becomes the source's reconstruction + the base's error
            IntervenableModel im = new IntervenableModel(m, List.of(
                    InterventionSpec.at(site, SaeIntervention.patch(s, all), 0, new int[] {2}, new int[] {2}),
                    InterventionSpec.at(site, new Collect(), -1, new int[] {2}, null)));
            Tensor got = im.run(base, List.of(source)).collected(1);
            Tensor b = IntervenableModelTest.plainActivation(m, base, site).select(0, 0).narrow(0, 2, 1);
            Tensor sr = IntervenableModelTest.plainActivation(m, source, site).select(0, 0).narrow(0, 2, 1);
            Tensor want = Ops.add(s.reconstruct(sr), Ops.sub(b, s.reconstruct(b)));
            float[] g = got.toFloatArray();
            float[] w = want.toFloatArray();
            for (int i = 0; i < w.length; i++) assertThat((double) Math.abs(g[i] - w[i])).isLessThan(1e-5);
        }
    }

    @Test
    void badConfigsNameTheField() {
        SparseAutoencoder s = sae(17, true, false);
        SaeIntervention iv = SaeIntervention.patch(s, 1, 2);
        Map<String, Object> c = new HashMap<>(iv.config());
        c.put("mode", "steer");
        assertThatThrownBy(() -> SaeIntervention.fromConfig(c, iv.parameters())).hasMessageContaining("sae: config field 'mode'");
        Map<String, Object> c2 = new HashMap<>(iv.config());
        c2.put("latents", List.of(1, 99));
        assertThatThrownBy(() -> SaeIntervention.fromConfig(c2, iv.parameters())).hasMessageContaining("config field 'latents'")
                .hasMessageContaining("latent 99");
        Map<String, Object> c3 = new HashMap<>(iv.config());
        c3.put("activation", "gelu");
        assertThatThrownBy(() -> SaeIntervention.fromConfig(c3, iv.parameters())).hasMessageContaining("sae: config field 'activation'");
        Map<String, Tensor> p = new HashMap<>(iv.parameters());
        p.remove("threshold");
        assertThatThrownBy(() -> SaeIntervention.fromConfig(iv.config(), p)).hasMessageContaining("parameter 'threshold' is missing");
        Map<String, Object> c4 = new HashMap<>(iv.config());
        c4.remove("latents");
        assertThatThrownBy(() -> SaeIntervention.fromConfig(c4, iv.parameters())).hasMessageContaining("'latents' is missing");
        assertThatThrownBy(() -> SaeIntervention.patch(s, 10)).hasMessageContaining("latent 10").hasMessageContaining("10 latents");
        assertThatThrownBy(() -> iv.apply(Tensor.zeros(2, W), Tensor.zeros(2, W), new int[] {0})).hasMessageContaining("not with a subspace");
        assertThatThrownBy(() -> SparseAutoencoder.relu(Tensor.zeros(W, M), Tensor.zeros(M), Tensor.zeros(W, M), Tensor.zeros(W), false))
                .hasMessageContaining("W_dec must have shape [10, 6]");
    }
}
