package org.intervene4j.bench;

import java.util.Arrays;

/** Wall-clock timing helpers: warm-up, then the median of repeated samples. */
public final class Timing {
    private Timing() {}

    /** Something to time; may throw (a stub op, a native error). */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step} {@code warmup} times, then {@code runs} times, and returns the median
     * duration of the timed runs in milliseconds. Use for steps that each take milliseconds.
     */
    public static double medianMillis(Step step, int warmup, int runs) throws Exception {
        for (int i = 0; i < warmup; i++) step.run();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    /**
     * Seconds per call of a short operation: warms up for {@code warmupSeconds}, picks an
     * iteration count so one sample lasts about {@code sampleSeconds}, and returns the median of
     * {@code samples} samples (each sample's time divided by its iteration count).
     */
    public static double secondsPerCall(Step op, double warmupSeconds, double sampleSeconds, int samples)
            throws Exception {
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long calls = 0;
        long t0 = System.nanoTime();
        do {
            op.run();
            calls++;
        } while (System.nanoTime() < warmEnd);
        double perCall = (System.nanoTime() - t0) / 1e9 / calls;
        int iters = (int) Math.max(1, Math.min(1_000_000, Math.round(sampleSeconds / perCall)));
        double[] per = new double[samples];
        for (int s = 0; s < samples; s++) {
            long start = System.nanoTime();
            for (int i = 0; i < iters; i++) op.run();
            per[s] = (System.nanoTime() - start) / 1e9 / iters;
        }
        return median(per);
    }

    /**
     * Idle time before a side's timed work when two engines race in one process: OpenBLAS's
     * worker threads (libtorch's fp32 matmul) keep spinning on the cores for about 0.1 s after
     * each call, and our pool spins briefly too, so the side timed right after the other one
     * would otherwise start with a core taken. Measured on the model benchmark: our 128-token
     * GPT-2 prefill took 0.19 s right after libtorch's decode and 0.09 s on its own.
     */
    public static final long SETTLE_MILLIS = 300;

    /** Sleeps {@link #SETTLE_MILLIS} (untimed) so the other side's threads have gone idle. */
    public static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A full collection between warm-up and timing (untimed). The warm-up leaves the weights'
     * packed copies (as large as the model) and the JIT's boxing garbage in the young
     * generation; the next young collection would copy them and, on this VM where growing the
     * heap pre-touches its new pages, pause 2-5 s inside a timed run (seen in GC logs).
     */
    public static void collectGarbage() {
        System.gc();
    }

    /** The median of {@code values} (mean of the middle two for an even count). */
    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
}
