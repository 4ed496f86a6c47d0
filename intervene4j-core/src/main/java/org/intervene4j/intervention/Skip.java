package org.intervene4j.intervention;


import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;

/**
 * Skips a block: {@code blocks.L.block_output[idx] = blocks.L.block_input[idx]} at the chosen
 * positions, so the block adds nothing to the residual stream there (attention and MLP still
 * run, and later positions still attend to this block's keys and values of every position).
 * The input rows are read from the same forward pass ({@link SameRunSource}), after any
 * intervention placed at the block input; {@link #at} builds the spec.
 */
public final class Skip implements SameRunSource {
    public static final String TYPE = "skip";

    /** A spec skipping block {@code layer} at {@code positions} (null = every position). */
    public static InterventionSpec at(int layer, Positions positions) {
        return new InterventionSpec(Site.of(layer, Component.BLOCK_OUTPUT), Site.of(layer, Component.BLOCK_INPUT), new Skip(), -1,
                positions, positions, null, null);
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        if (source == null) throw new IllegalArgumentException(TYPE + ": the block input rows are missing");
        return ExactBlend.of(base, source, subspace);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", TYPE);
        return c;
    }

    /** Rebuilds a saved skip (no settings). */
    public static Skip fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        new ConfigReader(TYPE, config, params).checkType();
        return new Skip();
    }
}
