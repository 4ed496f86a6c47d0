package org.intervene4j.nn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.model.PadSide;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A TinyDecoder written as GPT-2 loads back through the GPT-2 family with the same logits. */
class Gpt2ExportTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "tied head: {0}")
    @ValueSource(booleans = {true, false})
    void loadedCheckpointGivesTheDecodersLogits(boolean tied) {
        TinyDecoder model = new TinyDecoder(new TinyDecoder.Config(23, 12, 32, 4, 3, 48, tied), new Random(5));
        randomizeNormsAndBiases(model, new Random(6)); // so a swapped gain/bias or q/k/v slice cannot hide
        Gpt2Export.write(model, dir, 2, 3, Map.of("origin", "test"));
        CausalLM loaded = Models.loadCausalLM(dir);
        Random rng = new Random(7);
        int[][] ids = new int[5][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = new int[12];
            for (int t = 0; t < 12; t++) ids[i][t] = rng.nextInt(23);
        }
        try (GradMode off = GradMode.off()) {
            float[] expected = model.forward(ids).toFloatArray();                                        // [5, 12, 23]
            float[] actual = loaded.forward(TokenBatch.padded(ids, PadSide.RIGHT, 0)).toFloatArray();  // [5, 12, 23]
            assertThat(actual).hasSize(expected.length);
            double maxScale = 0;
            for (int i = 0; i < expected.length; i++) {
                maxScale = Math.max(maxScale, Math.abs(expected[i]));
                assertThat((double) actual[i]).as("logit %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
            }
            assertThat(maxScale).as("logits are not all ~0").isGreaterThan(0.1);
        }
    }

    @ParameterizedTest(name = "tied head: {0}")
    @ValueSource(booleans = {true, false})
    void configAndTensorLayoutFollowGpt2(boolean tied) throws IOException {
        TinyDecoder model = new TinyDecoder(new TinyDecoder.Config(11, 9, 8, 2, 1, 20, tied), new Random(8));
        Gpt2Export.write(model, dir, 2, 3, Map.of());
        JsonNode c = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertThat(c.get("model_type").asText()).isEqualTo("gpt2");
        assertThat(c.get("activation_function").asText()).isEqualTo("gelu_new");
        assertThat(c.get("n_inner").asInt()).isEqualTo(20);
        assertThat(c.get("n_positions").asInt()).isEqualTo(9);
        assertThat(c.get("tie_word_embeddings").asBoolean()).isEqualTo(tied);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertThat(f.names()).contains("transformer.h.0.attn.c_attn.weight").hasSize(tied ? 16 : 17);
            // c_attn is [in, 3d] with column j < d the query's output j: element [i][d + o] is key.weight[o][i]
            Tensor cAttn = f.readFloat("transformer.h.0.attn.c_attn.weight");
            assertThat(cAttn.shape()).containsExactly(8, 24);
            Tensor key = model.parameters().get("blocks.0.attn.key.weight"); // [8, 8] = [out, in]
            for (int i = 0; i < 8; i++) {
                for (int o = 0; o < 8; o++) assertThat(cAttn.get(i, 8 + o)).isEqualTo(key.get(o, i));
            }
            Tensor fc = f.readFloat("transformer.h.0.mlp.c_fc.weight");
            assertThat(fc.shape()).containsExactly(8, 20);
            assertThat(fc.get(3, 17)).isEqualTo(model.parameters().get("blocks.0.mlp.fc.weight").get(17, 3));
        }
    }

    private static void randomizeNormsAndBiases(TinyDecoder model, Random rng) {
        try (GradMode off = GradMode.off()) {
            for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
                Tensor p = e.getValue();
                if (p.dim() != 1) continue;
                float center = e.getKey().endsWith("ln1.weight") || e.getKey().endsWith("ln2.weight")
                        || e.getKey().equals("norm.weight") ? 1f : 0f;
                Tensor noise = Tensor.randn(rng, 0.3f, p.shape());
                float[] v = noise.toFloatArray();
                for (int i = 0; i < v.length; i++) v[i] += center;
                p.copyFrom(Tensor.of(v, p.shape()));
            }
        }
    }
}
