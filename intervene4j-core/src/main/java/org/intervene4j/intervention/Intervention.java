package org.intervene4j.intervention;

import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * What happens to the activation rows an intervention selects. Rows are gathered per unit
 * (one row per example x position, or per example x head x position), so an intervention
 * never knows the model family or the site: it maps {@code base [n, w]} (and the aligned
 * {@code source [n, w]}) to new rows {@code [n, w]}. A user-defined intervention is any
 * implementation of this interface (a lambda for static ones).
 */
@FunctionalInterface
public interface Intervention {
    /**
     * @param base     the rows at the base site [n, w]
     * @param source   the aligned source rows [n, w], or null when the intervention takes no source
     * @param subspace dimensions of the row (or of the intervention's own basis, for rotations)
     *                 to act on, or null for all of them
     * @return the new rows [n, w]
     */
    Tensor apply(Tensor base, Tensor source, int[] subspace);

    /** A short type name ("vanilla", "rotated_space", ...) for reports and saved files. */
    default String type() {
        return "custom";
    }

    /** True when the intervention reads source activations (interchange); false for constants and ablations. */
    default boolean needsSource() {
        return false;
    }

    /**
     * Every tensor that defines this intervention, by name: trainable ones (rotations,
     * boundaries, masks, vectors) and fixed ones (a PCA basis, a mean vector). Saved to
     * safetensors; empty for parameter-free interventions.
     */
    default Map<String, Tensor> parameters() {
        return Map.of();
    }

    /**
     * Settings that, with {@link #parameters()}, rebuild this intervention when loaded (sizes,
     * temperatures, ...): JSON-serializable values only (numbers, strings, booleans, lists).
     * Each saveable type also has a static {@code fromConfig(Map<String, Object>, Map<String, Tensor>)}.
     */
    default Map<String, Object> config() {
        return Map.of();
    }
}
