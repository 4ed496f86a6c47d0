package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.sub;

import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Constant ReFT: {@code Φ(h) = h + R^T(b − R h)}, R {@code [r, w]} with orthonormal rows and a
 * learned {@code b [r]}: the component of h in the subspace spanned by R's rows is set to the
 * constant {@code b} (in R's coordinates), whatever the input.
 *
 * <p>From Wu, Arora, Wang, Geiger, Jurafsky, Manning and Potts (2024), "ReFT: Representation
 * Finetuning for Language Models" (NeurIPS 2024, arXiv:2404.03592), as implemented in the
 * authors' pyreft library ({@code pyreft/interventions.py}).
 *
 * <p>Initialisation follows pyreft: R random orthogonal, {@code b ~ U(0, 1)}.
 *
 * <p>Takes no source. A subspace (indices in {@code 0..r-1}) keeps only those rows of R.
 * Trainable: the rotation's weight and b.
 */
public final class ConsReFT extends ReftIntervention {
    public static final String TYPE = "consreft";

    private ConsReFT(ReftParams p) {
        super(p);
    }

    /** A freshly initialised ConsReFT. */
    public static ConsReFT random(Random rng, int width, int rank) {
        return new ConsReFT(ReftParams.random(TYPE, rng, width, rank, true, false));
    }

    /** From its parts: R^T is {@code rotation.matrix()} [w, r], {@code bias} b [r]. */
    public static ConsReFT of(Orthogonal rotation, Tensor bias) {
        return new ConsReFT(ReftParams.ofRotation(TYPE, rotation, null, bias));
    }

    public Orthogonal rotation() {
        return p.rotation;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        p.checkRows(base);
        Tensor rt = p.rotationT();                           // R^T [w, r]
        Tensor delta = sub(p.bias, matmul(base, rt));        // b − R h: [n, r]
        return add(base, matmul(p.restrict(delta, subspace), rt.transpose(0, 1)));
    }

    /** Rebuilds a saved ConsReFT (config {@code width}, {@code rank}; parameters rotation.*, bias). */
    public static ConsReFT fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        return new ConsReFT(ReftParams.load(TYPE, config, params, true, false));
    }
}
