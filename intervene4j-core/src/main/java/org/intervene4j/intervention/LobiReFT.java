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
public final class LobiReFT implements Intervention {
    public static final String TYPE = "lobireft";
    private final ReftParams p;

    private LobiReFT(ReftParams p) {
        this.p = p;
    }

    /** A freshly initialised LobiReFT. */
    public static LobiReFT random(Random rng, int width, int rank) {
        ReftParams.checkSizes(TYPE, width, rank);
        Orthogonal rotation = Orthogonal.random(rng, width, rank);
        return new LobiReFT(new ReftParams(TYPE, width, rank, rotation, null, null,
                Tensor.uniform(rng, 0f, 1f, rank).requiresGrad(true)));
    }

    /** From its parts: R^T is {@code rotation.matrix()} [w, r], {@code bias} b [r]. */
    public static LobiReFT of(Orthogonal rotation, Tensor bias) {
        return new LobiReFT(new ReftParams(TYPE, rotation.dim(), rotation.rank(), rotation, null, null, bias));
    }

    public Orthogonal rotation() {
        return p.rotation;
    }

    public Tensor bias() {
        return p.bias;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        p.checkRows(base);
        Tensor b = p.restrict(p.bias.reshape(1, p.rank), subspace);   // [1, r]
        return add(base, matmul(b, p.rotationT().transpose(0, 1)));          // + R^T b, broadcast over rows
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return p.parameters();
    }

    @Override
    public Map<String, Object> config() {
        return p.config();
    }

    /** Rebuilds a saved LobiReFT (config {@code width}, {@code rank}; parameters rotation.*, bias). */
    public static LobiReFT fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        return new LobiReFT(ReftParams.load(TYPE, config, params, true, false, false));
    }
}
