package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SkipTest {
    static final int[] BASE = IntervenableModelTest.BASE;

    /** Logits of a plain forward in which block {@code layer}'s output at the given columns is its own input. */
    static Tensor manualSkip(CausalLM m, TokenBatch batch, int layer, int[] columns) {
        Map<String, Tensor> input = new HashMap<>();
        return m.forward(batch, Sites.with(m.info().layers(), (site, x) -> {
            if (site.equals(Site.of(layer, Component.BLOCK_INPUT))) input.put("x", x);
            if (!site.equals(Site.of(layer, Component.BLOCK_OUTPUT))) return x;
            Tensor out = x.persist();
            Tensor in = input.get("x");
            int d = x.size(2);
            for (int i = 0; i < x.size(0); i++) {
                for (int c : columns) for (int j = 0; j < d; j++) out.set(in.get(i, c, j), i, c, j);
            }
            return out;
        }, site -> site.layer() == layer && (site.component() == Component.BLOCK_INPUT || site.component() == Component.BLOCK_OUTPUT)), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "gpt_neox"})
    void skipEqualsTheBlockOutputReplacedByItsInput(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        try (GradMode off = GradMode.off()) {
            TokenBatch base = TokenBatch.of(BASE);
            for (int layer = 0; layer < m.info().layers(); layer++) {
                Tensor want = manualSkip(m, base, layer, new int[] {0, 1, 2, 3, 4});
                Tensor got = new IntervenableModel(m, List.of(Skip.at(layer, null))).run(base, List.of()).logits();
                assertThat(got.toFloatArray()).as("layer %d", layer).containsExactly(want.toFloatArray());
            }
            // one position of the last block: only that position's logits move
            int last = m.info().layers() - 1;
            IntervenableModel.Result r = new IntervenableModel(m, List.of(Skip.at(last, Positions.of(2)))).run(base, List.of(), true);
            assertThat(r.logits().toFloatArray()).containsExactly(manualSkip(m, base, last, new int[] {2}).toFloatArray());
            int v = m.info().vocab();
            float[] plain = r.baseLogits().toFloatArray();
            float[] skipped = r.logits().toFloatArray();
            double change = 0;
            for (int i = 0; i < plain.length; i++) {
                if (i / v == 2) change = Math.max(change, Math.abs(skipped[i] - plain[i]));
                else assertThat(skipped[i]).isEqualTo(plain[i]);
            }
            assertThat(change).isGreaterThan(1e-3);
        }
    }

    /** Skipping every block leaves the embeddings as the final residual stream. */
    @ParameterizedTest
    @ValueSource(strings = {"llama"})
    void skippingEveryBlockFeedsTheEmbeddingsToTheFinalNorm(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        try (GradMode off = GradMode.off()) {
            TokenBatch base = TokenBatch.of(BASE);
            Tensor embeddings = IntervenableModelTest.plainActivation(m, base, Site.of(Component.EMBEDDINGS));
            int last = m.info().layers() - 1;
            Tensor want = m.forward(base, Sites.with(m.info().layers(),
                    (site, x) -> site.equals(Site.of(last, Component.BLOCK_OUTPUT)) ? embeddings : x), null);
            List<InterventionSpec> all = new java.util.ArrayList<>();
            for (int l = 0; l < m.info().layers(); l++) all.add(Skip.at(l, null));
            Tensor got = new IntervenableModel(m, all).run(base, List.of()).logits();
            assertThat(got.toFloatArray()).containsExactly(want.toFloatArray());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama"})
    void paddedBatchesSkipUnpaddedPositionsAndErrorsAreNamed(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        try (GradMode off = GradMode.off()) {
            int[] other = {1, 2, 3, 4, 5, 6, 7};
            Tensor alone = new IntervenableModel(m, List.of(Skip.at(0, Positions.of(-2)))).run(TokenBatch.of(BASE), List.of()).logits();
            TokenBatch batch = TokenBatch.padded(new int[][] {other, BASE}, PadSide.LEFT, 0);
            Tensor padded = new IntervenableModel(m, List.of(Skip.at(0, Positions.of(-2)))).run(batch, List.of()).logits();
            for (int t = 0; t < BASE.length; t++) {
                float[] got = padded.select(0, 1).select(0, batch.column(1, t)).toFloatArray();
                float[] want = alone.select(0, 0).select(0, t).toFloatArray();
                for (int k = 0; k < want.length; k++) assertThat((double) Math.abs(got[k] - want[k])).isLessThan(5e-5);
            }
        }
        // reading a site the forward reaches only later
        InterventionSpec backwards = new InterventionSpec(Site.of(0, Component.BLOCK_INPUT), Site.of(0, Component.BLOCK_OUTPUT),
                new Skip(), -1, null, null, null, null);
        assertThatThrownBy(() -> new IntervenableModel(m, List.of(backwards)).run(TokenBatch.of(BASE), List.of()))
                .hasMessageContaining("blocks.0.block_output of the same run").hasMessageContaining("before blocks.0.block_input");
        assertThat(Skip.fromConfig(new Skip().config(), Map.of()).type()).isEqualTo("skip");
        assertThatThrownBy(() -> Skip.fromConfig(Map.of("type", "zero"), Map.of())).hasMessageContaining("skip: config field 'type'");
    }
}
