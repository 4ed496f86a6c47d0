package org.intervene4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Typed reads of the fields of one JSON object, each error naming the file and the field
 * ({@code results.json: cells[3].layer: expected an integer, got "two"}).
 */
final class JsonFields {
    private final JsonNode node;
    private final String file;
    private final String path;

    /** {@code path} is the object's place in the file ("" for the top level, "cells[3]" below). */
    JsonFields(JsonNode node, String file, String path, String... allowed) {
        this.node = node;
        this.file = file;
        this.path = path;
        if (node == null || !node.isObject()) throw error(path.isEmpty() ? "(top level)" : path, "expected an object");
        List<String> known = Arrays.asList(allowed);
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) throw error(field(name), "unknown field (known: " + String.join(", ", known) + ")");
        });
    }

    String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    IllegalArgumentException error(String field, String message) {
        return new IllegalArgumentException(file + ": " + field + ": " + message);
    }

    private JsonNode required(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) throw error(field(name), "missing");
        return v;
    }

    JsonNode raw(String name) {
        return required(name);
    }

    String text(String name) {
        JsonNode v = required(name);
        if (!v.isTextual()) throw error(field(name), "expected a string, got " + v);
        return v.textValue();
    }

    int integer(String name) {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(field(name), "expected an integer, got " + v);
        return v.intValue();
    }

    long longInteger(String name) {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw error(field(name), "expected an integer, got " + v);
        return v.longValue();
    }

    double number(String name) {
        return number(required(name), field(name));
    }

    private double number(JsonNode v, String field) {
        if (!v.isNumber()) throw error(field, "expected a number, got " + v);
        return v.doubleValue();
    }

    Instant instant(String name) {
        String s = text(name);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw error(field(name), "expected an ISO-8601 instant like 2024-05-01T12:00:00Z, got \"" + s + "\"");
        }
    }

    List<Integer> integers(String name) {
        return list(name, (v, f) -> {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(f, "expected an integer, got " + v);
            return v.intValue();
        });
    }

    List<String> texts(String name) {
        return list(name, (v, f) -> {
            if (!v.isTextual()) throw error(f, "expected a string, got " + v);
            return v.textValue();
        });
    }

    /** Each element of an array field, read by {@code read(element, "name[i]")}. */
    <T> List<T> list(String name, BiFunction<JsonNode, String, T> read) {
        JsonNode v = required(name);
        if (!v.isArray()) throw error(field(name), "expected an array, got " + v.getNodeType().name().toLowerCase());
        List<T> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) out.add(read.apply(v.get(i), field(name) + "[" + i + "]"));
        return out;
    }

    Map<String, Double> numberMap(String name) {
        return map(name, (v, f) -> number(v, f));
    }

    Map<String, Integer> integerMap(String name) {
        return map(name, (v, f) -> {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(f, "expected an integer, got " + v);
            return v.intValue();
        });
    }

    /** A map of JSON scalars: strings, booleans, integers (as Long) and other numbers (as Double). */
    Map<String, Object> scalarMap(String name) {
        return map(name, (v, f) -> {
            if (v.isTextual()) return v.textValue();
            if (v.isBoolean()) return v.booleanValue();
            if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
            if (v.isNumber()) return v.doubleValue();
            throw error(f, "expected a string, boolean or number, got " + v);
        });
    }

    private <V> Map<String, V> map(String name, BiFunction<JsonNode, String, V> read) {
        JsonNode v = required(name);
        if (!v.isObject()) throw error(field(name), "expected an object, got " + v.getNodeType().name().toLowerCase());
        Map<String, V> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) throw error(field(name) + "." + e.getKey(), "missing");
            out.put(e.getKey(), read.apply(e.getValue(), field(name) + "." + e.getKey()));
        });
        return out;
    }
}
