package org.intervene4j.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Argument checks shared by the result records; each message starts with the field at fault. */
final class Checks {
    private Checks() {}

    static String text(String value, String field) {
        if (value == null) throw new IllegalArgumentException(field + ": missing");
        return value;
    }

    static String nonBlank(String value, String field) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(field + ": missing or blank");
        return value;
    }

    static int atLeast(int value, int min, String field) {
        if (value < min) throw new IllegalArgumentException(field + ": " + value + " is below " + min);
        return value;
    }

    /** A finite value in 0..1 (accuracies). */
    static double fraction(double value, String field) {
        if (!(value >= 0 && value <= 1)) throw new IllegalArgumentException(field + ": " + value + " is outside 0..1");
        return value;
    }

    static double seconds(double value, String field) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + ": " + value + " is not a finite, non-negative number of seconds");
        }
        return value;
    }

    /** An unmodifiable copy keeping the caller's order, with no null keys or values. */
    static <V> Map<String, V> orderedCopy(Map<String, V> map, String field) {
        if (map == null) throw new IllegalArgumentException(field + ": missing");
        LinkedHashMap<String, V> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k == null || k.isBlank()) throw new IllegalArgumentException(field + ": a key is missing or blank");
            if (v == null) throw new IllegalArgumentException(field + "." + k + ": missing");
            copy.put(k, v);
        });
        return Collections.unmodifiableMap(copy);
    }

    static <T> List<T> listCopy(List<T> list, String field) {
        if (list == null) throw new IllegalArgumentException(field + ": missing");
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) throw new IllegalArgumentException(field + "[" + i + "]: missing");
        }
        return List.copyOf(list);
    }
}
