package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Generator;
import org.intervene4j.model.Sampler;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Generation with interventions under the KV cache equals recomputing the whole sequence each step. */
class InterventionGenerationTest {
    static final int[] PROMPT = {6, 34, 21, 13};
    static final int[] SOURCE = {9, 3, 30, 8, 2};
    static final int N = 8;

    /** Greedy continuation the slow way: one full forward (no cache) per token, interventions at {@code positions(len)}. */
    static int[] greedyByRecomputation(CausalLM m, List<InterventionSpec> template, java.util.function.IntFunction<int[]> positions) {
        int[] seq = PROMPT.clone();
        try (GradMode off = GradMode.off()) {
            for (int i = 0; i < N; i++) {
                List<InterventionSpec> specs = new ArrayList<>();
                for (InterventionSpec s : template) {
                    int[] at = positions.apply(seq.length);
                    int[] from = new int[at.length];
                    Arrays.fill(from, -1); // sources: the last source token
                    specs.add(new InterventionSpec(s.site(), s.sourceSite(), s.intervention(), s.source(), Positions.of(at),
                            Positions.of(from), s.heads(), s.subspace()));
                }
                Tensor logits = new IntervenableModel(m, specs).run(TokenBatch.of(seq), List.of(TokenBatch.of(SOURCE))).logits();
                int next = argmax(logits.select(0, 0).select(0, seq.length - 1).toFloatArray());
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next;
            }
        }
        return Arrays.copyOfRange(seq, PROMPT.length, seq.length);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void collectedRowsOfGeneratedTokensEqualThePlainForward(String variant) {
        CausalLM m = Fixtures.load(variant);
        Site site = Site.of(1, Component.BLOCK_OUTPUT);
        Site heads = Site.heads(0, Component.ATTENTION_VALUE_OUTPUT);
        IntervenableModel im = new IntervenableModel(m, List.of(
                new InterventionSpec(site, site, new Collect(), -1, Positions.all(), null, null, null),
                new InterventionSpec(heads, heads, new Collect(), -1, Positions.of(-1), null, new int[] {1}, null)));
        List<Integer> streamed = new ArrayList<>();
        IntervenableModel.Generation g = im.generate(PROMPT, List.of(), N, Sampler.greedy(), null, true, streamed::add);
        int[] plainTokens = Generator.generate(m, PROMPT, N, Sampler.greedy(), null, Sites.NONE, null);
        assertThat(g.tokens()).containsExactly(plainTokens); // collecting changes nothing
        assertThat(streamed).containsExactly(Arrays.stream(plainTokens).boxed().toArray(Integer[]::new));

        // every position that went through the model: the prompt and all generated tokens but the last
        int[] seq = new int[PROMPT.length + N - 1];
        System.arraycopy(PROMPT, 0, seq, 0, PROMPT.length);
        System.arraycopy(plainTokens, 0, seq, PROMPT.length, N - 1);
        Tensor want = IntervenableModelTest.plainActivation(m, TokenBatch.of(seq), site).select(0, 0); // [seq, d]
        Tensor got = g.collected(0);
        assertThat(got.shape()).containsExactly(seq.length, m.info().dModel());
        assertClose(got.toFloatArray(), want.toFloatArray(), variant + " block_output rows");
        // head 1 at the last prompt position, then at each new token
        Tensor z = IntervenableModelTest.plainActivation(m, TokenBatch.of(seq), heads.whole()).select(0, 0); // [seq, H*hd]
        int hd = m.info().headDim();
        Tensor zHead = z.narrow(1, hd, hd).narrow(0, PROMPT.length - 1, N);
        assertThat(g.collected(1).shape()).containsExactly(N, hd);
        assertClose(g.collected(1).toFloatArray(), zHead.contiguous().toFloatArray(), variant + " head rows");
        assertThat(g.fired().stream().filter(f -> f.spec() == 1).map(Fired::position).toList())
                .containsExactly(Arrays.stream(range(PROMPT.length - 1, seq.length)).boxed().toArray(Integer[]::new));

        // a position after the prompt, prompt-only mode: fires once, in the forward that processes it
        int later = PROMPT.length + 2;
        IntervenableModel.Generation one = new IntervenableModel(m, List.of(
                InterventionSpec.at(site, new Collect(), -1, new int[] {later}, null))).generate(PROMPT, List.of(), N, Sampler.greedy(), null, false, null);
        assertThat(one.fired()).extracting(Fired::position).containsExactly(later);
        assertClose(one.collected(0).toFloatArray(), want.select(0, later).toFloatArray(), variant + " a later position");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2"})
    void anAdditionAtEveryStepChangesTheContinuationAndEqualsRecomputation(String variant) {
        CausalLM m = Fixtures.load(variant);
        Tensor steer = Tensor.randn(new Random(3), 3f, m.info().dModel());
        List<InterventionSpec> specs = List.of(
                InterventionSpec.at(Site.of(0, Component.MLP_OUTPUT), Addition.ofVector(steer), -1, new int[] {-1}, null));
        IntervenableModel.Generation g = new IntervenableModel(m, specs).generate(PROMPT, List.of(), N, Sampler.greedy(), null, true, null);
        int[] plain = Generator.generate(m, PROMPT, N, Sampler.greedy(), null, Sites.NONE, null);
        assertThat(g.tokens()).isNotEqualTo(plain);
        // last prompt position and every generated position
        assertThat(g.tokens()).containsExactly(greedyByRecomputation(m, specs, len -> range(PROMPT.length - 1, len)));
        assertThat(g.fired()).hasSize(N);

        // prompt only: acts once, at the prompt; later tokens see it only through the cache
        IntervenableModel.Generation once = new IntervenableModel(m, specs).generate(PROMPT, List.of(), N, Sampler.greedy(), null, false, null);
        assertThat(once.tokens()).containsExactly(greedyByRecomputation(m, specs, len -> new int[] {PROMPT.length - 1}));
        assertThat(once.fired()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama"})
    void aSourcePatchOnHeadsAtEveryNewTokenEqualsRecomputation(String variant) {
        CausalLM m = Fixtures.load(variant);
        Site site = Site.heads(0, Component.VALUE_OUTPUT);
        List<InterventionSpec> specs = List.of(new InterventionSpec(site, site, new Vanilla(), 0, Positions.of(2),
                Positions.of(-1), new int[] {0, 1}, null));
        IntervenableModel.Generation g = new IntervenableModel(m, specs)
                .generate(PROMPT, List.of(SOURCE), N, Sampler.greedy(), null, true, null);
        assertThat(g.tokens()).containsExactly(greedyByRecomputation(m, specs, len -> {
            int[] at = new int[1 + len - PROMPT.length];
            at[0] = 2;
            for (int i = 1; i < at.length; i++) at[i] = PROMPT.length + i - 1;
            return at;
        }));
        assertThat(g.fired()).hasSize(2 * N);
        int[] plain = Generator.generate(m, PROMPT, N, Sampler.greedy(), null, Sites.NONE, null);
        assertThat(g.tokens()).isNotEqualTo(plain);
    }

    private static void assertClose(float[] got, float[] want, String what) {
        double scale = 1;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        assertThat(worst).as("%s: max error (scale %.3g)", what, scale).isLessThanOrEqualTo(1e-5 * scale);
    }
}
