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

class IntervenableModelTest {
    static final int[] BASE = {5, 17, 3, 30, 8};
    static final int[] SOURCE = {9, 3, 30, 8, 2};

    static CausalLM load(String variant) throws Exception {
        return Fixtures.load(variant);
    }

    /** The activation at {@code site} of a plain forward. */
    static Tensor plainActivation(CausalLM m, TokenBatch batch, Site site) {
        Map<String, Tensor> seen = new HashMap<>();
        m.forward(batch, Sites.with(m.info().layers(), (s, x) -> {
            seen.put("x", x.persist());
            return x;
        }, site::equals), null); // watching only this site keeps the forward on the path the interventions' forwards take
        return seen.get("x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "gpt_neox", "mistral"})
    void vanillaWithSourceEqualToBaseChangesNothingAndCollectIsExact(String variant) throws Exception {
        CausalLM m = load(variant);
        try (GradMode off = GradMode.off()) {
            TokenBatch base = TokenBatch.of(BASE);
            Tensor plain = m.forward(base);
            Site blockOut = Site.of(1, Component.BLOCK_OUTPUT);
            IntervenableModel im = new IntervenableModel(m, List.of(
                    InterventionSpec.at(blockOut, new Vanilla(), 0, new int[] {0, 2, 4}, new int[] {0, 2, 4}),
                    InterventionSpec.at(Site.heads(0, Component.ATTENTION_VALUE_OUTPUT), new Vanilla(), 0, new int[] {3}, new int[] {3}),
                    InterventionSpec.at(Site.of(0, Component.MLP_OUTPUT), new Collect(), -1, new int[] {1, 3}, null)));
            IntervenableModel.Result r = im.run(base, List.of(base));
            assertThat(r.logits().toFloatArray()).containsExactly(plain.toFloatArray());
            Tensor mlp = plainActivation(m, base, Site.of(0, Component.MLP_OUTPUT));
            Tensor rows = r.collected(2);
            assertThat(rows.select(0, 0).toFloatArray()).containsExactly(mlp.select(0, 0).select(0, 1).toFloatArray());
            assertThat(rows.select(0, 1).toFloatArray()).containsExactly(mlp.select(0, 0).select(0, 3).toFloatArray());
            assertThat(r.fired()).hasSize(3 + m.info().heads() + 2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void aPositionPatchCopiesTheSourceRowAndLeavesEarlierPositionsAlone(String variant) throws Exception {
        CausalLM m = load(variant);
        try (GradMode off = GradMode.off()) {
            TokenBatch base = TokenBatch.of(BASE);
            TokenBatch source = TokenBatch.of(SOURCE);
            Site site = Site.of(0, Component.BLOCK_OUTPUT);
            IntervenableModel im = new IntervenableModel(m, List.of(
                    InterventionSpec.at(site, new Vanilla(), 0, new int[] {2}, new int[] {1}),
                    InterventionSpec.at(Site.of(1, Component.BLOCK_INPUT), new Collect(), -1, new int[] {2}, null)));
            IntervenableModel.Result r = im.run(base, List.of(source), true);
            Tensor src = plainActivation(m, source, site);
            assertThat(r.collected(1).select(0, 0).toFloatArray()).containsExactly(src.select(0, 0).select(0, 1).toFloatArray());
            float[] plain = r.baseLogits().select(0, 0).toFloatArray();
            float[] patched = r.logits().select(0, 0).toFloatArray();
            int v = m.info().vocab();
            for (int i = 0; i < 2 * v; i++) assertThat(patched[i]).isEqualTo(plain[i]); // positions 0, 1 untouched
            double change = 0;
            for (int i = 2 * v; i < 3 * v; i++) change = Math.max(change, Math.abs(patched[i] - plain[i]));
            assertThat(change).isGreaterThan(1e-3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt_neox"})
    void paddingDoesNotMoveAPatch(String variant) throws Exception {
        CausalLM m = load(variant);
        try (GradMode off = GradMode.off()) {
            Site site = Site.of(0, Component.MLP_OUTPUT);
            List<InterventionSpec> specs = List.of(InterventionSpec.at(site, new Zero(), -1, new int[] {-2}, null).withSubspace(0, 3, 5));
            Tensor alone = new IntervenableModel(m, specs).run(TokenBatch.of(SOURCE), List.of()).logits();
            for (PadSide side : PadSide.values()) {
                TokenBatch batch = TokenBatch.padded(new int[][] {BASE, {1, 2, 3, 4, 5, 6, 7}, SOURCE}, side, 0);
                IntervenableModel.Result r = new IntervenableModel(m, specs).run(batch, List.of());
                for (int t = 0; t < SOURCE.length; t++) {
                    float[] got = r.logits().select(0, 2).select(0, batch.column(2, t)).toFloatArray();
                    float[] want = alone.select(0, 0).select(0, t).toFloatArray();
                    for (int k = 0; k < want.length; k++) assertThat((double) Math.abs(got[k] - want[k])).isLessThan(5e-5);
                }
                assertThat(r.fired()).extracting(Fired::position).containsExactly(3, 5, 3);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama"})
    void badSpecsAreNamed(String variant) throws Exception {
        CausalLM m = load(variant);
        TokenBatch base = TokenBatch.of(BASE);
        assertThatThrownBy(() -> new IntervenableModel(m, List.of(
                InterventionSpec.at(Site.of(7, Component.BLOCK_OUTPUT), new Zero(), -1, new int[] {0}, null))))
                .hasMessageContaining("layer 7").hasMessageContaining("2 layers");
        assertThatThrownBy(() -> new IntervenableModel(m, List.of(
                InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), new Zero(), -1, new int[] {9}, null))).run(base, List.of()))
                .hasMessageContaining("position 9").hasMessageContaining("5 tokens");
        assertThatThrownBy(() -> new IntervenableModel(m, List.of(
                InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), new Zero(), -1, new int[] {0}, null).withSubspace(99)))
                .run(base, List.of())).hasMessageContaining("subspace index 99").hasMessageContaining("16");
        assertThatThrownBy(() -> new IntervenableModel(m, List.of(
                InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), new Vanilla(), 1, new int[] {0}, new int[] {0})))
                .run(base, List.of(base))).hasMessageContaining("source 1").hasMessageContaining("1 source input");
        assertThatThrownBy(() -> new IntervenableModel(m, List.of(
                InterventionSpec.at(Site.heads(0, Component.KEY_OUTPUT), new Zero(), -1, new int[] {0}, null).withHeads(2)))
                .run(base, List.of())).hasMessageContaining("head 2").hasMessageContaining("2 heads");
        assertThatThrownBy(() -> InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), new Vanilla(), -1, new int[] {0}, null))
                .hasMessageContaining("needs a source");
    }
}
