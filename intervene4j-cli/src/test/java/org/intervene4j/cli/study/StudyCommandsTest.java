package org.intervene4j.cli.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.intervene4j.causal.task.TaskModels;
import org.intervene4j.cli.CliRun;
import org.intervene4j.cli.Main;
import org.intervene4j.cli.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The study commands' contracts: {@code boundless} (one cell, JSON) and {@code demo} (grid, report), and their errors. */
class StudyCommandsTest {
    static final Path FIXTURES = TestModels.FIXTURES;

    @TempDir
    static Path cache;
    static Path taskModel;

    @TempDir
    Path tmp;



    @BeforeAll
    static void extract() {
        taskModel = TaskModels.priceTagging(cache);
    }

    @Test
    void boundlessWritesTheContractFields() throws IOException {
        Path out = tmp.resolve("cell.json");
        CliRun r = run("boundless", "--model", taskModel.toString(), "--task", "price-tagging", "--variable", "both", "--layer", "1",
                "--position", "-1", "--pairs", "64", "--epochs", "1", "--seed", "3", "--out", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        assertThat(j.get("iia").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("task_accuracy").asDouble()).isGreaterThanOrEqualTo(0.98);
        assertThat(j.get("boundary_widths").size()).isEqualTo(2);
        int dims = j.get("boundary_widths").get(0).asInt() + j.get("boundary_widths").get(1).asInt();
        assertThat(dims).isBetween(0, 64);
        assertThat(j.get("layer").asInt()).isEqualTo(1);
        assertThat(j.get("position").asInt()).isEqualTo(-1);
        assertThat(j.get("token").asText()).isEqualTo("?");
        assertThat(r.out()).contains("both at layer 1, position -1");
    }

    @Test
    void demoRunsASmallStudyAndWritesTheReport() throws IOException {
        Path report = tmp.resolve("report");
        CliRun r = run("demo", "--model", taskModel.toString(), "--grid", "2:2", "--hypotheses", "left,bracket", "--pairs", "64", "--epochs", "1",
                "--report", report.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("factual accuracy").contains("hypothesis").contains("left").contains("bracket")
                .contains(report.resolve("index.html").toString());
        JsonNode j = new ObjectMapper().readTree(report.resolve("results.json").toFile());
        assertThat(j.get("cells").size()).isEqualTo(4);
        assertThat(Files.readString(report.resolve("index.html"))).contains("<svg");
        // run again: everything is there, nothing is trained
        CliRun again = run("demo", "--model", taskModel.toString(), "--grid", "2:2", "--hypotheses", "left,bracket", "--pairs", "64", "--epochs", "1",
                "--report", report.toString());
        assertThat(again.status()).isZero();
        assertThat(again.err()).contains("nothing to train");
    }

    @Test
    void badInputIsOneLineAndNoOutput() throws IOException {
        Path out = tmp.resolve("x.json");
        String m = taskModel.toString();
        assertOneLineError(run("boundless", "--model", m, "--variable", "middle", "--layer", "0", "--position", "-1", "--out", out.toString()),
                "--variable: unknown hypothesis 'middle'");
        assertOneLineError(run("boundless", "--model", m, "--task", "addition", "--variable", "left", "--layer", "0", "--position", "-1",
                "--out", out.toString()), "--task: unknown task 'addition'");
        assertOneLineError(run("boundless", "--model", m, "--variable", "left", "--layer", "4", "--position", "-1", "--out", out.toString()),
                "--layer: 4 is out of range");
        assertOneLineError(run("boundless", "--model", m, "--variable", "left", "--layer", "0", "--position", "17", "--out", out.toString()),
                "position 17 is outside the prompt");
        assertOneLineError(run("boundless", "--model", m, "--variable", "left", "--layer", "0", "--position", "-18", "--out", out.toString()),
                "position -18 is outside the prompt");
        assertOneLineError(run("boundless", "--model", FIXTURES.resolve("bert").toString(), "--variable", "left", "--layer", "0", "--position",
                "-1", "--out", out.toString()), "bert");
        assertOneLineError(run("boundless", "--model", tmp.resolve("nowhere").toString(), "--variable", "left", "--layer", "0", "--position",
                "-1", "--out", out.toString()), "not a directory");
        assertThat(out).doesNotExist();
        assertOneLineError(run("demo", "--model", m, "--grid", "0-9:2", "--report", tmp.resolve("r").toString()), "--grid: layer 4 is out of range");
        assertOneLineError(run("demo", "--model", m, "--grid", "all:x", "--report", tmp.resolve("r").toString()), "--grid");
        assertThat(tmp.resolve("r")).doesNotExist();
    }

    /** A random GPT-2 whose word-level tokenizer knows neither "Yes" nor "No": the Alpaca prompt cannot be scored. */
    @Test
    void aTokenizerThatCannotTellTheAnswersApartIsAClearError() throws IOException {
        Path model = TestModels.gpt2WithWordTokenizer(tmp.resolve("gpt2"));
        Path out = tmp.resolve("x.json");
        assertOneLineError(run("boundless", "--model", model.toString(), "--variable", "left", "--layer", "0", "--position", "-1",
                "--out", out.toString()), "the answers 'Yes' and 'No' start with the same token");
        assertThat(out).doesNotExist();
    }

    private static void assertOneLineError(CliRun r, String expected) {
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().lines()).singleElement().asString().startsWith("intervene4j: error: ").contains(expected);
        assertThat(r.err()).doesNotContain("\tat ");
    }
}
