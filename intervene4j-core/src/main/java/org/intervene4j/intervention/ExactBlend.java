package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.mul;

import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/**
 * {@code out[idx] = replacement[idx]}, {@code out = base} elsewhere, computed as
 * {@code base ⊙ (1 − m) + replacement ⊙ m} so that both parts are copied bit-exactly (the
 * shorter {@code base + (replacement − base) ⊙ m} rounds: {@code b + (s − b)} need not be s).
 */
final class ExactBlend {
    private ExactBlend() {}

    /**
     * @param base        [n, w]
     * @param replacement [n, w] or [w]
     * @param subspace    dims to replace, or null for all (then the result is the replacement broadcast to [n, w])
     */
    static Tensor of(Tensor base, Tensor replacement, int[] subspace) {
        int w = base.size(1);
        if (subspace == null) {
            return replacement.dim() == 2 ? replacement : replacement.reshape(1, w).expand(base.size(0), w).contiguous();
        }
        Tensor mask = SubspaceMask.of(w, subspace);
        Tensor keep = Ops.addScalar(Ops.neg(mask), 1f);
        return add(mul(base, keep), mul(replacement, mask));
    }
}
