package org.intervene4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.site.Component;
import org.intervene4j.site.Sites;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static CausalLM model() throws Exception {
        return Models.loadCausalLM(FixtureParityTest.fixtures().resolve("llama"));
    }

    /** Greedy continuation computed the slow way: a full forward over the whole sequence per token. */
    private static int[] greedyByRecomputation(CausalLM m, int[] prompt, int n) {
        int[] seq = prompt.clone();
        try (GradMode off = GradMode.off()) {
            for (int i = 0; i < n; i++) {
                Tensor logits = m.forward(TokenBatch.of(seq));
                int next = Sampler.argmax(logits.select(0, 0).select(0, seq.length - 1).toFloatArray());
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next;
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    @Test
    void greedyWithTheCacheEqualsRecomputationAndStreams() throws Exception {
        CausalLM m = model();
        int[] prompt = {6, 34, 21, 13};
        List<Integer> streamed = new ArrayList<>();
        int[] got = Generator.generate(m, prompt, 8, Sampler.greedy(), null, Sites.NONE, streamed::add);
        assertThat(got).containsExactly(greedyByRecomputation(m, prompt, 8));
        assertThat(streamed).containsExactly(Arrays.stream(got).boxed().toArray(Integer[]::new));
    }

    @Test
    void samplingIsReproducibleAndTopKOneIsGreedy() throws Exception {
        CausalLM m = model();
        int[] prompt = {6, 34, 21};
        int[] a = Generator.generate(m, prompt, 10, new Sampler(1.5f, 0, 0.9f, 42), null, Sites.NONE, null);
        int[] b = Generator.generate(m, prompt, 10, new Sampler(1.5f, 0, 0.9f, 42), null, Sites.NONE, null);
        assertThat(a).containsExactly(b);
        int[] k1 = Generator.generate(m, prompt, 10, new Sampler(1.5f, 1, 1f, 7), null, Sites.NONE, null);
        assertThat(k1).containsExactly(Generator.generate(m, prompt, 10, Sampler.greedy(), null, Sites.NONE, null));
        boolean differs = false;
        for (long seed = 0; seed < 5 && !differs; seed++) {
            differs = !Arrays.equals(a, Generator.generate(m, prompt, 10, new Sampler(1.5f, 0, 0.9f, seed), null, Sites.NONE, null));
        }
        assertThat(differs).as("different seeds give different samples at temperature 1.5").isTrue();
    }

    @Test
    void stopsAtEosAndCapturesGeneratedTokensActivations() throws Exception {
        CausalLM m = model();
        int[] prompt = {6, 34, 21, 13};
        int[] free = Generator.generate(m, prompt, 6, Sampler.greedy(), null, Sites.NONE, null);
        int eos = free[2];
        int firstEos = 0;
        while (free[firstEos] != eos) firstEos++;
        List<int[]> shapes = new ArrayList<>();
        Sites capture = Sites.with(m.info().layers(), (site, x) -> {
            if (site.layer() == 1 && site.component() == Component.BLOCK_OUTPUT) shapes.add(x.shape());
            return x;
        });
        int[] stopped = Generator.generate(m, prompt, 6, Sampler.greedy(), eos, capture, null);
        assertThat(stopped).containsExactly(Arrays.copyOf(free, firstEos + 1));
        // one prefill over the prompt, then one forward per generated token after the first
        assertThat(shapes.get(0)).containsExactly(1, prompt.length, m.info().dModel());
        assertThat(shapes).hasSize(stopped.length);
        for (int i = 1; i < shapes.size(); i++) assertThat(shapes.get(i)).containsExactly(1, 1, m.info().dModel());
    }

    @Test
    void badOptionsAreNamed() throws Exception {
        assertThatThrownBy(() -> new Sampler(-1f, 0, 1f, 0)).hasMessageContaining("--temperature");
        assertThatThrownBy(() -> new Sampler(1f, -2, 1f, 0)).hasMessageContaining("--top-k");
        assertThatThrownBy(() -> new Sampler(1f, 0, 0f, 0)).hasMessageContaining("--top-p");
        CausalLM m = model();
        int[] tooLong = new int[m.info().maxPositions() + 1];
        assertThatThrownBy(() -> Generator.generate(m, tooLong, 1, Sampler.greedy(), null, Sites.NONE, null))
                .hasMessageContaining("positions");
    }
}
