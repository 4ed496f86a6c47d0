package org.intervene4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's fp32 fused-multiply-add peak with the Vector API: each thread runs
 * {@value #CHAINS} independent FMA chains on {@code SPECIES_PREFERRED} vectors (enough to cover
 * FMA latency times the number of FMA pipes, e.g. 4 cycles x 2 pipes on Zen 5), so the loop is
 * throughput-bound and touches no memory. One FMA counts as 2 flops per lane.
 *
 * <p>The multi-thread figure runs all threads at the same time and divides the total flops by
 * the wall time; it is the "peak" our GEMM numbers are compared against.
 */
public final class FmaPeakProbe {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 12;
    /** FMAs per chain per call of {@link #burst}; small enough to call often, big enough to amortize. */
    private static final int BURST = 4096;

    /**
     * Result of one probe: GFLOP/s over all threads (wall time) and per thread, plus the flops
     * per second of CPU time each thread actually got; when the wall-time figure falls well
     * below {@code threads * gflopsPerCpuSecond}, other processes were using the cores.
     */
    public record Peak(int threads, double gflops, double gflopsPerThread, double gflopsPerCpuSecond,
                       int vectorBits, double lastTrialGflops) {
        /** True when the threads got less than 80% of the wall time on their cores. */
        public boolean contended() {
            return gflops < 0.8 * threads * gflopsPerCpuSecond;
        }
    }

    /** One trial's throughput by wall time and by the CPU time the threads got. */
    private record Trial(double wallGflops, double cpuGflops) {}

    private static volatile float sink;

    private FmaPeakProbe() {}

    /**
     * Idle time before a probe's trials. On the development VM a core running nothing but FMAs
     * drops to about half its rate after about a second (measured: one thread 212, 178, then
     * 108 GFLOP/s in consecutive 0.5 s trials, 211 again after 1-2.5 s idle; two threads 395
     * then 301), so trials right after other trials read the throttled rate: the two-thread
     * probe, run right after the one-thread trials, read about one core's worth (222 GFLOP/s).
     * The pause does not always restore the full rate (the two-thread probe read 201-308 after
     * it in some runs, 377-395 in a fresh process): the throttling is the host's, and the GEMM
     * bench takes its peak from the one-thread probe.
     */
    static final long REST_MILLIS = 3000;

    /**
     * Best of {@code trials} trials of {@code trialSeconds} each, with {@code threads} threads
     * running simultaneously, after {@link #REST_MILLIS} idle; the last trial's rate is kept too
     * (the rate once a core has run FMAs for {@code trials * trialSeconds} seconds).
     */
    public static Peak measure(int threads, int trials, double trialSeconds) throws Exception {
        warmUp();
        Thread.sleep(REST_MILLIS);
        double best = 0;
        double bestCpu = 0;
        double last = 0;
        for (int t = 0; t < trials; t++) {
            Trial r = trial(threads, trialSeconds);
            best = Math.max(best, r.wallGflops());
            bestCpu = Math.max(bestCpu, r.cpuGflops());
            last = r.wallGflops();
        }
        return new Peak(threads, best, best / threads, bestCpu, SPECIES.vectorBitSize(), last);
    }

    /** Gets {@link #burst} compiled by C2 before any timed trial. */
    private static void warmUp() {
        float s = 0;
        long end = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < end) s += burst(0.999f);
        sink = s;
    }

    /** One trial: GFLOP/s of all threads together over the wall time of the slowest one. */
    private static Trial trial(int threads, double seconds) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        long[] bursts = new long[threads];
        long[] cpuNanos = new long[threads];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Thread[] workers = new Thread[threads];
        long durationNanos = (long) (seconds * 1e9);
        for (int i = 0; i < threads; i++) {
            final int id = i;
            workers[i] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                long cpu0 = mx.getCurrentThreadCpuTime();
                long end = System.nanoTime() + durationNanos;
                float s = 0;
                long n = 0;
                while (System.nanoTime() < end) {
                    s += burst(0.999f);
                    n++;
                }
                bursts[id] = n;
                cpuNanos[id] = mx.getCurrentThreadCpuTime() - cpu0;
                sink = s;
            }, "fma-probe-" + i);
            workers[i].start();
        }
        start.await();
        long t0 = System.nanoTime();
        for (Thread w : workers) w.join();
        double wall = (System.nanoTime() - t0) / 1e9;
        long totalBursts = 0;
        long totalCpu = 0;
        for (int i = 0; i < threads; i++) {
            totalBursts += bursts[i];
            totalCpu += cpuNanos[i];
        }
        double flopsPerBurst = (double) BURST * CHAINS * SPECIES.length() * 2.0;
        double flops = totalBursts * flopsPerBurst;
        return new Trial(flops / wall / 1e9, flops / (totalCpu / 1e9) / 1e9);
    }

    /**
     * {@value #BURST} rounds of one FMA on each of {@value #CHAINS} independent accumulators:
     * {@code acc = acc * m + c}, which converges (no overflow, no denormals) for {@code m < 1}.
     */
    static float burst(float multiplier) {
        FloatVector m = FloatVector.broadcast(SPECIES, multiplier);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0.1f), a1 = FloatVector.broadcast(SPECIES, 0.2f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 0.3f), a3 = FloatVector.broadcast(SPECIES, 0.4f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 0.5f), a5 = FloatVector.broadcast(SPECIES, 0.6f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 0.7f), a7 = FloatVector.broadcast(SPECIES, 0.8f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 0.9f), a9 = FloatVector.broadcast(SPECIES, 1.0f);
        FloatVector a10 = FloatVector.broadcast(SPECIES, 1.1f), a11 = FloatVector.broadcast(SPECIES, 1.2f);
        for (int i = 0; i < BURST; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5)
                .add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return s.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
