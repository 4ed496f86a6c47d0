package org.intervene4j.train;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Tensor;

/** Small differentiable losses recorded as custom ops, so these tests do not depend on {@code Ops}. */
final class Losses {
    private Losses() {}

    /** Accumulates {@code g} into {@code p.grad()} through backward of an identity op (after zeroing it). */
    static void setGrad(Tensor p, float[] g) {
        p.zeroGrad();
        Tensor y = Graph.record("identity", Tensor.of(p.toFloatArray(), p.shape()),
                (grad, needs) -> new Tensor[] {grad}, p);
        y.backward(Tensor.of(g.clone(), p.shape()));
    }

    /** {@code 0.5 * sum(a_i (p_i - t_i)^2)} as a scalar op with gradient {@code a (p - t)}. */
    static Tensor quadratic(Tensor p, float[] target, float[] weight) {
        float[] v = p.toFloatArray();
        double s = 0;
        for (int i = 0; i < v.length; i++) s += 0.5 * weight[i] * (v[i] - target[i]) * (v[i] - target[i]);
        return Graph.record("quadratic", Tensor.scalar((float) s), (grad, needs) -> {
            float gs = grad.item();
            float[] g = new float[v.length];
            for (int i = 0; i < v.length; i++) g[i] = gs * weight[i] * (v[i] - target[i]);
            return new Tensor[] {Tensor.of(g, p.shape())};
        }, p);
    }
}
