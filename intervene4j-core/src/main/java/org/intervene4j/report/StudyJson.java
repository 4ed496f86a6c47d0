package org.intervene4j.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code results.json} form of {@link StudyResults} (snake_case fields, one object per
 * cell, {@code "format": "intervene4j.das-study/1"}). Writing is atomic, so a search killed
 * mid-write leaves the previous results; reading checks every field and names the file and
 * field at fault ({@code .../results.json: cells[3].iia: expected a number, got "high"}).
 */
public final class StudyJson {
    /** The value of the {@code format} field this version writes and reads. */
    public static final String FORMAT = "intervene4j.das-study/1";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final String[] TOP_FIELDS = {"format", "model", "task", "component", "model_layers", "layers",
            "positions", "position_tokens", "example_prompt", "hypotheses", "task_accuracy", "task_examples", "settings",
            "started", "updated", "total_seconds", "cells"};
    private static final String[] CELL_FIELDS = {"hypothesis", "layer", "position", "absolute_position", "token", "iia",
            "iia_per_variable", "widths", "rotated_width", "train_pairs", "held_out_pairs", "steps", "seconds", "seed"};

    private StudyJson() {}

    /** Writes {@code results} to {@code file} atomically (temporary file beside it, then a move). */
    public static void write(Path file, StudyResults results) throws IOException {
        AtomicFiles.writeString(file, toJson(results));
    }

    /** Reads and checks a results file; a missing file or bad content is an IllegalArgumentException naming it. */
    public static StudyResults read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        return fromJson(text, file.toString());
    }

    /** The JSON text of {@code results}. */
    public static String toJson(StudyResults r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("model", r.model());
        o.put("task", r.task());
        o.put("component", r.component());
        o.put("model_layers", r.modelLayers());
        r.layers().forEach(o.putArray("layers")::add);
        r.positions().forEach(o.putArray("positions")::add);
        r.positionTokens().forEach(o.putArray("position_tokens")::add);
        o.put("example_prompt", r.examplePrompt());
        r.hypotheses().forEach(o.putArray("hypotheses")::add);
        o.put("task_accuracy", r.taskAccuracy());
        o.put("task_examples", r.taskExamples());
        ObjectNode settings = o.putObject("settings");
        r.settings().forEach((k, v) -> {
            if (v instanceof String s) settings.put(k, s);
            else if (v instanceof Boolean b) settings.put(k, b);
            else if (v instanceof Long l) settings.put(k, l);
            else settings.put(k, (Double) v);
        });
        o.put("started", r.started().toString());
        o.put("updated", r.updated().toString());
        o.put("total_seconds", r.totalSeconds());
        ArrayNode cells = o.putArray("cells");
        for (CellResult c : r.cells()) cells.add(cell(c));
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("results JSON could not be written", e);
        }
    }

    private static ObjectNode cell(CellResult c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("hypothesis", c.hypothesis());
        o.put("layer", c.layer());
        o.put("position", c.position());
        o.put("absolute_position", c.absolutePosition());
        o.put("token", c.token());
        o.put("iia", c.iia());
        ObjectNode perVariable = o.putObject("iia_per_variable");
        c.iiaPerVariable().forEach(perVariable::put);
        ObjectNode widths = o.putObject("widths");
        c.widths().forEach(widths::put);
        o.put("rotated_width", c.rotatedWidth());
        o.put("train_pairs", c.trainPairs());
        o.put("held_out_pairs", c.heldOutPairs());
        o.put("steps", c.steps());
        o.put("seconds", c.seconds());
        o.put("seed", c.seed());
        return o;
    }

    /** Parses and checks results JSON; {@code source} (a file name) starts every error message. */
    public static StudyResults fromJson(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || root.isMissingNode()) throw new IllegalArgumentException(source + ": empty file");
        JsonFields f = new JsonFields(root, source, "", TOP_FIELDS);
        String format = f.text("format");
        if (!format.equals(FORMAT)) {
            throw f.error("format", "'" + format + "' is not a results format this version reads (" + FORMAT + ")");
        }
        List<CellResult> cells = f.list("cells", (node, field) -> readCell(node, source, field));
        try {
            return new StudyResults(f.text("model"), f.text("task"), f.text("component"), f.integer("model_layers"),
                    f.integers("layers"), f.integers("positions"), f.texts("position_tokens"), f.text("example_prompt"),
                    f.texts("hypotheses"), f.number("task_accuracy"), f.integer("task_examples"), cells,
                    f.scalarMap("settings"), f.instant("started"), f.instant("updated"), f.number("total_seconds"));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source + ": ")) throw e;
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static CellResult readCell(JsonNode node, String source, String field) {
        JsonFields f = new JsonFields(node, source, field, CELL_FIELDS);
        Map<String, Double> perVariable = f.numberMap("iia_per_variable");
        Map<String, Integer> widths = f.integerMap("widths");
        try {
            return new CellResult(f.text("hypothesis"), f.integer("layer"), f.integer("position"),
                    f.integer("absolute_position"), f.text("token"), f.number("iia"), perVariable, widths,
                    f.integer("rotated_width"), f.integer("train_pairs"), f.integer("held_out_pairs"), f.integer("steps"),
                    f.number("seconds"), f.longInteger("seed"));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source + ": ")) throw e;
            // the record names its own field ("iia: 1.2 is outside 0..1"): put the cell's place in front
            throw new IllegalArgumentException(source + ": " + field + "." + e.getMessage(), e);
        }
    }
}
