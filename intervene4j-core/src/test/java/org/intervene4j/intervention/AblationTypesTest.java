package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

/** Mean ablation, resample ablation and noise. */
class AblationTypesTest {
    static final int[][] CORPUS = {{5, 17, 3, 30, 8}, {9, 3, 30}, {2, 4, 6, 8, 10, 12}};

    static float[] row(Tensor t, int i) {
        return t.select(0, i).toFloatArray();
    }

    // ------------------------------------------------------------------ mean ablation

    @Test
    void meanOfTheBaseRowItselfGivesTheBaseExactly() {
        Tensor b = Tensor.randn(new Random(1), 1f, 1, 6);
        MeanAblation ablate = MeanAblation.of(new RunningStats(6).add(b));
        try (GradMode off = GradMode.off()) {
            assertThat(ablate.apply(b, null, null).toFloatArray()).containsExactly(b.toFloatArray());
        }
    }

    @Test
    void meanAblationSetsOnlyTheSubspaceAndPassesGradientsElsewhere() {
        Tensor mean = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        MeanAblation ablate = MeanAblation.of(mean);
        Tensor b = Rand.param(new Random(2), 3, 4);
        try (GradMode off = GradMode.off()) {
            Tensor out = ablate.apply(b, null, new int[] {1, 3});
            for (int i = 0; i < 3; i++) {
                float[] o = row(out, i);
                float[] in = row(b, i);
                assertThat(new float[] {o[0], o[1], o[2], o[3]}).containsExactly(in[0], 2f, in[2], 4f);
            }
            assertThat(ablate.apply(b, null, null).toFloatArray()).containsExactly(1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
        }
        GradCheck.check("mean_ablation", in -> ablate.apply(in[0], null, new int[] {1, 3}), b);
        assertThat(b.grad().toFloatArray()[1]).isEqualTo(0f);
    }

    /** The mean collected over a padded corpus is the mean of the unpadded rows only. */
    @Test
    void collectedMeanIgnoresPaddingAndAblatesInTheModel() throws Exception {
        CausalLM m = Fixtures.load("llama");
        Site site = Site.of(0, Component.MLP_OUTPUT);
        TokenBatch padded = TokenBatch.padded(CORPUS, PadSide.RIGHT, 0);
        RunningStats stats = RunningStats.collect(m, site, Positions.all(), List.of(padded));
        int d = m.info().dModel();
        double[] want = new double[d];
        int rows = 0;
        try (GradMode off = GradMode.off()) {
            for (int[] ex : CORPUS) {
                Tensor a = IntervenableModelTest.plainActivation(m, TokenBatch.of(ex), site);
                for (int t = 0; t < ex.length; t++, rows++) {
                    float[] v = a.select(0, 0).select(0, t).toFloatArray();
                    for (int j = 0; j < d; j++) want[j] += v[j];
                }
            }
            assertThat(stats.count()).isEqualTo(rows);
            float[] got = stats.mean().toFloatArray();
            for (int j = 0; j < d; j++) assertThat((double) Math.abs(got[j] - want[j] / rows)).isLessThan(1e-5);
            // ablate, then read the same site back: the rows are the mean
            IntervenableModel im = new IntervenableModel(m, List.of(
                    InterventionSpec.at(site, MeanAblation.of(stats), -1, new int[] {1, 3}, null),
                    InterventionSpec.at(site, new Collect(), -1, new int[] {1, 3}, null)));
            Tensor seen = im.run(TokenBatch.of(CORPUS[0]), List.of()).collected(1);
            assertThat(row(seen, 0)).containsExactly(got);
            assertThat(row(seen, 1)).containsExactly(got);
        }
    }

    // ------------------------------------------------------------------ resample ablation

    @Test
    void resampleFromABankDrawsBankRowsDeterministically() {
        Tensor bank = Tensor.randn(new Random(3), 1f, 20, 5);
        Tensor b = Tensor.randn(new Random(4), 1f, 8, 5);
        ResampleAblation r = ResampleAblation.fromBank(bank, 42);
        assertThat(r.needsSource()).isFalse();
        try (GradMode off = GradMode.off()) {
            Tensor out = r.apply(b, null, null);
            int[] pick = r.choose(8);
            for (int i = 0; i < 8; i++) assertThat(row(out, i)).containsExactly(row(bank, pick[i]));
            assertThat(r.apply(b, null, null).toFloatArray()).containsExactly(out.toFloatArray());
            assertThat(r.withSeed(43).apply(b, null, null).toFloatArray()).isNotEqualTo(out.toFloatArray());
            Tensor sub = r.apply(b, null, new int[] {0});
            for (int i = 0; i < 8; i++) {
                assertThat(row(sub, i)[0]).isEqualTo(row(bank, pick[i])[0]);
                assertThat(Arrays.copyOfRange(row(sub, i), 1, 5)).containsExactly(Arrays.copyOfRange(row(b, i), 1, 5));
            }
            Map<String, Object> json = new HashMap<>();
            r.config().forEach((k, v) -> json.put(k, v instanceof Number n ? (Object) n.doubleValue() : v));
            assertThat(ResampleAblation.fromConfig(json, r.parameters()).apply(b, null, null).toFloatArray())
                    .containsExactly(out.toFloatArray());
        }
    }

    @Test
    void resampleFromTheSourceIsASeededPermutationOfTheSourceRows() {
        Tensor s = Tensor.arange(12).reshape(6, 2);
        Tensor b = Rand.param(new Random(5), 6, 2);
        ResampleAblation r = ResampleAblation.fromSource(7);
        assertThat(r.needsSource()).isTrue();
        float[] first;
        try (GradMode off = GradMode.off()) {
            Tensor out = r.apply(b, s, null);
            first = out.toFloatArray();
            int[] seen = new int[6];
            for (int i = 0; i < 6; i++) {
                float[] v = row(out, i);
                assertThat(v[1]).isEqualTo(v[0] + 1);
                seen[(int) v[0] / 2]++;
            }
            assertThat(seen).containsOnly(1);
            assertThat(ResampleAblation.fromSource(7).apply(b, s, null).toFloatArray()).containsExactly(first);
            assertThat(ResampleAblation.fromConfig(r.config(), Map.of()).apply(b, s, null).toFloatArray()).containsExactly(first);
        }
        GradCheck.check("resample_ablation", in -> r.apply(in[0], in[1], new int[] {1}), b, Rand.param(new Random(6), 6, 2));
    }

    // ------------------------------------------------------------------ noise

    @Test
    void zeroSigmaIsTheIdentityAndNoiseIsSeeded() {
        Tensor b = Tensor.randn(new Random(8), 1f, 4, 3);
        try (GradMode off = GradMode.off()) {
            assertThat(Noise.of(0, 1).apply(b, null, null).toFloatArray()).containsExactly(b.toFloatArray());
            float[] once = Noise.of(0.5, 9).apply(b, null, null).toFloatArray();
            assertThat(Noise.of(0.5, 9).apply(b, null, null).toFloatArray()).containsExactly(once);
            assertThat(Noise.of(0.5, 10).apply(b, null, null).toFloatArray()).isNotEqualTo(once);
            float[] sub = Noise.of(0.5, 9).apply(b, null, new int[] {2}).toFloatArray();
            float[] bv = b.toFloatArray();
            for (int i = 0; i < 12; i++) {
                if (i % 3 == 2) assertThat(sub[i]).isEqualTo(once[i]);
                else assertThat(sub[i]).isEqualTo(bv[i]);
            }
            Noise back = Noise.fromConfig(Noise.of(0.5, 9).config(), Map.of());
            assertThat(back.apply(b, null, null).toFloatArray()).containsExactly(once);
        }
    }

    @Test
    void noiseHasTheRequestedSpread() {
        int n = 400;
        int w = 50;
        Tensor zero = Tensor.zeros(n, w);
        RunningStats stats = new RunningStats(w);
        try (GradMode off = GradMode.off()) {
            stats.add(Noise.of(2.0, 123).apply(zero, null, null));
        }
        assertThat(stats.overallMean()).isCloseTo(0, org.assertj.core.data.Offset.offset(0.03));
        assertThat(stats.overallStd(true)).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void embeddingSigmaIsThreeTimesThePooledEmbeddingStd() throws Exception {
        CausalLM m = Fixtures.load("gpt2");
        double sigma = Noise.embeddingSigma(m, List.of(TokenBatch.padded(CORPUS, PadSide.LEFT, 0)), 3);
        double sum = 0;
        double sq = 0;
        long count = 0;
        try (GradMode off = GradMode.off()) {
            for (int[] ex : CORPUS) {
                for (float v : IntervenableModelTest.plainActivation(m, TokenBatch.of(ex), Site.of(Component.EMBEDDINGS)).toFloatArray()) {
                    sum += v;
                    count++;
                }
            }
            double mean = sum / count;
            for (int[] ex : CORPUS) {
                for (float v : IntervenableModelTest.plainActivation(m, TokenBatch.of(ex), Site.of(Component.EMBEDDINGS)).toFloatArray()) {
                    sq += (v - mean) * (v - mean);
                }
            }
        }
        double want = 3 * Math.sqrt(sq / (count - 1));
        assertThat(sigma).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-6 * want));
    }

