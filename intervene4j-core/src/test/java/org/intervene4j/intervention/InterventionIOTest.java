package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Save then load reproduces every type's outputs exactly; a different architecture is refused by name. */
class InterventionIOTest {
    static final int[] BASE = {5, 17, 3, 30, 8};
    static final int[] SOURCE = {9, 3, 30, 8, 2};

    @TempDir
    Path tmp;

    /** One row per saveable type: a name and a factory for an instance acting on rows of the given width. */
    static Stream<Arguments> types() {
        Random rng = new Random(7);
        return Stream.of(
                type("vanilla", w -> new Vanilla()),
                type("addition of the source", w -> Addition.ofSource()),
                type("subtraction of the source", w -> Addition.subtractSource()),
                type("addition of a trainable vector", w -> Addition.ofVector(Tensor.randn(rng, 0.5f, w).requiresGrad(true))),
                type("subtraction of a fixed vector", w -> Addition.subtractVector(Tensor.randn(rng, 0.5f, w))),
                type("zero", w -> new Zero()),
                type("collect", w -> new Collect()),
                type("mean_ablation", w -> MeanAblation.of(Tensor.randn(rng, 1f, w))),
                type("resample_ablation from a bank", w -> ResampleAblation.fromBank(Tensor.randn(rng, 1f, 6, w), 3)),
                type("resample_ablation from the source", w -> ResampleAblation.fromSource(5)),
                type("noise", w -> Noise.of(0.7, 11)),
                typeWithoutSubspace("sae ablating latents", w -> SaeIntervention.ablate(SparseAutoencoder.random(rng, w, 2 * w), 1, 4)),
                typeWithoutSubspace("sae patching latents", w -> SaeIntervention.patch(SparseAutoencoder.random(rng, w, 2 * w), 0, 3)),
                typeWithoutSubspace("loreft", w -> LoReFT.random(rng, w, 2)),
                typeWithoutSubspace("noreft", w -> NoReFT.random(rng, w, 2)),
                typeWithoutSubspace("consreft", w -> ConsReFT.random(rng, w, 2)),
                typeWithoutSubspace("lobireft", w -> LobiReFT.random(rng, w, 2)),
                typeWithoutSubspace("direft", w -> DiReFT.random(rng, w, 2)),
                typeWithoutSubspace("nodireft", w -> NodiReFT.random(rng, w, 2)),
                type("rotated_space", w -> RotatedSpace.random(rng, w, 2)),
                typeWithoutSubspace("low_rank_rotated_space", w -> LowRankRotatedSpace.random(rng, w, 2)),
                typeWithoutSubspace("boundless_rotated_space", w -> BoundlessRotatedSpace.random(rng, w)),
                typeWithoutSubspace("sigmoid_mask", w -> new SigmoidMask(w)),
                typeWithoutSubspace("pca_rotated_space", w -> PcaRotatedSpace.fit(Tensor.randn(rng, 1f, 32, w), 2))
                // new types: one line each, e.g. type("rotated_space", w -> RotatedSpace.random(w, 2, rng)),
        );
    }

    private static Arguments type(String name, IntFunction<Intervention> make) {
        return Arguments.of(name, make, true);
    }

    /** Types whose subspaces index their own latent/rank space rather than row dims (SAE, ReFT). */
    private static Arguments typeWithoutSubspace(String name, IntFunction<Intervention> make) {
        return Arguments.of(name, make, false);
    }

    /**
     * The same intervention object at two residual sites (shared: saved once), a second one on
     * two heads of a per-head site, and a third on a subspace of an MLP site.
     */
    static List<InterventionSpec> placed(CausalLM m, IntFunction<Intervention> make) {
        return placed(m, make, true);
    }

