package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.linear;
import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.sub;

import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;

/**
 * LoReFT without the orthogonality constraint: {@code Φ(h) = h + W2^T(W1 h + b − W2 h)} with
 * unconstrained {@code W1, W2 [r, w]} and {@code b [r]}. With {@code W1 = W2} and {@code b = 0}
 * it is the identity.
 *
 * <p>From Wu, Arora, Wang, Geiger, Jurafsky, Manning and Potts (2024), "ReFT: Representation
 * Finetuning for Language Models" (NeurIPS 2024, arXiv:2404.03592), as implemented in the
 * authors' pyreft library ({@code pyreft/interventions.py}).
 *
 * <p>pyreft's optional bias on the projection {@code W2 h} only shifts {@code b} and is left out.
 * Initialisation: W1, W2 and b are nn.Linear's {@code U(−1/√w, 1/√w)}.
 *
 * <p>Takes no source. A subspace (indices in {@code 0..r-1}) keeps only those rows of W2.
 * Trainable: W1, W2 and b.
 */
public final class NoReFT extends ReftIntervention {
    public static final String TYPE = "noreft";

    private NoReFT(ReftParams p) {
        super(p);
    }

    /** A freshly initialised NoReFT. */
    public static NoReFT random(Random rng, int width, int rank) {
        return new NoReFT(ReftParams.random(TYPE, rng, width, rank, false, true));
    }

    /** From its parts: {@code projection} W2 [r, w], {@code weight} W1 [r, w], {@code bias} b [r]. */
    public static NoReFT of(Tensor projection, Tensor weight, Tensor bias) {
        return new NoReFT(ReftParams.ofProjection(TYPE, projection, weight, bias));
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
        Tensor delta = sub(linear(base, p.weight, p.bias), linear(base, p.projection, null)); // W1 h + b − W2 h: [n, r]
        return add(base, matmul(p.restrict(delta, subspace), p.projection));
    }

    /** Rebuilds a saved NoReFT (config {@code width}, {@code rank}; parameters projection, weight, bias). */
    public static NoReFT fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        return new NoReFT(ReftParams.load(TYPE, config, params, false, true));
    }
}
