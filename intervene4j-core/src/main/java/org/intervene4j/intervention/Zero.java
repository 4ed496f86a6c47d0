package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.mul;

import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/** Zero ablation: {@code b[idx] = 0}. */
public final class Zero implements Intervention {
    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        Tensor keep = Ops.addScalar(Ops.neg(SubspaceMask.of(base.size(1), subspace)), 1f); // 1 outside the subspace
        return mul(base, keep);
    }

    @Override
    public String type() {
        return "zero";
    }

    /** Rebuilds a saved {@code zero} intervention (it has no settings and no tensors). */
    public static Zero fromConfig(java.util.Map<String, Object> config, java.util.Map<String, Tensor> parameters) {
        return new Zero();
    }
}
