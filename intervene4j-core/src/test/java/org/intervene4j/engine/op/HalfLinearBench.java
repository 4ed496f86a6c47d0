package org.intervene4j.engine.op;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.HalfFormat;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * fp32 vs half-precision weights in {@code linear} (a utility, not a test): {@code x [m, 2048]}
 * times a {@code [8192, 2048]} weight in nn.Linear layout (and the Conv1D layout, read through a
 * transposed view), for a decode step (m = 1, memory-bound) and a prompt (m = 128,
 * compute-bound). Run on JDK 25:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.intervene4j.engine.op.HalfLinearBench [threads...]}.
 */
public final class HalfLinearBench {
    private static final int OUT = 8192;
    private static final int IN = 2048;

    private HalfLinearBench() {}

    public static void main(String[] args) {
        int[] threadCounts = args.length == 0 ? new int[] {1, 2} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Random rng = new Random(1);
        Tensor w = Tensor.randn(rng, 0.02f, OUT, IN);                 // nn.Linear [out, in]
        Tensor wConv = w.transpose(0, 1).contiguous();                 // Conv1D [in, out]
        HalfMatrix bf16 = HalfMatrix.round(w, HalfFormat.BF16);
        HalfMatrix f16 = HalfMatrix.round(w, HalfFormat.F16);
        HalfMatrix bf16Conv = HalfMatrix.round(wConv, HalfFormat.BF16).transpose();
        HalfMatrix f16Conv = HalfMatrix.round(wConv, HalfFormat.F16).transpose();
        try (GradMode off = GradMode.off()) {
            for (int threads : threadCounts) {
                WorkerPool.setGlobalThreads(threads);
                for (int m : new int[] {1, 128}) {
                    Tensor x = Tensor.randn(rng, 1f, m, IN);
                    System.out.printf("threads=%d  [%d x %d] x [%d x %d]^T%n", threads, m, IN, OUT, IN);
                    report("fp32 linear  [out,in]", m, () -> Ops.linear(x, w, null));
                    report("bf16 linear  [out,in]", m, () -> Ops.linear(x, bf16, null));
                    report("f16  linear  [out,in]", m, () -> Ops.linear(x, f16, null));
                    report("fp32 conv1d  [in,out]", m, () -> Ops.linear(x, wConv.transpose(0, 1), null));
                    report("bf16 conv1d  [in,out]", m, () -> Ops.linear(x, bf16Conv, null));
                    report("f16  conv1d  [in,out]", m, () -> Ops.linear(x, f16Conv, null));
                }
            }
        }
    }

    private static void report(String what, int m, Supplier<Tensor> op) {
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < 1_000_000_000L) op.get();
        int reps = 0;
        double best = Double.MAX_VALUE;
        long start = System.nanoTime();
        while (System.nanoTime() - start < 2_000_000_000L || reps < 5) {
            long t0 = System.nanoTime();
            op.get();
            best = Math.min(best, System.nanoTime() - t0);
            reps++;
        }
        double avg = (System.nanoTime() - start) / (double) reps;
        double flops = 2.0 * m * OUT * IN;
        System.out.printf("  %-22s best %8.3f ms  avg %8.3f ms  %6.1f GFLOP/s (best)%n", what, best / 1e6, avg / 1e6, flops / best);
    }
}
