package org.intervene4j.intervention;

import java.util.Map;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * What {@link RotatedSpace} and {@link LowRankRotatedSpace} share: an {@link Orthogonal}
 * (Cayley) rotation, saved as {@code rotation.weight} and, when training started from a random
 * rotation, {@code rotation.initial}; both read source rows.
 */
abstract class RotationInterchange implements Intervention {
    private final String type;
    final Orthogonal rotation;
    private final Tensor initial; // R0 [w, w] or null (identity start)

    RotationInterchange(String type, Orthogonal rotation) {
        this.type = type;
        this.rotation = rotation;
        this.initial = rotation.initialRotation();
    }

    /** The parametrization (its {@link Orthogonal#weight()} is the trainable leaf). */
    public Orthogonal orthogonal() {
        return rotation;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final boolean needsSource() {
        return true;
    }

    /** {@code rotation.weight} [w, w] (trainable) and {@code rotation.initial} [w, w] (fixed, when the start was random). */
    @Override
    public Map<String, Tensor> parameters() {
        return Rotations.parameters(rotation, initial);
    }
}
