package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.scale;
import static org.intervene4j.engine.Ops.sigmoid;
import static org.intervene4j.engine.Ops.sub;
import static org.intervene4j.engine.Ops.sum;
import static org.intervene4j.engine.Ops.where;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * A learned soft selection of neurons, no rotation: {@code m = σ(w / τ)},
 * {@code out = (1 - m) ⊙ b + m ⊙ s}, computed as {@code b + m ⊙ (s - b)}. A spec's subspace
 * restricts the mask to those dims (the others are never swapped). Hard mode (evaluation, τ -> 0)
 * uses {@code m_i = 1 iff w_i > 0} and copies the selected source values exactly.
 * {@link #maskSum()} is the usual sparsity term, left for the caller to weight (it is not a
 * {@link Penalized} term because its scale depends on the width).
 */
public final class SigmoidMask extends SoftMaskedInterchange {
    public static final String TYPE = "sigmoid_mask";

    private final Tensor logits; // [w]

    /**
     * @param width       row width
     * @param initial     starting logit of every dim (0 gives m = 1/2)
     * @param temperature τ > 0
     */
    public SigmoidMask(int width, float initial, double temperature) {
        super(TYPE);
        if (width < 1) throw new IllegalArgumentException(TYPE + ": width must be >= 1, got " + width);
        this.logits = Tensor.zerosPersistent(width);
        Arrays.fill(logits.data(), initial);
        logits.requiresGrad(true);
        setTemperature(temperature);
    }

    /** Logits 0 (every mask value 1/2), τ = 1. */
    public SigmoidMask(int width) {
        this(width, 0f, 1.0);
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int w = logits.size(0);
        Rotations.checkRows(TYPE, base, source, w);
        Rotations.checkSubspace(TYPE, subspace, w);
        Tensor m = mask();
        if (subspace != null) m = mul(m, SubspaceMask.of(w, subspace));
        if (hard()) return where(m, source, base); // exact copies of the selected values
        return add(base, mul(sub(source, base), m));
    }

    /** The mask {@code [w]}: soft (differentiable) or hard, per {@link #hard()}. */
    public Tensor mask() {
        if (!hard()) return sigmoid(scale(logits, (float) (1 / temperature())));
        int w = logits.size(0);
        Tensor m = Tensor.zeros(w);
        float[] l = logits.toFloatArray();
        for (int i = 0; i < w; i++) m.data()[m.offset() + i] = l[i] > 0 ? 1f : 0f;
        return m;
    }

    /** Σ m, differentiable (soft mask): the sparsity penalty a trainer may weight. */
    public Tensor maskSum() {
        return sum(sigmoid(scale(logits, (float) (1 / temperature()))));
    }

    /** The trainable logits w {@code [width]}. */
    public Tensor logits() {
        return logits;
    }

    /** Dims the hard mask swaps. */
    public int[] selectedDims() {
        float[] l = logits.toFloatArray();
        return java.util.stream.IntStream.range(0, l.length).filter(i -> l[i] > 0).toArray();
    }

    /** {@code logits} [w] (trainable). */
    @Override
    public Map<String, Tensor> parameters() {
        return Map.of("logits", logits);
    }

    /** {@code width}, {@code temperature}, {@code hard}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("width", logits.size(0));
        c.put("temperature", temperature());
        c.put("hard", hard());
        return c;
    }

    public static SigmoidMask fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        int w = Rotations.intOf(config, "width", TYPE);
        SigmoidMask out = new SigmoidMask(w, 0f, Rotations.doubleOf(config, "temperature", TYPE, 1));
        Rotations.copyInto(out.logits, Rotations.requireParam(TYPE, params, "logits", w));
        out.setHard(Boolean.TRUE.equals(config.get("hard")));
        return out;
    }
}
