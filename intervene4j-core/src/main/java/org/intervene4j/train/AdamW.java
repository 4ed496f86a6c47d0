package org.intervene4j.train;

import java.util.List;
import org.intervene4j.engine.Tensor;

/**
 * Adam with decoupled weight decay: each step first shrinks the parameter,
 * {@code p *= 1 - lr * weightDecay}, then applies the Adam update from the raw gradient (the
 * decay does not pass through the moments).
 */
public final class AdamW extends Adam {
    /** AdamW with the given default betas and eps (groups may override them). */
    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super("AdamW", groups, beta1, beta2, eps, true);
    }

    /** AdamW with betas (0.9, 0.999) and eps 1e-8. */
    public AdamW(List<ParamGroup> groups) {
        this(groups, 0.9, 0.999, 1e-8);
    }

    /** AdamW with default betas and weight decay 0.01 over {@code params} with learning rate {@code lr}. */
    public static AdamW of(double lr, Tensor... params) {
        return of(lr, 0.01, params);
    }

    /** AdamW with default betas over {@code params}, learning rate {@code lr}, weight decay {@code wd}. */
    public static AdamW of(double lr, double weightDecay, Tensor... params) {
        return new AdamW(List.of(ParamGroup.builder("params").add(params).lr(lr).weightDecay(weightDecay).build()));
    }
}
