package org.intervene4j.io.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import org.intervene4j.io.CheckpointException;

/**
 * A Hugging Face {@code config.json} with typed, validated getters. Every error names the
 * file and the field, so a family's config record reads as a list of one-line field parses.
 */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    private HfConfig(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    /** Reads and parses {@code file}. */
    public static HfConfig read(Path file) {
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject()) throw new CheckpointException(file, "not a JSON object");
            return new HfConfig(file, root);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "file not found");
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Wraps an already parsed tree (tests, embedded configs). */
    public static HfConfig of(Path file, JsonNode root) {
        return new HfConfig(file, root);
    }

    public Path file() {
        return file;
    }

    public JsonNode json() {
        return root;
    }

    public boolean has(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    /** The {@code model_type} field, required. */
    public String modelType() {
        return string("model_type");
    }

    public String string(String field) {
        JsonNode n = require(field);
        if (!n.isTextual()) throw bad(field, "a string", n);
        return n.asText();
    }

    public String string(String field, String fallback) {
        return has(field) ? string(field) : fallback;
    }

    /** A required integer >= 1. */
    public int positiveInt(String field) {
        JsonNode n = require(field);
        if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > Integer.MAX_VALUE) throw bad(field, "a positive integer", n);
        return n.asInt();
    }

    public int positiveInt(String field, int fallback) {
        return has(field) ? positiveInt(field) : fallback;
    }

    /** An integer >= 0, or the fallback when absent. */
    public int nonNegativeInt(String field, int fallback) {
        if (!has(field)) return fallback;
        JsonNode n = root.get(field);
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > Integer.MAX_VALUE) throw bad(field, "an integer >= 0", n);
        return n.asInt();
    }

    /** A required finite number. */
    public double number(String field) {
        JsonNode n = require(field);
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) throw bad(field, "a number", n);
        return n.asDouble();
    }

    public double number(String field, double fallback) {
        return has(field) ? number(field) : fallback;
    }

    public boolean bool(String field, boolean fallback) {
        if (!has(field)) return fallback;
        JsonNode n = root.get(field);
        if (!n.isBoolean()) throw bad(field, "true or false", n);
        return n.asBoolean();
    }

    /** A nested object, or null when absent or JSON null. */
    public JsonNode object(String field) {
        if (!has(field)) return null;
        JsonNode n = root.get(field);
        if (!n.isObject()) throw bad(field, "a JSON object", n);
        return n;
    }

    /** Fails unless {@code field} is absent, null or one of {@code supported}. */
    public void requireOneOf(String field, Set<String> supported) {
        if (!has(field)) return;
        String v = root.get(field).isTextual() ? root.get(field).asText() : root.get(field).toString();
        if (!supported.contains(v)) {
            throw unsupported(field, v, "supported: " + new TreeSet<>(supported));
        }
    }

    /** An error for a field whose value intervene4j does not implement (never approximated). */
    public CheckpointException unsupported(String field, Object value, String detail) {
        return new CheckpointException(file, "field '" + field + "' = " + value + " is not supported"
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    }

    /** An error about a field's value. */
    public CheckpointException invalid(String field, String problem) {
        return new CheckpointException(file, "field '" + field + "': " + problem);
    }

    /** The names of all fields, for diagnostics. */
    public Set<String> fields() {
        Set<String> out = new TreeSet<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    private JsonNode require(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) throw new CheckpointException(file, "missing required field '" + field + "'");
        return n;
    }

    private CheckpointException bad(String field, String want, JsonNode got) {
        return new CheckpointException(file, "field '" + field + "' must be " + want + ", got " + got);
    }
}
