package org.intervene4j.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-op overhead: an elementwise add of two {@code [768]} vectors (a single GPT-2 residual
 * row), with and without graph recording, inside an arena as in a real step. The arithmetic is
 * trivial, so this measures dispatch, shape checks, allocation and autograd bookkeeping.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SmallOpJmh {
    private Tensor x, y, yTrainable;

    @Setup
    public void setUp() {
        Random rng = new Random(1);
        x = Tensor.randn(rng, 1f, 768);
        y = Tensor.randn(rng, 1f, 768);
        yTrainable = Tensor.randn(rng, 1f, 768).requiresGrad(true);
    }

    @Benchmark
    public float addNoGrad() {
        try (GradMode off = GradMode.off(); Arena step = Arena.open()) {
            return Ops.add(x, y).data()[0];
        }
    }

    @Benchmark
    public float addRecorded() {
        try (Arena step = Arena.open()) {
            return Ops.add(x, yTrainable).data()[0];
        }
    }
}
