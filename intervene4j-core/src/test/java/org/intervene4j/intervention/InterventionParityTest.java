package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interventions at every interventable site (positions, heads, subspaces; vanilla, zero,
 * addition, subtraction) match an independent float64 reference
 * (tools/reference/make_intervention_fixtures.py): max |java - expected| <= 2e-5 * max(1, max |expected|)
 * on the logits of each case, as in FixtureParityTest.
 */
class InterventionParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "gpt_neox"})
    void everyCaseMatchesTheFloat64Reference(String variant) throws Exception {
        Path dir = Fixtures.dir().resolve(variant);
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("interventions.json").toFile());
        CausalLM m = Fixtures.load(variant);
        TokenBatch base = TokenBatch.of(SpecJson.intsOf(meta.at("/base/ids"), "base.ids"));
        List<TokenBatch> sources = new ArrayList<>();
        for (JsonNode s : meta.get("sources")) sources.add(TokenBatch.of(SpecJson.intsOf(s.get("ids"), "ids")));
        Set<String> sitesCovered = new HashSet<>();
        double worstRelative = 0;
        try (SafetensorsFile expected = SafetensorsFile.open(dir.resolve("interventions.safetensors"));
             GradMode off = GradMode.off()) {
            Tensor plain = m.forward(base);
            JsonNode cases = meta.get("cases");
            for (int c = 0; c < cases.size(); c++) {
                JsonNode ivs = cases.get(c).get("interventions");
                List<InterventionSpec> specs = new ArrayList<>();
                for (int k = 0; k < ivs.size(); k++) {
                    specs.add(SpecJson.readEntry(ivs.get(k), "cases[" + c + "].interventions[" + k + "]", m.info(), sources.size()));
                    sitesCovered.add(ivs.get(k).get("site").asText());
                }
                Tensor got = new IntervenableModel(m, specs).run(base, sources).logits();
                float[] want = expected.readFloat("case" + c + ".logits").toFloatArray();
                float[] g = got.toFloatArray();
                double scale = 1;
                for (float v : want) scale = Math.max(scale, Math.abs(v));
                double worst = 0;
                for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(g[i] - want[i]));
                worstRelative = Math.max(worstRelative, worst / scale);
                assertThat(worst).as("%s case %d (%s): max error (scale %.3g)", variant, c, cases.get(c).get("name").asText(), scale)
                        .isLessThanOrEqualTo(2e-5 * scale);
                // the case moves the logits by far more than the tolerance, so a dropped intervention fails
                float[] p = plain.toFloatArray();
                double moved = 0;
                for (int i = 0; i < want.length; i++) moved = Math.max(moved, Math.abs(want[i] - p[i]));
                assertThat(moved).as("%s case %d changes the logits", variant, c).isGreaterThan(100 * 2e-5 * scale);
            }
        }
        // every interventable site of the model (and every head view) has a case
        int layers = m.info().layers();
        assertThat(sitesCovered).contains("embeddings", "final_norm", "logits");
        for (int l = 0; l < layers; l++) {
            for (String c : List.of("block_input", "attention_input", "query_output", "key_output", "value_output",
                    "attention_value_output", "attention_output", "mlp_input", "mlp_activation", "mlp_output", "block_output",
                    "head_query_output", "head_key_output", "head_value_output", "head_attention_value_output")) {
                assertThat(sitesCovered).contains("blocks." + l + "." + c);
            }
        }
        System.out.printf("InterventionParityTest %s: worst error / scale over all cases %.3g%n", variant, worstRelative);
    }
}
