package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A chain source_0 -> source_1 -> base equals doing the two patches one after the other by hand. */
class SerialChainTest {
    static final TokenBatch S0 = TokenBatch.of(9, 3, 30, 8, 2);
    static final TokenBatch S1 = TokenBatch.of(1, 22, 7, 15, 4);
    static final TokenBatch BASE = TokenBatch.of(5, 17, 3, 30, 8);

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void aChainPassesThePatchedSourceOn(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        Site first = Site.of(0, Component.BLOCK_OUTPUT);
        Site second = Site.of(1, Component.BLOCK_OUTPUT);
        InterventionSpec a = InterventionSpec.at(first, new Vanilla(), 0, new int[] {1}, new int[] {1});
        InterventionSpec b = InterventionSpec.at(second, new Vanilla(), 1, new int[] {3}, new int[] {1});
        try (GradMode off = GradMode.off()) {
            IntervenableModel.Result chained = new IntervenableModel(m, List.of(a, b)).runSerial(List.of(S0, S1, BASE));

            // by hand: source_1 patched from source_0, its row read at the second site ...
            Tensor passed = new IntervenableModel(m, List.of(a,
                    InterventionSpec.at(second, new Collect(), -1, new int[] {1}, null)))
                    .run(S1, List.of(S0)).collected(1);
            // ... then written into the base
            Intervention constant = (rows, src, sub) -> passed;
            Tensor byHand = new IntervenableModel(m, List.of(InterventionSpec.at(second, constant, -1, new int[] {3}, null)))
                    .run(BASE, List.of()).logits();
            assertThat(chained.logits().toFloatArray()).containsExactly(byHand.toFloatArray());

            // and it differs from patching the base straight from an unpatched source_1
            Tensor direct = new IntervenableModel(m, List.of(InterventionSpec.at(second, new Vanilla(), 0, new int[] {3}, new int[] {1})))
                    .run(BASE, List.of(S1)).logits();
            assertThat(chained.logits().toFloatArray()).isNotEqualTo(direct.toFloatArray());
            assertThat(chained.fired()).extracting(Fired::spec).containsExactly(0, 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2"})
    void chainsCheckTheirShape(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        InterventionSpec readsBase = InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), new Vanilla(), 1, new int[] {1}, new int[] {1});
        assertThatThrownBy(() -> new IntervenableModel(m, List.of(readsBase)).runSerial(List.of(S0, BASE)))
                .hasMessageContaining("reads input 1 of a chain of 2 inputs");
        assertThatThrownBy(() -> new IntervenableModel(m, List.of()).runSerial(List.of()))
                .hasMessageContaining("no inputs");
    }
}
