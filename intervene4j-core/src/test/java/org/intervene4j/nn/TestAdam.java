package org.intervene4j.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;

/**
 * Plain Adam for the learning tests of this package, so they do not depend on the optimizer
 * package. TODO(lead): once org.intervene4j.train.AdamW is merged, the tests may use it instead.
 */
final class TestAdam {
    private final List<Tensor> params;
    private final List<float[]> m = new ArrayList<>();
    private final List<float[]> v = new ArrayList<>();
    private int t;

    TestAdam(Map<String, Tensor> parameters) {
        this.params = new ArrayList<>(parameters.values());
        for (Tensor p : params) {
            m.add(new float[p.numel()]);
            v.add(new float[p.numel()]);
        }
    }

    /** One Adam update (betas 0.9, 0.999), then clears the gradients. */
    void step(float lr) {
        t++;
        double c1 = 1 - Math.pow(0.9, t);
        double c2 = 1 - Math.pow(0.999, t);
        try (GradMode off = GradMode.off()) {
            for (int k = 0; k < params.size(); k++) {
                Tensor p = params.get(k);
                if (p.grad() == null) continue;
                float[] w = p.data();
                float[] g = p.grad().data();
                int go = p.grad().offset();
                float[] mk = m.get(k);
                float[] vk = v.get(k);
                for (int i = 0; i < mk.length; i++) {
                    float gi = g[go + i];
                    mk[i] = 0.9f * mk[i] + 0.1f * gi;
                    vk[i] = 0.999f * vk[i] + 0.001f * gi * gi;
                    w[p.offset() + i] -= (float) (lr * (mk[i] / c1) / (Math.sqrt(vk[i] / c2) + 1e-8));
                }
                p.zeroGrad();
            }
        }
    }
}
