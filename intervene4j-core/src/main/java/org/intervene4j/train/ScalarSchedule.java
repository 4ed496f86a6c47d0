package org.intervene4j.train;

/**
 * A scalar that changes with the step count: a learning-rate factor, a temperature (Boundless
 * DAS anneals its boundary temperature 50 -> 0.1 linearly), a loss weight. Steps count from 0;
 * past the end a schedule holds its final value.
 */
@FunctionalInterface
public interface ScalarSchedule {
    /** The value at {@code step} (0-based). */
    double value(long step);

    /** Always {@code v}. */
    static ScalarSchedule constant(double v) {
        return step -> v;
    }

    /** From {@code start} at step 0 to {@code end} at step {@code steps}, linearly; then {@code end}. */
    static ScalarSchedule linear(double start, double end, long steps) {
        checkSteps("linear", steps);
        return step -> start + (end - start) * progress(step, steps);
    }

    /** From {@code start} to {@code end} along half a cosine over {@code steps} steps; then {@code end}. */
    static ScalarSchedule cosine(double start, double end, long steps) {
        checkSteps("cosine", steps);
        return step -> end + (start - end) * 0.5 * (1 + Math.cos(Math.PI * progress(step, steps)));
    }

    /** Geometric interpolation from {@code start} to {@code end} (both > 0) over {@code steps}; then {@code end}. */
    static ScalarSchedule exponential(double start, double end, long steps) {
        checkSteps("exponential", steps);
        if (!(start > 0 && end > 0)) {
            throw new IllegalArgumentException("ScalarSchedule.exponential: start and end must be > 0, got "
                    + start + " and " + end);
        }
        double logRatio = Math.log(end / start);
        return step -> start * Math.exp(logRatio * progress(step, steps));
    }

    /** Fraction of {@code steps} done at {@code step}, in [0, 1]. */
    private static double progress(long step, long steps) {
        if (step < 0) throw new IllegalArgumentException("schedule: step must be >= 0, got " + step);
        return steps == 0 ? 1.0 : Math.min(1.0, (double) step / steps);
    }

    private static void checkSteps(String what, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("ScalarSchedule." + what + ": steps must be >= 0, got " + steps);
        }
    }
}
