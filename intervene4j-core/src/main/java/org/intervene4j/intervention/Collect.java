package org.intervene4j.intervention;

import org.intervene4j.engine.Tensor;

/** Reads the rows and changes nothing; {@link IntervenableModel.Result#collected} returns them. */
public final class Collect implements Intervention {
    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        return base;
    }

    @Override
    public String type() {
        return "collect";
    }

    /** Rebuilds a saved {@code collect} intervention (it has no settings and no tensors). */
    public static Collect fromConfig(java.util.Map<String, Object> config, java.util.Map<String, Tensor> parameters) {
        return new Collect();
    }
}
