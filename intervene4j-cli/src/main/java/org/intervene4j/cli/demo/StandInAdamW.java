package org.intervene4j.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;

/**
 * A minimal AdamW with global-norm gradient clipping, standing in until
 * {@code org.intervene4j.train.AdamW} is merged.
 * TODO(lead): replace with org.intervene4j.train.AdamW (param groups: decay on matrices only)
 * and its clipping and warmup-cosine schedule; {@link ReversalTraining} is the only user.
 */
final class StandInAdamW {
    private final List<Tensor> params = new ArrayList<>();
    private final List<float[]> m = new ArrayList<>();
    private final List<float[]> v = new ArrayList<>();
    private final List<Boolean> decay = new ArrayList<>();
    private final float beta1 = 0.9f;
    private final float beta2 = 0.999f;
    private final float eps = 1e-8f;
    private final float weightDecay;
    private int t;

    /** Decoupled weight decay applies to matrices (rank >= 2) only, not to norms and biases. */
    StandInAdamW(Map<String, Tensor> parameters, float weightDecay) {
        this.weightDecay = weightDecay;
        for (Tensor p : parameters.values()) {
            params.add(p);
            m.add(new float[p.numel()]);
            v.add(new float[p.numel()]);
            decay.add(p.dim() >= 2);
        }
    }

    /** Scales gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    double clipGradNorm(double maxNorm) {
        double sq = 0;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            for (float g : p.grad().toFloatArray()) sq += (double) g * g;
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float s = (float) (maxNorm / (norm + 1e-6));
            for (Tensor p : params) {
                if (p.grad() == null) continue;
                float[] g = p.grad().data();
                int off = p.grad().offset();
                for (int i = 0; i < p.numel(); i++) g[off + i] *= s;
            }
        }
        return norm;
    }

    /** One update with learning rate {@code lr}; gradients are then cleared. */
    void step(float lr) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        try (GradMode off = GradMode.off()) {
            for (int k = 0; k < params.size(); k++) {
                Tensor p = params.get(k);
                if (p.grad() == null) continue;
                float[] w = p.data();
                int wo = p.offset();
                float[] g = p.grad().data();
                int go = p.grad().offset();
                float[] mk = m.get(k);
                float[] vk = v.get(k);
                float wd = decay.get(k) ? weightDecay : 0f;
                for (int i = 0; i < mk.length; i++) {
                    float gi = g[go + i];
                    mk[i] = beta1 * mk[i] + (1 - beta1) * gi;
                    vk[i] = beta2 * vk[i] + (1 - beta2) * gi * gi;
                    double update = (mk[i] / c1) / (Math.sqrt(vk[i] / c2) + eps);
                    w[wo + i] -= (float) (lr * (update + wd * w[wo + i]));
                }
                p.zeroGrad();
            }
        }
    }
}
