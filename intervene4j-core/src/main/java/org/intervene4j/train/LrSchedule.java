package org.intervene4j.train;

/**
 * A learning-rate multiplier per step: linear warmup from 0 over {@code warmup} steps, then
 * constant, linear decay or cosine decay to {@code floor} (a fraction of the base rate) at
 * step {@code total}, held after that. Steps count from 0 and follow the common convention
 * factor(step) = step / warmup during warmup (so step 0 uses rate 0).
 *
 * <pre>{@code
 * LrSchedule schedule = LrSchedule.warmupCosine(100, 10_000, 0.1);
 * for (long step = 0; step < 10_000; step++) {
 *     schedule.apply(optimizer);   // every group: lr = baseLr * factor(optimizer.steps())
 *     ... backward ...; optimizer.step(); optimizer.zeroGrad();
 * }
 * }</pre>
 */
public final class LrSchedule {
    private enum Decay { CONSTANT, LINEAR, COSINE }

    private final long warmup;
    private final long total;
    private final double floor;
    private final Decay decay;

    private LrSchedule(String what, long warmup, long total, double floor, Decay decay) {
        if (warmup < 0) throw new IllegalArgumentException("LrSchedule." + what + ": warmup must be >= 0, got " + warmup);
        if (decay != Decay.CONSTANT && total < warmup) {
            throw new IllegalArgumentException("LrSchedule." + what + ": total (" + total
                    + ") must be >= warmup (" + warmup + ")");
        }
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("LrSchedule." + what + ": floor must be in [0, 1], got " + floor);
        }
        this.warmup = warmup;
        this.total = total;
        this.floor = floor;
        this.decay = decay;
    }

    /** Factor 1 at every step. */
    public static LrSchedule constant() {
        return new LrSchedule("constant", 0, 0, 1, Decay.CONSTANT);
    }

    /** Linear warmup over {@code warmup} steps, then factor 1. */
    public static LrSchedule warmupConstant(long warmup) {
        return new LrSchedule("warmupConstant", warmup, 0, 1, Decay.CONSTANT);
    }

    /** Linear warmup, then linear decay to {@code floor} at step {@code total}. */
    public static LrSchedule warmupLinear(long warmup, long total, double floor) {
        return new LrSchedule("warmupLinear", warmup, total, floor, Decay.LINEAR);
    }

    /** Linear warmup, then cosine decay to {@code floor} at step {@code total}. */
    public static LrSchedule warmupCosine(long warmup, long total, double floor) {
        return new LrSchedule("warmupCosine", warmup, total, floor, Decay.COSINE);
    }

    /** The multiplier of the base learning rate at {@code step} (0-based). */
    public double factor(long step) {
        if (step < 0) throw new IllegalArgumentException("LrSchedule: step must be >= 0, got " + step);
        if (step < warmup) return (double) step / warmup;
        if (decay == Decay.CONSTANT) return 1.0;
        double p = total == warmup ? 1.0 : Math.min(1.0, (double) (step - warmup) / (total - warmup));
        double shape = decay == Decay.LINEAR ? 1 - p : 0.5 * (1 + Math.cos(Math.PI * p));
        return floor + (1 - floor) * shape;
    }

    /** Sets every group's current learning rate to its base rate times {@link #factor(long) factor(step)}. */
    public void apply(Optimizer optimizer, long step) {
        optimizer.scaleLr(factor(step));
    }

    /**
     * Applies the factor for the optimizer's next step ({@link Optimizer#steps()} updates done so
     * far); call it before each {@link Optimizer#step()}.
     */
    public void apply(Optimizer optimizer) {
        apply(optimizer, optimizer.steps());
    }

    /** This schedule as a {@link ScalarSchedule} of the factor. */
    public ScalarSchedule asScalar() {
        return this::factor;
    }
}
