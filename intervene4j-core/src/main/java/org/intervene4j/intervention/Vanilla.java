package org.intervene4j.intervention;

import org.intervene4j.engine.Tensor;

/** Interchange (activation patching): {@code b[idx] = s[idx]}. */
public final class Vanilla implements Intervention {
    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        if (subspace == null) return source;
        return ExactBlend.of(base, source, subspace); // b + (s - b) * m would round: s[idx] must be copied exactly
    }

    @Override
    public String type() {
        return "vanilla";
    }

    @Override
    public boolean needsSource() {
        return true;
    }

    /** Rebuilds a saved {@code vanilla} intervention (it has no settings and no tensors). */
    public static Vanilla fromConfig(java.util.Map<String, Object> config, java.util.Map<String, Tensor> parameters) {
        return new Vanilla();
    }
}