    /** Causal tracing's two runs: corrupt the subject's embeddings, then restore a clean state. */
    @Test
    void noisyRunRestoredFromTheCleanRunAtTheLastBlockGivesTheCleanLogits() throws Exception {
        CausalLM m = Fixtures.load("gpt2");
        TokenBatch prompt = TokenBatch.of(CORPUS[0]);
        double sigma = Noise.embeddingSigma(m, List.of(prompt), 3);
        int last = m.info().layers() - 1;
        InterventionSpec corrupt = InterventionSpec.at(Site.of(Component.EMBEDDINGS), Noise.of(sigma, 1), -1, new int[] {0, 1}, null);
        try (GradMode off = GradMode.off()) {
            Tensor clean = m.forward(prompt);
            Tensor noisy = new IntervenableModel(m, List.of(corrupt)).run(prompt, List.of()).logits();
            Tensor noisyAgain = new IntervenableModel(m, List.of(corrupt)).run(prompt, List.of()).logits();
            assertThat(noisyAgain.toFloatArray()).containsExactly(noisy.toFloatArray());
            double moved = 0;
            float[] c = clean.toFloatArray();
            float[] n = noisy.toFloatArray();
            for (int i = 0; i < c.length; i++) moved = Math.max(moved, Math.abs(c[i] - n[i]));
            assertThat(moved).isGreaterThan(1e-2);
            Tensor restored = new IntervenableModel(m, List.of(corrupt, InterventionSpec.at(Site.of(last, Component.BLOCK_OUTPUT),
                    new Vanilla(), 0, null, null))).run(prompt, List.of(prompt)).logits();
            assertThat(restored.toFloatArray()).containsExactly(c);
        }
    }

