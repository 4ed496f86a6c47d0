package org.intervene4j.cli.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.intervene4j.cli.CliRun;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-task writes a loadable checkpoint, and its mistakes are one-line errors. */
class TrainTaskCommandTest {
    @TempDir
    Path tmp;



    @Test
    void aShortRunWritesACheckpointThatLoads() throws IOException {
        Path dir = tmp.resolve("pt");
        CliRun r = run("train-task", "--task", "price-tagging", "--out", dir.toString(), "--seed", "3", "--steps", "3",
                "--layers", "2", "--single-bound", "0.25");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("held-out accuracy: ").contains("3 steps").contains("seed 3").contains("wrote " + dir);
        assertThat(r.err()).contains("train [").contains("3/3");
        CausalLM model = Models.loadCausalLM(dir);
        assertThat(model.info().family()).isEqualTo("gpt2");
        JsonNode info = new ObjectMapper().readTree(dir.resolve("training.json").toFile());
        assertThat(info.at("/settings/steps").asInt()).isEqualTo(3);
        assertThat(info.at("/settings/seed").asLong()).isEqualTo(3);
        assertThat(info.at("/settings/layers").asInt()).isEqualTo(2);
        assertThat(info.at("/settings/single_bound").asDouble()).isEqualTo(0.25);
        assertThat(model.info().layers()).isEqualTo(2);
        assertThat(dir.resolve("tokenizer.json")).isRegularFile();
    }

    @Test
    void mistakesAreOneLineErrorsWithStatus2() throws IOException {
        CliRun unknown = run("train-task", "--task", "parity", "--out", tmp.resolve("x").toString());
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("intervene4j: error: --task: unknown task 'parity' (known: price-tagging)");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        CliRun notDir = run("train-task", "--task", "price-tagging", "--out", file.toString());
        assertThat(notDir.status()).isEqualTo(2);
        assertThat(notDir.err()).contains("--out").contains("not a directory");
        CliRun steps = run("train-task", "--task", "price-tagging", "--out", tmp.resolve("y").toString(), "--steps", "0");
        assertThat(steps.status()).isEqualTo(2);
        assertThat(steps.err()).contains("--steps must be at least 1");
        CliRun missing = run("train-task", "--task", "price-tagging");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("--out");
        CliRun share = run("train-task", "--task", "price-tagging", "--out", tmp.resolve("z").toString(), "--single-bound", "1");
        assertThat(share.status()).isEqualTo(2);
        assertThat(share.err()).contains("--single-bound must be in [0, 1), got 1.0");
        CliRun layers = run("train-task", "--task", "price-tagging", "--out", tmp.resolve("w").toString(), "--layers", "0");
        assertThat(layers.status()).isEqualTo(2);
        assertThat(layers.err()).contains("--layers must be at least 1");
    }
}