    static List<InterventionSpec> placed(CausalLM m, IntFunction<Intervention> make, boolean subspace) {
        int d = m.info().dModel();
        Intervention shared = make.apply(d);
        Intervention perHead = make.apply(m.info().headDim());
        Intervention onSubspace = make.apply(d);
        return List.of(
                InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), shared, 0, new int[] {1, 3}, new int[] {0, 2}),
                InterventionSpec.at(Site.of(1, Component.BLOCK_INPUT), shared, 0, new int[] {4}, new int[] {4}),
                InterventionSpec.at(Site.heads(1, Component.ATTENTION_VALUE_OUTPUT), perHead, 0, new int[] {2, 4}, new int[] {1, 3})
                        .withHeads(0, 2),
                new InterventionSpec(Site.of(0, Component.MLP_OUTPUT), Site.of(0, Component.ATTENTION_OUTPUT), onSubspace, 0,
                        Positions.perExample(new int[][] {{-1}}), Positions.of(2), null, subspace ? new int[] {1, 4, 9} : null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void aRoundTripReproducesTheOutputsExactly(String name, IntFunction<Intervention> make, boolean subspace) throws Exception {
        for (String variant : List.of("gpt2", "llama")) {
            CausalLM m = Fixtures.load(variant);
            try (GradMode off = GradMode.off()) {
                IntervenableModel before = new IntervenableModel(m, placed(m, make, subspace));
                Path dir = tmp.resolve(variant + "-" + name.replace(' ', '_'));
                InterventionIO.save(before, dir);
                IntervenableModel after = InterventionIO.load(dir, m);

                List<TokenBatch> sources = List.of(TokenBatch.of(SOURCE));
                IntervenableModel.Result a = before.run(TokenBatch.of(BASE), sources, true);
                IntervenableModel.Result b = after.run(TokenBatch.of(BASE), sources);
                assertThat(b.logits().toFloatArray()).as("%s %s logits", variant, name).containsExactly(a.logits().toFloatArray());
                assertThat(b.fired()).isEqualTo(a.fired());
                assertThat(b.collected().keySet()).isEqualTo(a.collected().keySet());
                for (int k : a.collected().keySet()) {
                    assertThat(b.collected(k).toFloatArray()).containsExactly(a.collected(k).toFloatArray());
                }
                // the interventions do something (collect excepted), so the comparison can fail
                boolean changes = !java.util.Arrays.equals(a.logits().toFloatArray(), a.baseLogits().toFloatArray());
                assertThat(changes).as("%s changes the logits", name).isEqualTo(!name.equals("collect"));
                // the shared intervention is one object again, its tensors stored once
                assertThat(after.specs().get(0).intervention()).isSameAs(after.specs().get(1).intervention());
                for (int k = 0; k < 4; k++) {
                    InterventionSpec s = before.specs().get(k);
                    InterventionSpec t = after.specs().get(k);
                    assertThat(t.intervention().type()).isEqualTo(s.intervention().type());
                    assertThat(t.intervention().config()).isEqualTo(s.intervention().config());
                    assertThat(t.site()).isEqualTo(s.site());
                    assertThat(t.sourceSite()).isEqualTo(s.sourceSite());
                    assertThat(t.heads()).isEqualTo(s.heads());
                    assertThat(t.subspace()).isEqualTo(s.subspace());
                    assertThat(t.basePositions().toString()).isEqualTo(s.basePositions().toString());
                    assertThat(t.sourcePositions().toString()).isEqualTo(s.sourcePositions().toString());
                    for (var p : s.intervention().parameters().entrySet()) {
                        Tensor q = t.intervention().parameters().get(p.getKey());
                        assertThat(q.toFloatArray()).containsExactly(p.getValue().toFloatArray());
                        assertThat(q.requiresGrad()).isEqualTo(p.getValue().requiresGrad());
                    }
                }
                assertThat(after.parameters().keySet()).isEqualTo(before.parameters().keySet());
            }
        }
    }

    @Test
    void theFileSaysWhatItHolds() throws Exception {
        CausalLM m = Fixtures.load("gpt2");
        Tensor v = Tensor.of(new float[] {1, 2, 3}, 3);
        IntervenableModel im = new IntervenableModel(m, List.of(
                InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), Addition.ofVector(v), -1, new int[] {1}, null).withSubspace(0, 1, 2),
                InterventionSpec.at(Site.heads(1, Component.QUERY_OUTPUT), new Zero(), -1, null, null).withHeads(3)));
        InterventionIO.save(im, tmp);
        assertThat(InterventionIO.load(tmp, m).specs().get(1).source()).isEqualTo(-1);
        JsonNode root = new ObjectMapper().readTree(tmp.resolve("intervention.json").toFile());
        assertThat(root.get("format_version").asInt()).isEqualTo(1);
        JsonNode model = root.get("model");
        assertThat(model.get("family").asText()).isEqualTo("gpt2");
        assertThat(model.get("d_model").asInt()).isEqualTo(16);
        assertThat(model.get("fingerprint").asText()).startsWith("sha256:").hasSize(7 + 64)
                .isEqualTo(InterventionIO.fingerprint(m.info()));
        assertThat(root.at("/interventions/0/parameters/vector/tensor").asText()).isEqualTo("interventions.0.vector");
        assertThat(root.at("/interventions/0/config/sign").asInt()).isEqualTo(1);
        assertThat(root.at("/specs/0/type").asText()).isEqualTo("addition");
        assertThat(root.at("/specs/0/unit").asText()).isEqualTo("pos");
        assertThat(root.at("/specs/1/unit").asText()).isEqualTo("h");
        assertThat(root.at("/specs/1/heads").toString()).isEqualTo("[3]");
        assertThat(root.at("/specs/1/intervention").asInt()).isEqualTo(1);
        assertThat(root.at("/specs/0/parameters").toString()).isEqualTo("[\"interventions.0.vector\"]");
        assertThat(root.at("/specs/0/subspace").toString()).isEqualTo("[0,1,2]");
        assertThat(root.at("/specs/0/source").isNull()).isTrue();
        assertThat(Files.exists(tmp.resolve("parameters.safetensors"))).isTrue();
    }

    @Test
    void anotherArchitectureIsRefusedSayingWhatDiffers() throws Exception {
        CausalLM gpt2 = Fixtures.load("gpt2");
        IntervenableModel im = new IntervenableModel(gpt2, List.of(
                InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), new Zero(), -1, new int[] {1}, null)));
        InterventionIO.save(im, tmp);
        assertThatThrownBy(() -> InterventionIO.load(tmp, Fixtures.load("llama")))
                .hasMessageContaining("saved for gpt2 with").hasMessageContaining("this model is llama with")
                .hasMessageContaining("heads 4").hasMessageContaining("kv_heads 2").hasMessageContaining("head_dim 6");
        assertThatThrownBy(() -> InterventionIO.load(tmp, Fixtures.load("gpt2_untied")))
                .hasMessageContaining("saved for gpt2 with d_ff 64, this model is gpt2 with d_ff 40");
        // a tampered architecture no longer matches its fingerprint
        Path json = tmp.resolve("intervention.json");
        Files.writeString(json, Files.readString(json).replace("\"d_model\" : 16", "\"d_model\" : 17"));
        assertThatThrownBy(() -> InterventionIO.load(tmp, gpt2)).hasMessageContaining("fingerprint");
    }
}
