package org.intervene4j.intervention;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Reads the settings and tensors a saved intervention is rebuilt from, with errors that name
 * the intervention type and the field at fault ({@code "loreft: config field 'rank' is missing"}).
 */
final class ConfigReader {
    private final String type;
    private final Map<String, Object> config;
    private final Map<String, Tensor> params;

    ConfigReader(String type, Map<String, Object> config, Map<String, Tensor> params) {
        this.type = type;
        this.config = config == null ? Map.of() : config;
        this.params = params == null ? Map.of() : params;
    }

    private Object raw(String field) {
        Object v = config.get(field);
        if (v == null) throw new IllegalArgumentException(type + ": config field '" + field + "' is missing");
        return v;
    }

    boolean has(String field) {
        return config.get(field) != null;
    }

    /** An integral number. */
    long longValue(String field) {
        Object v = raw(field);
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && !Double.isInfinite(d)) return n.longValue();
        }
        throw new IllegalArgumentException(type + ": config field '" + field + "' must be an integer, got " + v);
    }

    int intValue(String field) {
        long v = longValue(field);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(type + ": config field '" + field + "' is out of range: " + v);
        }
        return (int) v;
    }

    int positiveInt(String field) {
        int v = intValue(field);
        if (v < 1) throw new IllegalArgumentException(type + ": config field '" + field + "' must be >= 1, got " + v);
        return v;
    }

    double doubleValue(String field) {
        Object v = raw(field);
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) return n.doubleValue();
        throw new IllegalArgumentException(type + ": config field '" + field + "' must be a finite number, got " + v);
    }

    boolean bool(String field, boolean fallback) {
        Object v = config.get(field);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException(type + ": config field '" + field + "' must be true or false, got " + v);
    }

    String string(String field) {
        Object v = raw(field);
        if (v instanceof String s) return s;
        throw new IllegalArgumentException(type + ": config field '" + field + "' must be a string, got " + v);
    }

    /** A list of integers (a JSON array, or an int[]). */
    int[] intList(String field) {
        Object v = raw(field);
        if (v instanceof int[] a) return a.clone();
        if (v instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                Object e = list.get(i);
                if (!(e instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                    throw new IllegalArgumentException(type + ": config field '" + field + "' must list integers, element " + i + " is " + e);
                }
                out[i] = n.intValue();
            }
            return out;
        }
        throw new IllegalArgumentException(type + ": config field '" + field + "' must be a list of integers, got " + v);
    }

    /** The tensor {@code name}, which must have {@code shape}; a persistent copy outside any graph. */
    Tensor tensor(String name, int... shape) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalArgumentException(type + ": parameter '" + name + "' is missing");
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(type + ": parameter '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return t.persist();
    }

    /** Like {@link #tensor} but null when absent. */
    Tensor optionalTensor(String name, int... shape) {
        return params.containsKey(name) ? tensor(name, shape) : null;
    }

    /** Rejects a wrong {@code type} entry, when the config carries one. */
    void checkType() {
        Object t = config.get("type");
        if (t != null && !type.equals(t)) {
            throw new IllegalArgumentException(type + ": config field 'type' says '" + t + "'");
        }
    }
}
