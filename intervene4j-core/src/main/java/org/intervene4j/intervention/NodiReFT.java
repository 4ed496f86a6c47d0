package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.linear;
import static org.intervene4j.engine.Ops.matmul;

import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;

/**
 * Direct ReFT without orthogonality: {@code Φ(h) = h + W2^T(W1 h + b)} with unconstrained
 * {@code W1, W2 [r, w]} and {@code b [r]} (a low-rank additive adapter on the representation).
 *
 * <p>From Wu, Arora, Wang, Geiger, Jurafsky, Manning and Potts (2024), "ReFT: Representation
 * Finetuning for Language Models" (NeurIPS 2024, arXiv:2404.03592), as implemented in the
 * authors' pyreft library ({@code pyreft/interventions.py}).
 *
 * <p>This is the formula the paper gives for its DiReFT ablation; pyreft names it
 * {@code NodireftIntervention} (its {@code DireftIntervention} keeps W2 orthonormal: our
 * {@link DiReFT}). pyreft's bias on the W2 layer is never used in the forward and is left out.
 * Initialisation: W1, W2 and b are nn.Linear's {@code U(−1/√w, 1/√w)}.
 *
 * <p>Takes no source. A subspace (indices in {@code 0..r-1}) keeps only those rows of W2.
 * Trainable: W1, W2 and b.
 */
public final class NodiReFT extends ReftIntervention {
    public static final String TYPE = "nodireft";

    private NodiReFT(ReftParams p) {
        super(p);
    }

    /** A freshly initialised NodiReFT. */
    public static NodiReFT random(Random rng, int width, int rank) {
        return new NodiReFT(ReftParams.random(TYPE, rng, width, rank, false, true));
    }

    /** From its parts: {@code projection} W2 [r, w], {@code weight} W1 [r, w], {@code bias} b [r]. */
    public static NodiReFT of(Tensor projection, Tensor weight, Tensor bias) {
        return new NodiReFT(ReftParams.ofProjection(TYPE, projection, weight, bias));
    }

    public Tensor projection() {
        return p.projection;
    }

    public Tensor weight() {
        return p.weight;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        p.checkRows(base);
        Tensor delta = linear(base, p.weight, p.bias);                     // W1 h + b: [n, r]
        return add(base, matmul(p.restrict(delta, subspace), p.projection));
    }

    /** Rebuilds a saved NodiReFT (config {@code width}, {@code rank}; parameters projection, weight, bias). */
    public static NodiReFT fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        return new NodiReFT(ReftParams.load(TYPE, config, params, false, true));
    }
}
