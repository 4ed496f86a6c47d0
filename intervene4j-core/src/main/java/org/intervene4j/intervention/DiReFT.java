package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.linear;
import static org.intervene4j.engine.Ops.matmul;

import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Direct ReFT: {@code Φ(h) = h + R^T(W h + b)}, R {@code [r, w]} with orthonormal rows, learned
 * {@code W [r, w]} and {@code b [r]}: LoReFT without the difference {@code − R h}, so the edit
 * is added rather than replacing the subspace component (cheaper, LoRA-like).
 *
 * <p>From Wu, Arora, Wang, Geiger, Jurafsky, Manning and Potts (2024), "ReFT: Representation
 * Finetuning for Language Models" (NeurIPS 2024, arXiv:2404.03592), as implemented in the
 * authors' pyreft library ({@code pyreft/interventions.py}).
 *
 * <p>Naming follows pyreft, whose {@code DireftIntervention} keeps R orthonormal; the paper's
 * §3 ablation called DiReFT also drops the orthogonality, {@code h + W2^T(W1 h + b)}, which
 * is pyreft's (and our) {@link NodiReFT}. Initialisation: R random orthogonal, W and b
 * nn.Linear's {@code U(−1/√w, 1/√w)}.
 *
 * <p>Takes no source. A subspace (indices in {@code 0..r-1}) keeps only those rows of R.
 * Trainable: the rotation's weight, W and b.
 */
public final class DiReFT extends ReftIntervention {
    public static final String TYPE = "direft";

    private DiReFT(ReftParams p) {
        super(p);
    }

    /** A freshly initialised DiReFT. */
    public static DiReFT random(Random rng, int width, int rank) {
        return new DiReFT(ReftParams.random(TYPE, rng, width, rank, true, true));
    }

    /** From its parts: R^T is {@code rotation.matrix()} [w, r], {@code weight} W [r, w], {@code bias} b [r]. */
    public static DiReFT of(Orthogonal rotation, Tensor weight, Tensor bias) {
        return new DiReFT(ReftParams.ofRotation(TYPE, rotation, weight, bias));
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
        Tensor delta = linear(base, p.weight, p.bias);                     // W h + b: [n, r]
        return add(base, matmul(p.restrict(delta, subspace), p.rotationT().transpose(0, 1)));
    }

    /** Rebuilds a saved DiReFT (config {@code width}, {@code rank}; parameters rotation.*, weight, bias). */
    public static DiReFT fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        return new DiReFT(ReftParams.load(TYPE, config, params, true, true));
    }
}
