package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.scale;

import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * {@code b[idx] + sign * s[idx]}: addition (sign +1) or subtraction (sign -1) of the source
 * rows, or of a constant vector (a steering vector, full width or subspace width). A constant
 * may be trainable ({@code requiresGrad}).
 */
public final class Addition implements Intervention {
    private final float sign;
    private final Tensor vector; // [w] or [|subspace|], or null when the source supplies the rows

    private Addition(float sign, Tensor vector) {
        this.sign = sign;
        this.vector = vector;
    }

    /** Adds the source rows. */
    public static Addition ofSource() {
        return new Addition(1f, null);
    }

    /** Subtracts the source rows. */
    public static Addition subtractSource() {
        return new Addition(-1f, null);
    }

    /** Adds a constant vector to every selected row. */
    public static Addition ofVector(Tensor vector) {
        return new Addition(1f, vector);
    }

    /** Subtracts a constant vector from every selected row. */
    public static Addition subtractVector(Tensor vector) {
        return new Addition(-1f, vector);
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int w = base.size(1);
        Tensor delta = vector != null ? SubspaceMask.spread(vector, w, subspace, type()) : source;
        if (vector == null && subspace != null) delta = mul(delta, SubspaceMask.of(w, subspace));
        return add(base, sign == 1f ? delta : scale(delta, sign));
    }

    /** The constant vector, or null. */
    public Tensor vector() {
        return vector;
    }

    public float sign() {
        return sign;
    }

    @Override
    public String type() {
        return sign > 0 ? "addition" : "subtraction";
    }

    @Override
    public boolean needsSource() {
        return vector == null;
    }

    /** The constant vector when there is one (trainable or not); nothing when the source supplies the rows. */
    @Override
    public Map<String, Tensor> parameters() {
        return vector != null ? Map.of("vector", vector) : Map.of();
    }

    /** {@code sign}: 1 for addition, -1 for subtraction. */
    @Override
    public Map<String, Object> config() {
        return Map.of("sign", sign > 0 ? 1 : -1);
    }

    /**
     * Rebuilds a saved addition or subtraction: {@code config.sign} (1 or -1, default 1), and a
     * constant {@code vector} parameter when the intervention had one (else it reads the source).
     */
    public static Addition fromConfig(Map<String, Object> config, Map<String, Tensor> parameters) {
        Object s = config.getOrDefault("sign", 1);
        if (!(s instanceof Number n) || (n.doubleValue() != 1 && n.doubleValue() != -1)) {
            throw new IllegalArgumentException("addition: config.sign must be 1 or -1, got " + s);
        }
        return new Addition((float) n.doubleValue(), parameters.get("vector"));
    }
}
