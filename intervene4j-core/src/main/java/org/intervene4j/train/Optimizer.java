package org.intervene4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Updates parameter groups in place from their accumulated gradients.
 *
 * <p>Updates work directly on the parameters' float arrays, outside autograd, so
 * {@link #step()} may be called with grad mode on or off. Parameters whose gradient is null
 * (not reached by the last backward) are skipped and their state is left unchanged. State
 * (momentum buffers, Adam moments) lives outside any arena.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private long steps;

    protected Optimizer(String name, List<ParamGroup> groups) {
        if (groups == null || groups.isEmpty()) {
            throw new IllegalArgumentException(name + ": at least one param group is needed");
        }
        Map<Tensor, String> owner = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                String prev = owner.put(p, g.name());
                if (prev != null) {
                    throw new IllegalArgumentException(name + ": a parameter " + java.util.Arrays.toString(p.shape())
                            + " is in both group '" + prev + "' and group '" + g.name() + "'");
                }
            }
        }
        this.groups = Collections.unmodifiableList(new ArrayList<>(groups));
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                Tensor grad = p.grad();
                if (grad == null) continue;
                update(g, p, grad);
            }
        }
        steps++;
    }

    /** Updates one parameter of group {@code g} from its gradient (same shape, contiguous). */
    protected abstract void update(ParamGroup g, Tensor param, Tensor grad);

    /**
     * Forgets every parameter's gradient (sets it to null, like PyTorch's default): a parameter
     * that the next backward does not reach is then skipped by {@link #step}, instead of being
     * moved by stale momentum.
     */
    public final void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) p.clearGrad();
        }
    }

    /** The groups, in order. */
    public final List<ParamGroup> groups() {
        return groups;
    }

    /** Every parameter of every group. */
    public final List<Tensor> params() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) all.addAll(g.params());
        return all;
    }

    /** The current learning rate of group {@code i}. */
    public final double lr(int group) {
        return groups.get(checkGroup(group)).lr();
    }

    /** Sets the current learning rate of group {@code i} (schedules call this each step). */
    public final void setLr(int group, double lr) {
        groups.get(checkGroup(group)).setLr(lr);
    }

    /** Sets every group's current learning rate to {@code factor} times its base rate. */
    public final void scaleLr(double factor) {
        for (ParamGroup g : groups) g.setLr(g.baseLr() * factor);
    }

    /** How many times {@link #step()} ran. */
    public final long steps() {
        return steps;
    }

    private int checkGroup(int i) {
        if (i < 0 || i >= groups.size()) {
            throw new IndexOutOfBoundsException("optimizer: group " + i + " out of range (" + groups.size() + " groups)");
        }
        return i;
    }

    /** Checks a hyper-parameter in [0, 1). */
    static double checkUnit(String optimizer, String option, double v, String group) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(optimizer + ": " + option + " must be in [0, 1), got " + v
                    + (group == null ? "" : " (group '" + group + "')"));
        }
        return v;
    }

    /** Checks a strictly positive finite hyper-parameter. */
    static double checkPositive(String optimizer, String option, double v, String group) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException(optimizer + ": " + option + " must be a finite number > 0, got " + v
                    + (group == null ? "" : " (group '" + group + "')"));
        }
        return v;
    }
}
