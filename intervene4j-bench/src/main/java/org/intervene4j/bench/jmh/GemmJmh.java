package org.intervene4j.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.intervene4j.engine.kernel.Gemm;
import org.intervene4j.engine.kernel.WorkerPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Gemm#multiply} on the GPT-2-small shapes, row-major operands, overwriting C.
 * Microseconds per call; GFLOP/s = {@code 2 m k n / (us * 1e3)}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmJmh {
    /** {@code m x k x n}. */
    @Param({"64x768x768", "64x768x3072", "512x768x768", "1024x1024x1024"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m, k, n;
    private float[] a, b, c;

    @Setup
    public void setUp() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        Random rng = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextGaussian();
        WorkerPool.setGlobalThreads(threads);
    }

    @Benchmark
    public float[] multiply() {
        Gemm.multiply(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
        return c;
    }
}
