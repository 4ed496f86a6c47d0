package org.intervene4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;

/**
 * A set of trainable leaf tensors that share a learning rate, a weight decay and optionally
 * their own optimizer hyper-parameters ({@code momentum} for {@link Sgd}, {@code beta1},
 * {@code beta2}, {@code eps} for {@link Adam}); an unset option takes the optimizer's default.
 *
 * <p>The learning rate given here is the group's <em>base</em> rate; {@link Optimizer#setLr}
 * (and so an {@link LrSchedule}) changes the current rate without touching the base.
 *
 * <pre>{@code
 * ParamGroup rotation = ParamGroup.builder("rotation").add(orthogonal.weight()).lr(1e-3).build();
 * }</pre>
 */
public final class ParamGroup {
    private final String name;
    private final List<Tensor> params;
    private final double baseLr;
    private final double weightDecay;
    private final Double momentum;
    private final Double beta1;
    private final Double beta2;
    private final Double eps;
    /** The learning rate in use now; schedules set it. */
    private double lr;

    private ParamGroup(Builder b) {
        this.name = b.name;
        this.params = Collections.unmodifiableList(new ArrayList<>(b.params));
        this.baseLr = b.lr;
        this.lr = b.lr;
        this.weightDecay = b.weightDecay;
        this.momentum = b.momentum;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
    }

    /** A builder for a group called {@code name} (used in error messages). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A group of {@code params} with learning rate {@code lr} and no weight decay. */
    public static ParamGroup of(double lr, Tensor... params) {
        return builder("params").add(params).lr(lr).build();
    }

    public String name() {
        return name;
    }

    /** The parameters, in the order they were added. */
    public List<Tensor> params() {
        return params;
    }

    /** The learning rate the group was built with (schedules scale this). */
    public double baseLr() {
        return baseLr;
    }

    /** The learning rate the next {@link Optimizer#step()} uses. */
    public double lr() {
        return lr;
    }

    void setLr(double value) {
        checkLr("lr", value, name);
        lr = value;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** The group's momentum, or null to use the optimizer's. */
    public Double momentum() {
        return momentum;
    }

    /** The group's Adam beta1, or null to use the optimizer's. */
    public Double beta1() {
        return beta1;
    }

    /** The group's Adam beta2, or null to use the optimizer's. */
    public Double beta2() {
        return beta2;
    }

    /** The group's Adam eps, or null to use the optimizer's. */
    public Double eps() {
        return eps;
    }

    static void checkLr(String option, double value, String group) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException("param group '" + group + "': " + option
                    + " must be a finite number >= 0, got " + value);
        }
    }

    @Override
    public String toString() {
        return "ParamGroup[" + name + ", " + params.size() + " params, lr=" + lr + ", weightDecay=" + weightDecay + "]";
    }

    /** Collects the parameters and options of one group; {@link #build()} validates them. */
    public static final class Builder {
        private final String name;
        private final List<Tensor> params = new ArrayList<>();
        private double lr = Double.NaN;
        private double weightDecay = 0;
        private Double momentum;
        private Double beta1;
        private Double beta2;
        private Double eps;

        private Builder(String name) {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("param group: name must not be blank");
            this.name = name;
        }

        /** Adds trainable leaf tensors (they must require grad and be contiguous). */
        public Builder add(Tensor... tensors) {
            params.addAll(Arrays.asList(tensors));
            return this;
        }

        public Builder add(List<Tensor> tensors) {
            params.addAll(tensors);
            return this;
        }

        /** The base learning rate (required, >= 0). */
        public Builder lr(double value) {
            lr = value;
            return this;
        }

        /** Weight decay (>= 0; L2 for {@link Sgd} and {@link Adam}, decoupled for {@link AdamW}). */
        public Builder weightDecay(double value) {
            weightDecay = value;
            return this;
        }

        /** Momentum for {@link Sgd}, in [0, 1). */
        public Builder momentum(double value) {
            momentum = value;
            return this;
        }

        /** Adam's betas, each in [0, 1). */
        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        /** Adam's eps (> 0). */
        public Builder eps(double value) {
            eps = value;
            return this;
        }

        /** Validates and builds the group. */
        public ParamGroup build() {
            if (Double.isNaN(lr)) {
                throw new IllegalArgumentException("param group '" + name + "': lr was not set (call lr(...))");
            }
            checkLr("lr", lr, name);
            if (!Double.isFinite(weightDecay) || weightDecay < 0) {
                throw new IllegalArgumentException("param group '" + name + "': weightDecay must be a finite number >= 0, got "
                        + weightDecay);
            }
            if (params.isEmpty()) {
                throw new IllegalArgumentException("param group '" + name + "': no parameters (call add(...))");
            }
            Map<Tensor, Integer> seen = new IdentityHashMap<>();
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                String what = "param group '" + name + "': parameter " + i;
                if (p == null) throw new IllegalArgumentException(what + " is null");
                if (p.gradFn() != null) {
                    throw new IllegalArgumentException(what + " " + Shapes.str(p.shape()) + " is not a leaf (it was made by '" + p.op()
                            + "'); optimizers update leaf tensors only");
                }
                if (!p.requiresGrad()) {
                    throw new IllegalArgumentException(what + " " + Shapes.str(p.shape())
                            + " does not require grad; call requiresGrad(true) on it or leave it out");
                }
                if (!p.isContiguous()) {
                    throw new IllegalArgumentException(what + " " + Shapes.str(p.shape())
                            + " is a non-contiguous view; optimizers need contiguous parameters");
                }
                Integer prev = seen.put(p, i);
                if (prev != null) {
                    throw new IllegalArgumentException(what + " is the same tensor as parameter " + prev);
                }
            }
            return new ParamGroup(this);
        }
    }
}
