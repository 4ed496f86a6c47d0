package org.intervene4j.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.engine.kernel.Gemm;
import org.intervene4j.engine.kernel.PackedPanels;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Times our {@link Gemm#multiply} against libtorch's {@code torch.matmul} on the matrix shapes
 * of a GPT-2-small layer (and one square reference shape), at each thread count.
 */
public final class GemmBench {
    /** One {@code [m, k] x [k, n]} product. */
    public record Shape(int m, int k, int n) {
        double flops() {
            return 2.0 * m * k * n;
        }

        @Override
        public String toString() {
            return "[" + m + "x" + k + "]x[" + k + "x" + n + "]";
        }
    }

    /** One row of the result: null GFLOP/s where that side could not run (e.g. a stub). */
    public record Result(int m, int k, int n, int threads, Double gflops, Double percent_of_peak,
                         Double libtorch_gflops, Double ratio_vs_libtorch, Double prepacked_gflops,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String error) {}

    /** The default shapes: attention/MLP projections at 64 and 512 rows, and 1024 cubed. */
    public static final List<Shape> DEFAULT_SHAPES = List.of(
            new Shape(64, 768, 768),
            new Shape(64, 768, 3072),
            new Shape(512, 768, 768),
            new Shape(1024, 1024, 1024));

    private final double warmupSeconds;
    private final double sampleSeconds;
    private final int samples;

    public GemmBench(double warmupSeconds, double sampleSeconds, int samples) {
        this.warmupSeconds = warmupSeconds;
        this.sampleSeconds = sampleSeconds;
        this.samples = samples;
    }

    /** Runs every shape at every thread count; percent_of_peak is against threads x {@code peakPerCore}. */
    public List<Result> run(List<Shape> shapes, int[] threadCounts, double peakPerCore) throws Exception {
        warmUpJit(shapes, threadCounts);
        List<Result> out = new ArrayList<>();
        for (int threads : threadCounts) {
            for (Shape s : shapes) {
                Double ours = null;
                Double prepacked = null;
                String error = null;
                try {
                    ours = s.flops() / ours(s, threads) / 1e9;
                    prepacked = s.flops() / oursPrepacked(s, threads) / 1e9;
                } catch (UnsupportedOperationException e) {
                    error = "ours: " + e.getMessage();
                } catch (RuntimeException e) {
                    e.printStackTrace();
                    error = "ours failed: " + e;
                }
                double lib = s.flops() / libtorch(s, threads) / 1e9;
                out.add(new Result(s.m(), s.k(), s.n(), threads, ours,
                        ours == null ? null : 100.0 * ours / (threads * peakPerCore),
                        lib, ours == null ? null : ours / lib, prepacked, error));
            }
        }
        return out;
    }

    /**
     * Runs our GEMM on every shape and thread count first, so the JIT has compiled all of its paths (thin and
     * packed) before the first timed sample; a per-shape warm-up alone can end while C2 is still
     * compiling the kernel, and then the first shape is timed in slower code.
     */
    private void warmUpJit(List<Shape> shapes, int[] threadCounts) throws Exception {
        for (int threads : threadCounts) {
            for (Shape s : shapes) {
                try {
                    ours(s, threads, warmupSeconds, 0.01, 1);
                } catch (UnsupportedOperationException e) {
                    return;
                }
            }
        }
    }

    /** Seconds per {@code Gemm.multiply} of shape s on a pool of {@code threads}. */
    double ours(Shape s, int threads) throws Exception {
        return ours(s, threads, warmupSeconds, sampleSeconds, samples);
    }

    /**
     * Seconds per product with B prepacked ({@link PackedPanels}, as frozen model weights are
     * held): the same product without packing B per call.
     */
    double oursPrepacked(Shape s, int threads) throws Exception {
        WorkerPool.setGlobalThreads(threads);
        Random rng = new Random(1);
        float[] a = random(rng, s.m() * s.k());
        PackedPanels b = PackedPanels.pack(random(rng, s.k() * s.n()), 0, s.n(), 1, s.k(), s.n());
        float[] c = new float[s.m() * s.n()];
        return Timing.secondsPerCall(() -> Gemm.multiply(s.m(), a, 0, s.k(), 1, b, c, 0, s.n(), false),
                warmupSeconds, sampleSeconds, samples);
    }

    private double ours(Shape s, int threads, double warmup, double sample, int count) throws Exception {
        WorkerPool.setGlobalThreads(threads);
        Random rng = new Random(1);
        float[] a = random(rng, s.m() * s.k());
        float[] b = random(rng, s.k() * s.n());
        float[] c = new float[s.m() * s.n()];
        return Timing.secondsPerCall(() -> Gemm.multiply(s.m(), s.n(), s.k(),
                a, 0, s.k(), 1,
                b, 0, s.n(), 1,
                c, 0, s.n(), false), warmup, sample, count);
    }

    /** Seconds per {@code torch.matmul} (allocating its output, as a user's call does). */
    double libtorch(Shape s, int threads) throws Exception {
        TorchSupport.setThreads(threads);
        Random rng = new Random(1);
        try (PointerScope outer = new PointerScope()) {
            Tensor a = TorchSupport.fromArray(random(rng, s.m() * s.k()), s.m(), s.k());
            Tensor b = TorchSupport.fromArray(random(rng, s.k() * s.n()), s.k(), s.n());
            return Timing.secondsPerCall(() -> {
                try (PointerScope step = new PointerScope()) {
                    torch.matmul(a, b);
                }
            }, warmupSeconds, sampleSeconds, samples);
        }
    }

    private static float[] random(Random rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }
}
