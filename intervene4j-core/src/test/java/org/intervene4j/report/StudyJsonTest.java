package org.intervene4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyJsonTest {
    @TempDir
    Path dir;

    @Test
    void writeThenReadGivesEqualResults() throws Exception {
        StudyResults written = SyntheticStudy.results(List.of(" <b>&amp;", "\"q\"", "it's", "\n\u0000", "é😀", ""));
        Path file = dir.resolve("results.json");
        StudyJson.write(file, written);
        StudyResults read = StudyJson.read(file);
        assertThat(read).isEqualTo(written);
        assertThat(read.cells()).hasSize(written.cells().size());
        assertThat(read.settings()).containsEntry("lr", 0.001).containsEntry("epochs", 3L).containsEntry("balanced", true);
        // written twice over the same file: still one file, no temporaries left behind
        StudyJson.write(file, written.withCell(SyntheticStudy.cell("bracket", 3, -1, "\n", 0.5, 11),
                Instant.parse("2024-05-01T12:00:00Z"), 4000));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("results.json");
        }
        StudyResults again = StudyJson.read(file);
        assertThat(again.cells()).hasSize(written.cells().size() + 1);
        assertThat(again.hasRun("bracket", 3, -1, 11)).isTrue();
        assertThat(again.totalSeconds()).isEqualTo(4000);
    }

    @Test
    void settingsOfNarrowTypesReadBackEqual() throws Exception {
        StudyResults base = SyntheticStudy.results();
        Map<String, Object> settings = Map.of("pairs", 2000, "tau", 0.5f, "name", "x");
        StudyResults r = new StudyResults(base.model(), base.task(), base.component(), base.modelLayers(), base.layers(),
                base.positions(), base.positionTokens(), base.examplePrompt(), base.hypotheses(), base.taskAccuracy(),
                base.taskExamples(), base.cells(), settings, base.started(), base.updated(), base.totalSeconds());
        assertThat(r.settings()).containsEntry("pairs", 2000L).containsEntry("tau", 0.5);
        assertThat(StudyJson.fromJson(StudyJson.toJson(r), "x.json")).isEqualTo(r);
    }

    @Test
    void badFilesNameTheFileAndTheField() throws Exception {
        expectError(o -> ((ObjectNode) o.withArray("cells").get(3)).put("iia", "high"), "cells[3].iia: expected a number, got \"high\"");
        expectError(o -> ((ObjectNode) o.withArray("cells").get(2)).put("iia", 1.5), "cells[2].iia: 1.5 is outside 0..1");
        expectError(o -> ((ObjectNode) o.withArray("cells").get(0)).remove("layer"), "cells[0].layer: missing");
        expectError(o -> ((ObjectNode) o.withArray("cells").get(1)).put("layer", 9), "cells[1].layer: 9 is not among the layers searched");
        expectError(o -> ((ObjectNode) o.withArray("cells").get(1)).putObject("widths").put("left", 300),
                "cells[1].widths: 300 dims in all, more than the rotated width 255");
        expectError(o -> ((ObjectNode) o.withArray("cells").get(0)).put("colour", "red"), "cells[0].colour: unknown field");
        expectError(o -> o.put("task_accuracy", -0.1), "task_accuracy: -0.1 is outside 0..1");
        expectError(o -> o.put("format", "other/2"), "format: 'other/2' is not a results format");
        expectError(o -> o.put("started", "yesterday"), "started: expected an ISO-8601 instant");
        expectError(o -> ((ArrayNode) o.withArray("position_tokens")).remove(0), "position_tokens: 5 tokens for 6 positions");
        expectError(o -> o.withArray("cells").add(o.withArray("cells").get(0).deepCopy()), "repeats cells[0] (left, layer 0, position -6, seed 11)");
        expectError(o -> o.putObject("settings").putArray("lr"), "settings.lr: expected a string, boolean or number");
    }

    @Test
    void unreadableFilesNameTheFile() throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"format\": \"intervene4j.das-study/1\", \"model\": ");
        assertThatThrownBy(() -> StudyJson.read(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(broken + ": not valid JSON");
        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> StudyJson.read(empty)).hasMessage(empty + ": empty file");
        assertThatThrownBy(() -> StudyJson.read(dir.resolve("absent.json"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir.resolve("absent.json") + ": no such file");
    }

    /** Writes the synthetic results with one edit and checks the read error names the file and field. */
    private void expectError(Consumer<ObjectNode> edit, String expected) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(StudyJson.toJson(SyntheticStudy.results()));
        edit.accept(root);
        Path file = dir.resolve("results.json");
        Files.writeString(file, json.writeValueAsString(root));
        assertThatThrownBy(() -> StudyJson.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": ").hasMessageContaining(expected);
    }
}
