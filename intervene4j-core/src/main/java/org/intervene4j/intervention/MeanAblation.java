package org.intervene4j.intervention;


import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Mean ablation: {@code b[idx] = mean[idx]}, where {@code mean} is the average row at the same
 * site over a reference set of inputs (usually collected with {@link RunningStats#collect}).
 * The mean is a fixed tensor (saved with the intervention); the rows outside the subspace and
 * the gradient to them pass through unchanged.
 */
public final class MeanAblation implements Intervention {
    public static final String TYPE = "mean_ablation";
    private final Tensor mean; // [w]

    private MeanAblation(Tensor mean) {
        this.mean = mean;
    }

    /** Ablates to {@code mean} [w]. */
    public static MeanAblation of(Tensor mean) {
        if (mean == null || mean.dim() != 1) {
            throw new IllegalArgumentException(TYPE + ": mean must be a vector [w], got "
                    + (mean == null ? "null" : java.util.Arrays.toString(mean.shape())));
        }
        return new MeanAblation(mean);
    }

    /** Ablates to the mean of the accumulated rows. */
    public static MeanAblation of(RunningStats stats) {
        return new MeanAblation(stats.mean());
    }

    /** The mean row [w]. */
    public Tensor mean() {
        return mean;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int w = base.size(1);
        if (mean.numel() != w) {
            throw new IllegalArgumentException(TYPE + ": the mean has " + mean.numel() + " values but the rows have width " + w);
        }
        return ExactBlend.of(base, mean, subspace);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return Map.of("mean", mean);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", TYPE);
        c.put("width", mean.numel());
        return c;
    }

    /** Rebuilds a saved mean ablation (config {@code width}, parameter {@code mean}). */
    public static MeanAblation fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        ConfigReader r = new ConfigReader(TYPE, config, params);
        r.checkType();
        return new MeanAblation(r.tensor("mean", r.positiveInt("width")));
    }
}
