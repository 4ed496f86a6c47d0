package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.linear;
import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.sub;

import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Low-rank linear subspace ReFT: {@code Φ(h) = h + R^T(W h + b − R h)}, with {@code R [r, w]}
 * of orthonormal rows (kept exactly orthonormal by {@link Orthogonal}'s Cayley map), a learned
 * {@code W [r, w]} and {@code b [r]}: inside the r-dimensional subspace spanned by R's rows
 * the representation is replaced by the affine target {@code W h + b}; outside it nothing
 * changes. With {@code W = R} and {@code b = 0} it is the identity.
 *
 * <p>From Wu, Arora, Wang, Geiger, Jurafsky, Manning and Potts (2024), "ReFT: Representation
 * Finetuning for Language Models" (NeurIPS 2024, arXiv:2404.03592), as implemented in the
 * authors' pyreft library ({@code pyreft/interventions.py}).
 *
 * <p>Initialisation follows pyreft: R is random orthogonal, W and b are nn.Linear's
 * {@code U(−1/√w, 1/√w)}. pyreft's optional activation on {@code W h + b} and dropout are not
 * included (both default to off there).
 *
 * <p>Takes no source. A subspace (indices in {@code 0..r-1}) keeps only those rows of R.
 * Trainable: the rotation's weight, W and b.
 */
public final class LoReFT extends ReftIntervention {
    public static final String TYPE = "loreft";

    private LoReFT(ReftParams p) {
        super(p);
    }

    /** A freshly initialised LoReFT of rank {@code rank} on rows of width {@code width}. */
    public static LoReFT random(Random rng, int width, int rank) {
        return new LoReFT(ReftParams.random(TYPE, rng, width, rank, true, true));
    }

    /** A LoReFT from its parts: R^T is {@code rotation.matrix()} [w, r], {@code weight} W [r, w], {@code bias} b [r]. */
    public static LoReFT of(Orthogonal rotation, Tensor weight, Tensor bias) {
        return new LoReFT(ReftParams.ofRotation(TYPE, rotation, weight, bias));
    }

    public Orthogonal rotation() {
        return p.rotation;
    }

    public Tensor weight() {
        return p.weight;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        p.checkRows(base);
        Tensor rt = p.rotationT();                                             // R^T [w, r]
        Tensor delta = sub(linear(base, p.weight, p.bias), matmul(base, rt));  // W h + b − R h: [n, r]
        return add(base, matmul(p.restrict(delta, subspace), rt.transpose(0, 1)));
    }

    /** Rebuilds a saved LoReFT (config {@code width}, {@code rank}; see {@link #parameters()}). */
    public static LoReFT fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        return new LoReFT(ReftParams.load(TYPE, config, params, true, true));
    }
}
