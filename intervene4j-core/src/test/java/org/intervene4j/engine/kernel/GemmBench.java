package org.intervene4j.engine.kernel;

import java.util.Random;

/**
 * Throughput of {@link Gemm#multiply} on transformer-sized shapes (a utility, not a test).
 * Run on JDK 25: {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.intervene4j.engine.kernel.GemmBench [threads...]}.
 */
public final class GemmBench {
    private GemmBench() {}

    public static void main(String[] args) {
        // {m, n, k}; the last is one decode step through an MLP's first layer (the thin path).
        int[][] shapes = {{512, 768, 768}, {1024, 1024, 1024}, {64, 768, 768}, {64, 3072, 768}, {1, 3072, 768}};
        int[] threadCounts = args.length == 0 ? new int[] {1, 2} : parse(args);
        String only = System.getProperty("shape");
        warmUp();
        for (int threads : threadCounts) {
            WorkerPool.setGlobalThreads(threads);
            for (int[] s : shapes) {
                if (only != null && !only.equals(s[0] + "x" + s[1] + "x" + s[2])) continue;
                run(s[0], s[1], s[2], threads);
            }
            if (only == null || only.equals("attn")) attentionScores(24, 128, 64, threads);
        }
    }

    /** {@code Q [batch, seq, d] @ K^T} with K stored {@code [batch, seq, d]} (read transposed). */
    private static void attentionScores(int batch, int seq, int d, int threads) {
        Random rng = new Random(2);
        float[] q = new float[batch * seq * d];
        float[] kk = new float[batch * seq * d];
        float[] c = new float[batch * seq * seq];
        for (int i = 0; i < q.length; i++) {
            q[i] = rng.nextFloat();
            kk[i] = rng.nextFloat();
        }
        int[] qOffs = new int[batch];
        int[] cOffs = new int[batch];
        for (int t = 0; t < batch; t++) {
            qOffs[t] = t * seq * d;
            cOffs[t] = t * seq * seq;
        }
        Runnable once = () -> Gemm.multiplyBatched(batch, seq, seq, d, q, qOffs, d, 1, kk, qOffs, 1, d, c, cOffs, seq, false);
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < 500_000_000L) once.run();
        double best = Double.MAX_VALUE;
        long start = System.nanoTime();
        int reps = 0;
        while (System.nanoTime() - start < 1_000_000_000L) {
            long t0 = System.nanoTime();
            once.run();
            best = Math.min(best, System.nanoTime() - t0);
            reps++;
        }
        double flops = 2.0 * batch * seq * seq * d;
        double avg = (System.nanoTime() - start) / (double) reps;
        System.out.printf("threads=%d  batched [%d, %d, %d] @ K^T  wall: best %.1f avg %.1f GFLOP/s%n",
                threads, batch, seq, d, flops / best, flops / avg);
    }

    /** Small products until the kernels are JIT-compiled, so the first shape is not penalized. */
    private static void warmUp() {
        int s = 96;
        float[] a = new float[s * s];
        float[] b = new float[s * s];
        float[] c = new float[s * s];
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 3_000_000_000L) {
            Gemm.multiply(s, s, s, a, 0, s, 1, b, 0, s, 1, c, 0, s, false);
            Gemm.multiply(s, s, s, a, 0, 1, s, b, 0, 1, s, c, 0, s, true);
            Gemm.multiply(s - 7, s - 5, s - 3, a, 0, s, 1, b, 0, s, 1, c, 0, s, true);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static int[] parse(String[] args) {
        int[] t = new int[args.length];
        for (int i = 0; i < args.length; i++) t[i] = Integer.parseInt(args[i]);
        return t;
    }

    /** m x k times k x n, B row-major (as a weight read by matmul). */
    private static void run(int m, int n, int k, int threads) {
        Random rng = new Random(1);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = rng.nextFloat();
        double flops = 2.0 * m * n * k;
        long budget = 1_500_000_000L;
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < 700_000_000L) {
            Gemm.multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
        }
        double best = Double.MAX_VALUE;
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        int reps = 0;
        while (System.nanoTime() - start < budget) {
            long t0 = System.nanoTime();
            Gemm.multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
            best = Math.min(best, System.nanoTime() - t0);
            reps++;
        }
        double avg = (System.nanoTime() - start) / (double) reps;
        double cpuPerRep = (processCpuNanos() - cpu0) / (double) reps;
        // On a shared machine wall time includes other tenants' slices; CPU time per core does not.
        System.out.printf("threads=%d  [%dx%d]x[%dx%d]  wall: best %.1f avg %.1f GFLOP/s (%.3f ms)"
                        + "  cpu-time: %.1f GFLOP/s per busy core%n",
                threads, m, k, k, n, flops / best, flops / avg, avg / 1e6, flops / cpuPerRep);
    }
}
