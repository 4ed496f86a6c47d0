package org.intervene4j.train;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight
 * decay. Per step, for each parameter with a gradient:
 * {@code g = grad + weightDecay * p; buf = mu * buf + g} (buf = g on the first step);
 * {@code g = nesterov ? g + mu * buf : buf; p -= lr * g}.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final Map<Tensor, Tensor> buffers = new IdentityHashMap<>();

    /**
     * @param momentum default momentum in [0, 1) (a group may set its own)
     * @param nesterov use Nesterov momentum (needs momentum > 0 in every group)
     */
    public Sgd(List<ParamGroup> groups, double momentum, boolean nesterov) {
        super("Sgd", groups);
        this.momentum = Optimizer.checkUnit("Sgd", "momentum", momentum, null);
        this.nesterov = nesterov;
        for (ParamGroup g : groups) {
            double mu = Optimizer.checkUnit("Sgd", "momentum", momentumOf(g), g.name());
            if (nesterov && mu == 0) {
                throw new IllegalArgumentException("Sgd: nesterov needs momentum > 0 (group '" + g.name() + "')");
            }
            if (g.beta1() != null || g.beta2() != null || g.eps() != null) {
                throw new IllegalArgumentException("Sgd: group '" + g.name()
                        + "' sets Adam options (betas/eps), which Sgd does not use");
            }
        }
    }

    /** Plain SGD over {@code params} with learning rate {@code lr}. */
    public static Sgd of(double lr, Tensor... params) {
        return new Sgd(List.of(ParamGroup.of(lr, params)), 0, false);
    }

    private double momentumOf(ParamGroup g) {
        return g.momentum() != null ? g.momentum() : momentum;
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad) {
        float mu = (float) momentumOf(g);
        int n = param.numel();
        Tensor buf = null;
        boolean first = false;
        if (mu != 0) {
            buf = buffers.get(param);
            if (buf == null) {
                buf = Tensor.zerosPersistent(param.shape());
                buffers.put(param, buf);
                first = true;
            }
        }
        UpdateKernels.sgd(param.data(), param.offset(), grad.data(), grad.offset(), buf == null ? null : buf.data(), n,
                (float) g.lr(), (float) g.weightDecay(), mu, nesterov, first);
    }

    /** The momentum buffer of {@code param}, or null before its first momentum step. */
    public Tensor momentumBuffer(Tensor param) {
        return buffers.get(param);
    }
}
