package org.intervene4j.train;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Adam with bias correction. Per step t (counted per parameter, from 1):
 * {@code g = grad + weightDecay * p} (L2 decay, coupled; {@link AdamW} decouples it),
 * {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;}
 * {@code p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)}.
 */
public class Adam extends Optimizer {
    /** Moments of one parameter. */
    private static final class State {
        final Tensor m;
        final Tensor v;
        long t;

        State(int[] shape) {
            m = Tensor.zerosPersistent(shape);
            v = Tensor.zerosPersistent(shape);
        }
    }

    private final String name;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;
    private final Map<Tensor, State> state = new IdentityHashMap<>();

    /** Adam with the given default betas and eps (groups may override them). */
    public Adam(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        this("Adam", groups, beta1, beta2, eps, false);
    }

    /** Adam with betas (0.9, 0.999) and eps 1e-8. */
    public Adam(List<ParamGroup> groups) {
        this(groups, 0.9, 0.999, 1e-8);
    }

    Adam(String name, List<ParamGroup> groups, double beta1, double beta2, double eps, boolean decoupled) {
        super(name, groups);
        this.name = name;
        this.beta1 = Optimizer.checkUnit(name, "beta1", beta1, null);
        this.beta2 = Optimizer.checkUnit(name, "beta2", beta2, null);
        this.eps = Optimizer.checkPositive(name, "eps", eps, null);
        this.decoupled = decoupled;
        for (ParamGroup g : groups) {
            Optimizer.checkUnit(name, "beta1", b1(g), g.name());
            Optimizer.checkUnit(name, "beta2", b2(g), g.name());
            Optimizer.checkPositive(name, "eps", eps(g), g.name());
            if (g.momentum() != null) {
                throw new IllegalArgumentException(name + ": group '" + g.name()
                        + "' sets momentum, which " + name + " does not use (set betas instead)");
            }
        }
    }

    /** Adam with default betas over {@code params} with learning rate {@code lr}. */
    public static Adam of(double lr, Tensor... params) {
        return new Adam(List.of(ParamGroup.of(lr, params)));
    }

    private double b1(ParamGroup g) {
        return g.beta1() != null ? g.beta1() : beta1;
    }

    private double b2(ParamGroup g) {
        return g.beta2() != null ? g.beta2() : beta2;
    }

    private double eps(ParamGroup g) {
        return g.eps() != null ? g.eps() : eps;
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad) {
        State s = state.computeIfAbsent(param, p -> new State(p.shape()));
        s.t++;
        double b1 = b1(g);
        double b2 = b2(g);
        double lr = g.lr();
        double bc1 = 1 - Math.pow(b1, s.t);
        double bc2 = 1 - Math.pow(b2, s.t);
        double wd = g.weightDecay();
        float decay = decoupled ? (float) (1 - lr * wd) : 1f;
        float l2 = decoupled ? 0f : (float) wd;
        UpdateKernels.adam(param.data(), param.offset(), grad.data(), grad.offset(), s.m.data(), s.v.data(),
                param.numel(), decay, l2, (float) b1, (float) (1 - b1), (float) b2, (float) (1 - b2),
                (float) (lr / bc1), (float) (1 / Math.sqrt(bc2)), (float) eps(g));
    }

    /** First moment of {@code param}, or null before its first step. */
    public Tensor firstMoment(Tensor param) {
        State s = state.get(param);
        return s == null ? null : s.m;
    }

    /** Second moment of {@code param}, or null before its first step. */
    public Tensor secondMoment(Tensor param) {
        State s = state.get(param);
        return s == null ? null : s.v;
    }

    @Override
    public String toString() {
        return name + "[beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ", groups=" + groups() + "]";
    }
}
