package org.intervene4j.cli.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.intervene4j.cli.CliRun;
import org.intervene4j.cli.Main;
import org.intervene4j.cli.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model commands' contracts (generate, logits, sites) and their one-line errors. */
class ModelCommandsTest {
    static final Path FIXTURES = TestModels.FIXTURES;

    @TempDir
    Path tmp;
    Path model;



    /** A copy of the gpt2 fixture with a word-level tokenizer over its 40 ids ("w0" .. "w39"). */
    @BeforeEach
    void copyModel() throws IOException {
        model = TestModels.gpt2WithWordTokenizer(tmp.resolve("gpt2"));
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"eos_token\": \"w39\"}");
    }

    @Test
    void logitsFromIdsAndFromAPromptAgree() throws IOException {
        Path a = tmp.resolve("a.json");
        Path b = tmp.resolve("b.json");
        assertThat(run("logits", "--model", model.toString(), "--ids", "5,17,3", "--out", a.toString()).status()).isZero();
        assertThat(run("logits", "--model", model.toString(), "--prompt", "w5 w17 w3", "--out", b.toString()).status()).isZero();
        JsonNode ja = new ObjectMapper().readTree(a.toFile());
        JsonNode jb = new ObjectMapper().readTree(b.toFile());
        assertThat(ja.get("ids").toString()).isEqualTo("[5,17,3]");
        assertThat(ja.get("logits").size()).isEqualTo(3);
        assertThat(ja.get("logits").get(0).size()).isEqualTo(40);
        assertThat(jb).isEqualTo(ja);
    }

    @Test
    void generateStreamsTheContinuationAndSitesListsShapes() {
        CliRun g = run("generate", "--model", model.toString(), "--prompt", "w5 w17", "--max-new-tokens", "4");
        assertThat(g.status()).as(g.err()).isZero();
        assertThat(g.out()).startsWith("w5 w17");
        assertThat(g.out().trim().split("\\s+").length).isBetween(3, 6);
        CliRun s = run("sites", "--model", model.toString());
        assertThat(s.status()).isZero();
        assertThat(s.out()).contains("blocks.1.mlp_activation").contains("[batch, seq, 64]")
                .contains("blocks.0.head_attention_value_output").contains("logits");
    }

    private void assertOneLineError(CliRun r, String... fragments) {
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().trim().lines().count()).as("one line: %s", r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("intervene4j: error: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(r.err()).contains(f);
    }

    private CliRun logits(String... extra) {
        Path out = tmp.resolve("out.json");
        String[] base = {"logits", "--model", model.toString(), "--out", out.toString()};
        String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        CliRun r = run(args);
        if (r.status() != 0) assertThat(out).as("no partial output file").doesNotExist();
        return r;
    }

    @Test
    void brokenCheckpointsGiveOneLineErrorsAndNoOutput() throws IOException {
        Path weights = model.resolve("model.safetensors");
        byte[] good = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(good, good.length - 100));
        assertOneLineError(logits("--ids", "1,2"), "model.safetensors", "truncated");

        Files.write(weights, good);
        long headerLen = ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(good, 8, (int) headerLen, StandardCharsets.UTF_8);
        Files.write(weights, withHeader(good, header.replaceFirst("\"F32\"", "\"F31\"")));
        assertOneLineError(logits("--ids", "1,2"), "unknown dtype 'F31'");
        Files.write(weights, withHeader(good, header.replace("\"data_offsets\":[0,", "\"data_offsets\":[8,")));
        assertOneLineError(logits("--ids", "1,2"), "model.safetensors");

        Files.write(weights, good);
        String config = Files.readString(model.resolve("config.json"));
        Files.writeString(model.resolve("config.json"), config.replace("\"n_embd\": 16", "\"n_embd\": 32"));
        assertOneLineError(logits("--ids", "1,2"), "has shape", "config.json implies");
        Files.writeString(model.resolve("config.json"), config.replace("\"model_type\": \"gpt2\"", "\"model_type\": \"rwkv\""));
        assertOneLineError(logits("--ids", "1,2"), "model_type", "rwkv");
        Files.writeString(model.resolve("config.json"), config);
        Files.delete(model.resolve("tokenizer.json"));
        assertOneLineError(logits("--prompt", "w1"), "tokenizer.json");
    }

    @Test
    void missingTensorsAndOverlongPromptsAreNamed() throws IOException {
        String config = Files.readString(model.resolve("config.json"));
        Files.writeString(model.resolve("config.json"), config.replace("\"n_layer\": 2", "\"n_layer\": 3"));
        assertOneLineError(logits("--ids", "1"), "missing tensor 'h.2.ln_1.weight'");
        Files.writeString(model.resolve("config.json"), config);
        StringBuilder ids = new StringBuilder("1");
        for (int i = 0; i < 80; i++) ids.append(",1");
        assertOneLineError(logits("--ids", ids.toString()), "81 tokens", "positions");
        assertOneLineError(logits("--ids", "1,x"), "--ids", "'x'");
    }

    /** The file with its JSON header replaced by {@code header} (padded to the same length). */
    private static byte[] withHeader(byte[] file, String header) {
        long len = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        assertThat(h.length).isLessThanOrEqualTo((int) len);
        byte[] out = file.clone();
        for (int i = 0; i < len; i++) out[8 + i] = i < h.length ? h[i] : (byte) ' ';
        return out;
    }
}
