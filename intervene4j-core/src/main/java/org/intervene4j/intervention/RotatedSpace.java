package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.indexSelect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Distributed alignment search (DAS): interchange in a learned rotated basis. With R
 * {@code [w, w]} orthogonal (its rows are the new basis), {@code x = b R^T}, {@code y = s R^T},
 * {@code x[:, subspace] = y[:, subspace]}, {@code out = x R}. The subspace is the first
 * {@code k} rotated dims unless the spec gives indices (they then index rotated dims).
 *
 * <p>Computed as {@code out = b + ((s - b) R_S^T) R_S} with {@code R_S} the subspace rows of R,
 * which is the same map (R is orthogonal) at O(n w k) cost instead of O(n w^2), and returns b
 * exactly where b and s agree. R is a {@link Orthogonal} (Cayley) parametrization, so it stays
 * orthogonal whatever the optimizer does; train {@link #parameters()} {@code rotation.weight}.
 */
public final class RotatedSpace extends RotationInterchange {
    public static final String TYPE = "rotated_space";

    private final int k;

    /**
     * @param rotation a full rotation ({@code rank == dim})
     * @param k        rotated dims interchanged when the spec gives no subspace, 1..w
     */
    public RotatedSpace(Orthogonal rotation, int k) {
        super(TYPE, rotation);
        if (rotation.rank() != rotation.dim()) {
            throw new IllegalArgumentException(TYPE + ": needs a full rotation, got rank " + rotation.rank() + " of " + rotation.dim()
                    + " (use LowRankRotatedSpace)");
        }
        if (k < 1 || k > rotation.dim()) {
            throw new IllegalArgumentException(TYPE + ": k must be in [1, " + rotation.dim() + "], got " + k);
        }
        this.k = k;
    }

    /** Starts at the identity rotation (the subspace starts as the first k coordinate axes). */
    public static RotatedSpace identity(int width, int k) {
        return new RotatedSpace(Orthogonal.identity(width), k);
    }

    /** Starts at a uniformly random rotation. */
    public static RotatedSpace random(Random rng, int width, int k) {
        return new RotatedSpace(Orthogonal.random(rng, width, width), k);
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int w = rotation.dim();
        Rotations.checkRows(TYPE, base, source, w);
        Rotations.checkSubspace(TYPE, subspace, w);
        int[] dims = subspace != null ? subspace : Rotations.firstK(k);
        Tensor rs = indexSelect(rotation.matrix(), 0, dims); // [|S|, w] rows of the new basis
        return Rotations.interchange(base, source, rs.transpose(0, 1), rs);
    }

    /** The current rotation R {@code [w, w]} (rows = basis), differentiable. */
    public Tensor rotation() {
        return rotation.matrix();
    }

    public int k() {
        return k;
    }

    public int width() {
        return rotation.dim();
    }

    /** {@code width}, {@code k}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("width", rotation.dim());
        c.put("k", k);
        return c;
    }

    /** Rebuilds the intervention saved by {@link #config()} and {@link #parameters()}. */
    public static RotatedSpace fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        int w = Rotations.intOf(config, "width", TYPE);
        return new RotatedSpace(Rotations.rebuild(TYPE, w, w, params), Rotations.intOf(config, "k", TYPE));
    }
}
