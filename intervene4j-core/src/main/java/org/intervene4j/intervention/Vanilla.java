package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.sub;

import org.intervene4j.engine.Tensor;

/** Interchange (activation patching): {@code b[idx] = s[idx]}. */
public final class Vanilla implements Intervention {
    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        if (subspace == null) return source;
        return add(base, mul(sub(source, base), SubspaceMask.of(base.size(1), subspace)));
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
