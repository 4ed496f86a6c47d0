package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.matmul;

import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Low-rank bias ReFT: {@code Φ(h) = h + R^T b}, R {@code [r, w]} with orthonormal rows and a
 * learned {@code b [r]}: a learned steering vector constrained to the span of R's rows, added
 * whatever the input.
 *
 * <p>From Wu, Arora, Wang, Geiger, Jurafsky, Manning and Potts (2024), "ReFT: Representation
 * Finetuning for Language Models" (NeurIPS 2024, arXiv:2404.03592), as implemented in the
 * authors' pyreft library ({@code pyreft/interventions.py}).
 *
 * <p>Initialisation follows pyreft: R random orthogonal, {@code b ~ U(0, 1)}.
 *
 * <p>Takes no source. A subspace (indices in {@code 0..r-1}) keeps only those entries of b.
 * Trainable: the rotation's weight and b.
 */
public final class LobiReFT extends ReftIntervention {
    public static final String TYPE = "lobireft";

    private LobiReFT(ReftParams p) {
        super(p);
    }

    /** A freshly initialised LobiReFT. */
    public static LobiReFT random(Random rng, int width, int rank) {
        return new LobiReFT(ReftParams.random(TYPE, rng, width, rank, true, false));
    }

    /** From its parts: R^T is {@code rotation.matrix()} [w, r], {@code bias} b [r]. */
    public static LobiReFT of(Orthogonal rotation, Tensor bias) {
        return new LobiReFT(ReftParams.ofRotation(TYPE, rotation, null, bias));
    }

    public Orthogonal rotation() {
        return p.rotation;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        p.checkRows(base);
        Tensor b = p.restrict(p.bias.reshape(1, p.rank), subspace);   // [1, r]
        return add(base, matmul(b, p.rotationT().transpose(0, 1)));          // + R^T b, broadcast over rows
    }

    /** Rebuilds a saved LobiReFT (config {@code width}, {@code rank}; parameters rotation.*, bias). */
    public static LobiReFT fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        return new LobiReFT(ReftParams.load(TYPE, config, params, true, false));
    }
}