    // ------------------------------------------------------------------ configs

    @Test
    void badConfigsNameTheField() {
        assertThatThrownBy(() -> Noise.fromConfig(Map.of("sigma", -1.0, "seed", 1), Map.of())).hasMessageContaining("noise: config field 'sigma' must be >= 0");
        assertThatThrownBy(() -> Noise.fromConfig(Map.of("sigma", 1.0), Map.of())).hasMessageContaining("noise: config field 'seed' is missing");
        assertThatThrownBy(() -> Noise.of(Double.NaN, 1)).hasMessageContaining("sigma");
        assertThatThrownBy(() -> MeanAblation.fromConfig(Map.of("width", 4), Map.of("mean", Tensor.zeros(5))))
                .hasMessageContaining("mean_ablation: parameter 'mean' has shape [5], expected [4]");
        assertThatThrownBy(() -> MeanAblation.fromConfig(Map.of("width", "four"), Map.of()))
                .hasMessageContaining("mean_ablation: config field 'width' must be an integer");
        assertThatThrownBy(() -> ResampleAblation.fromConfig(Map.of("seed", 1, "from", "hat"), Map.of()))
                .hasMessageContaining("resample_ablation: config field 'from' must be 'bank' or 'source'");
        assertThatThrownBy(() -> ResampleAblation.fromConfig(Map.of("seed", 1, "from", "bank", "rows", 3, "width", 2), Map.of()))
                .hasMessageContaining("resample_ablation: parameter 'bank' is missing");
        assertThatThrownBy(() -> MeanAblation.of(Tensor.zeros(3)).apply(Tensor.zeros(2, 4), null, null))
                .hasMessageContaining("mean has 3 values but the rows have width 4");
    }
}
