package org.intervene4j.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.CheckpointException;
import org.intervene4j.io.DType;
import org.intervene4j.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointDirTest {
    @TempDir
    Path dir;

    private static Tensor filled(float v, int... shape) {
        return Tensor.full(v, shape);
    }

    @Test
    void singleFileWithPrefixedNames() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_embd\": 4}");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("transformer.wte.weight", filled(1f, 3, 4));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), m, DType.F32, null);
        try (CheckpointDir c = CheckpointDir.open(dir)) {
            assertThat(c.config().modelType()).isEqualTo("gpt2");
            assertThat(c.config().positiveInt("n_embd")).isEqualTo(4);
            assertThat(c.resolve("wte.weight", "transformer.")).isEqualTo("transformer.wte.weight");
            assertThat(c.read("wte.weight", new int[] {3, 4}, "transformer.").toFloatArray()).containsOnly(1f);
            assertThatThrownBy(() -> c.read("wte.weight", new int[] {5, 4}, "transformer."))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("transformer.wte.weight")
                    .hasMessageContaining("[3, 4]").hasMessageContaining("[5, 4]");
            assertThatThrownBy(() -> c.read("lm_head.weight", null)).hasMessageContaining("missing tensor 'lm_head.weight'");
            assertThatThrownBy(() -> c.config().positiveInt("n_head")).hasMessageContaining("config.json")
                    .hasMessageContaining("'n_head'");
        }
    }

    @Test
    void shardedCheckpointsFollowTheIndex() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("model.embed_tokens.weight", filled(2f, 2, 2)), DType.BF16, null);
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("lm_head.weight", filled(3f, 2, 2)), DType.F16, null);
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}, \"weight_map\": {"
                + "\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\","
                + "\"lm_head.weight\": \"model-00002-of-00002.safetensors\"}}");
        try (CheckpointDir c = CheckpointDir.open(dir)) {
            assertThat(c.names()).containsExactly("model.embed_tokens.weight", "lm_head.weight");
            assertThat(c.read("embed_tokens.weight", null, "model.").toFloatArray()).containsOnly(2f);
            assertThat(c.read("lm_head.weight", null).toFloatArray()).containsOnly(3f);
        }
    }

    @Test
    void brokenDirectoriesAreNamed() throws IOException {
        assertThatThrownBy(() -> CheckpointDir.open(dir)).hasMessageContaining("config.json").hasMessageContaining("not found");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        assertThatThrownBy(() -> CheckpointDir.open(dir)).hasMessageContaining("no model.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"a\": \"model-00001-of-00009.safetensors\"}}");
        assertThatThrownBy(() -> CheckpointDir.open(dir)).hasMessageContaining("model-00001-of-00009.safetensors")
                .hasMessageContaining("does not exist");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": ");
        assertThatThrownBy(() -> CheckpointDir.open(dir)).hasMessageContaining("config.json").hasMessageContaining("not valid JSON");
    }
}
