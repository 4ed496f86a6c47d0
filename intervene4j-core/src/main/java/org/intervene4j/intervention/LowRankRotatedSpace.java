package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.indexSelect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Low-rank DAS: R {@code [w, r]} with orthonormal columns spans the interchanged subspace,
 * {@code out = b + (s R - b R) R^T}. A spec's subspace picks columns of R (indices in
 * {@code [0, r)}); null uses all r. R is the first r columns of a Cayley rotation
 * ({@link Orthogonal} with rank r), so its columns stay orthonormal during training.
 */
public final class LowRankRotatedSpace extends RotationInterchange {
    public static final String TYPE = "low_rank_rotated_space";

    /** @param rotation an {@link Orthogonal} whose rank is the subspace size */
    public LowRankRotatedSpace(Orthogonal rotation) {
        super(TYPE, rotation);
    }

    /** Starts at the first {@code rank} coordinate axes. */
    public static LowRankRotatedSpace axes(int width, int rank) {
        return new LowRankRotatedSpace(Orthogonal.lowRank(width, rank));
    }

    /** Starts at a uniformly random {@code rank}-dim subspace. */
    public static LowRankRotatedSpace random(Random rng, int width, int rank) {
        return new LowRankRotatedSpace(Orthogonal.random(rng, width, rank));
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int w = rotation.dim();
        Rotations.checkRows(TYPE, base, source, w);
        Rotations.checkSubspace(TYPE, subspace, rotation.rank());
        Tensor r = rotation.matrix();                              // [w, r]
        if (subspace != null) r = indexSelect(r, 1, subspace);     // [w, |S|]
        return Rotations.interchange(base, source, r, r.transpose(0, 1));
    }

    /** The current basis R {@code [w, r]} (orthonormal columns), differentiable. */
    public Tensor basis() {
        return rotation.matrix();
    }

    public int rank() {
        return rotation.rank();
    }

    /** {@code width}, {@code rank}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("width", rotation.dim());
        c.put("rank", rotation.rank());
        return c;
    }

    public static LowRankRotatedSpace fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        int w = Rotations.intOf(config, "width", TYPE);
        return new LowRankRotatedSpace(Rotations.rebuild(TYPE, w, Rotations.intOf(config, "rank", TYPE), params));
    }
}
