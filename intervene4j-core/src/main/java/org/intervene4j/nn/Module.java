package org.intervene4j.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * A piece of a model that owns named parameters and named sub-modules. Subclasses register
 * them in their constructor with {@link #param} and {@link #child}; {@link #parameters()}
 * then lists every trainable tensor under a dotted path ({@code "blocks.0.attn.query.weight"})
 * in registration order, which is stable across runs: optimizers, checkpoints and
 * interventions all address parameters by these names.
 *
 * <p>Parameters live outside any {@link org.intervene4j.engine.Arena} and require a gradient
 * unless frozen with {@link #requiresGrad(boolean)}.
 */
public abstract class Module {
    /** Parameters (Tensor) and sub-modules (Module), interleaved in registration order. */
    private final Map<String, Object> entries = new LinkedHashMap<>();

    /** Registers a parameter under {@code name} and marks it trainable; returns it. */
    protected final Tensor param(String name, Tensor value) {
        register(name, value);
        value.requiresGrad(true);
        return value;
    }

    /** Registers a sub-module under {@code name}; returns it. */
    protected final <M extends Module> M child(String name, M module) {
        register(name, module);
        return module;
    }

    private void register(String name, Object value) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module entry names must be non-empty and contain no '.', got '" + name + "'");
        }
        if (value == null) {
            throw new IllegalArgumentException("module entry '" + name + "' is null");
        }
        if (entries.putIfAbsent(name, value) != null) {
            throw new IllegalArgumentException("module entry '" + name + "' is registered twice in " + getClass().getSimpleName());
        }
    }

    /**
     * Every parameter of this module and its sub-modules, keyed by dotted path, in registration
     * order (depth first). The map is unmodifiable; the tensors are the live parameters.
     */
    public final Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            String path = prefix + e.getKey();
            if (e.getValue() instanceof Module m) {
                m.collect(path + ".", out);
            } else {
                out.put(path, (Tensor) e.getValue());
            }
        }
    }

    /** The direct sub-modules, keyed by name, in registration order. */
    public final Map<String, Module> children() {
        Map<String, Module> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            if (e.getValue() instanceof Module m) out.put(e.getKey(), m);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Total number of scalar parameters. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : parameters().values()) n += p.numel();
        return n;
    }

    /** Clears the accumulated gradient of every parameter. */
    public final void zeroGrad() {
        for (Tensor p : parameters().values()) p.zeroGrad();
    }

    /** Makes every parameter trainable ({@code true}) or frozen ({@code false}); returns this. */
    public Module requiresGrad(boolean trainable) {
        for (Tensor p : parameters().values()) p.requiresGrad(trainable);
        return this;
    }

    /** One line per parameter: name, shape and element count, then the total. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        int width = 0;
        for (String name : parameters().keySet()) width = Math.max(width, name.length());
        for (Map.Entry<String, Tensor> e : parameters().entrySet()) {
            sb.append(String.format("%-" + width + "s  %-14s %,d%n", e.getKey(),
                    java.util.Arrays.toString(e.getValue().shape()), e.getValue().numel()));
        }
        sb.append(String.format("%-" + width + "s  %-14s %,d%n", "total", "", parameterCount()));
        return sb.toString();
    }
}
