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

    @Override
    public Map<String, Tensor> parameters() {
        return vector != null && vector.requiresGrad() ? Map.of("vector", vector) : Map.of();
    }
}
