package org.intervene4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.engine.kernel.KernelConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark entry point: {@code peak}, {@code gemm} and {@code stack} subcommands, each printing
 * a readable table and optionally writing JSON. See {@code intervene4j-bench/README-bench.md}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of the intervene4j engine against the machine's FMA peak and libtorch.",
        subcommands = {BenchMain.Peak.class, BenchMain.GemmCmd.class, BenchMain.Stack.class, BenchMain.StackLibtorch.class, ModelCmd.class, StudyCmd.class,
                InterventionsCmd.class})
public final class BenchMain implements Runnable {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) {
        int code = new CommandLine(new BenchMain()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The system load average over the last minute (-1 where unknown). */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Warns about settings that make the numbers meaningless. */
    static void checkEnvironment() {
        int cores = Runtime.getRuntime().availableProcessors();
        double load = loadAverage();
        System.out.printf("%d cores, load average %.2f%n", cores, load);
        System.out.println("libtorch matmul: " + TorchSupport.blasDescription());
        if (load > 0.5) {
            System.out.println("WARNING: other processes are running; timings will be noisy and slow");
        }
        if (!KernelConfig.vectorApiAvailable()) {
            System.out.println("WARNING: run with --add-modules jdk.incubator.vector, else the scalar kernels are timed");
        }
        if (!"PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"))) {
            System.out.println("WARNING: OMP_WAIT_POLICY=PASSIVE is not set: libtorch's OpenMP threads keep "
                    + "spinning after each call and slow down our threads");
        }
    }

    /**
     * Stack of the thread that runs a command racing libtorch's Boundless DAS step: libtorch's
     * {@code linalg_solve} of a 768 x 768 matrix (the Cayley rotation) calls OpenBLAS's threaded LU,
     * which needs more stack on the calling thread than the JVM's default 1 MB (the process dies
     * with a segmentation fault otherwise).
     */
    private static final long LARGE_STACK_BYTES = 256L << 20;

    /** Runs {@code body} on a thread with a large stack and returns its result (rethrowing its failure). */
    static <T> T onLargeStack(String name, Callable<T> body) throws Exception {
        Object[] result = new Object[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = body.call();
            } catch (Throwable e) {
                result[0] = e;
            }
        }, name, LARGE_STACK_BYTES);
        t.start();
        t.join();
        if (result[0] instanceof Exception e) throw e;
        if (result[0] instanceof Throwable e) throw new RuntimeException(e);
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    static void writeJson(File file, Object value) throws Exception {
        if (file == null) return;
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null) parent.mkdirs();
        JSON.writeValue(file, value);
        System.out.println("wrote " + file);
    }

    static FmaPeakProbe.Peak[] probePeak(int trials, double seconds) throws Exception {
        FmaPeakProbe.Peak one = FmaPeakProbe.measure(1, trials, seconds);
        FmaPeakProbe.Peak two = FmaPeakProbe.measure(2, trials, seconds);
        System.out.printf("FMA peak (fp32, %d-bit vectors): 1 thread %.1f GFLOP/s, 2 threads %.1f GFLOP/s "
                        + "(%.1f per thread); per second of CPU time: %.1f (1 thread), %.1f (2 threads); "
                        + "after %.1f s of FMAs: %.1f (1 thread), %.1f (2 threads)%n",
                one.vectorBits(), one.gflops(), two.gflops(), two.gflopsPerThread(),
                one.gflopsPerCpuSecond(), two.gflopsPerCpuSecond(), trials * seconds,
                one.lastTrialGflops(), two.lastTrialGflops());
        if (one.contended() || two.contended()) {
            System.out.println("WARNING: the probe threads did not get their cores to themselves "
                    + "(other processes are running): the peak, and every timing, is too low");
        }
        return new FmaPeakProbe.Peak[] {one, two};
    }

    @Command(name = "peak", mixinStandardHelpOptions = true,
            description = "Measures the fp32 FMA peak (GFLOP/s) with 1 and 2 threads.")
    static final class Peak implements Callable<Integer> {
        @Option(names = "--json", description = "write the result to this JSON file")
        File json;
        @Option(names = "--trials", defaultValue = "5", description = "trials per thread count (best is kept)")
        int trials;
        @Option(names = "--trial-seconds", defaultValue = "0.3", description = "length of one trial")
        double trialSeconds;

        @Override
        public Integer call() throws Exception {
            checkEnvironment();
            FmaPeakProbe.Peak[] p = probePeak(trials, trialSeconds);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("peak_gflops", p[1].gflops());
            out.put("peak_gflops_per_thread", p[1].gflopsPerThread());
            out.put("one_thread_gflops", p[0].gflops());
            out.put("gflops_per_cpu_second", p[1].gflopsPerCpuSecond());
            out.put("one_thread_gflops_per_cpu_second", p[0].gflopsPerCpuSecond());
            out.put("vector_bits", p[0].vectorBits());
            out.put("sustained_gflops", p[1].lastTrialGflops());
            out.put("one_thread_sustained_gflops", p[0].lastTrialGflops());
            out.put("contended", p[0].contended() || p[1].contended());
            out.put("load_average", loadAverage());
            writeJson(json, out);
            return 0;
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "Times Gemm.multiply and torch.matmul on GPT-2-small shapes at 1 and 2 threads.")
    static final class GemmCmd implements Callable<Integer> {
        @Option(names = "--json", description = "write the results to this JSON file")
        File json;
        @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "thread counts (default: 1,2)")
        int[] threads;
        @Option(names = "--warmup-seconds", defaultValue = "0.3", description = "warm-up per shape and side")
        double warmupSeconds;
        @Option(names = "--sample-seconds", defaultValue = "0.1", description = "length of one timed sample")
        double sampleSeconds;
        @Option(names = "--samples", defaultValue = "7", description = "timed samples (the median is kept)")
        int samples;
        @Option(names = "--peak", description = "use this peak (GFLOP/s, all threads) instead of probing it")
        Double peak;
        @Option(names = "--peak-trials", defaultValue = "5", description = "trials of the peak probe")
        int peakTrials;

        @Override
        public Integer call() throws Exception {
            checkEnvironment();
            // The machine's peak is cores x the one-thread probe, the higher of the two readings
            // (the two-thread probe, rested like the one-thread one, reads a few % below it on
            // this VM; FmaPeakProbe.REST_MILLIS). Both readings are printed and written; each
            // row's percentage is against threads x (one-thread peak).
            FmaPeakProbe.Peak[] probed = peak != null ? null : probePeak(peakTrials, 0.3);
            double perCore = peak != null ? peak / 2 : probed[0].gflops();
            double p = 2 * perCore;
            List<GemmBench.Result> rows = new GemmBench(warmupSeconds, sampleSeconds, samples)
                    .run(GemmBench.DEFAULT_SHAPES, threads, perCore);
            System.out.printf("%nGEMM fp32, peak %.1f GFLOP/s per core (%.1f for 2 cores)%n", perCore, p);
            System.out.printf("%-24s %7s %10s %8s %14s %10s %14s%n",
                    "shape", "threads", "GFLOP/s", "%peak", "libtorch GF/s", "ours/lib", "B prepacked");
            for (GemmBench.Result r : rows) {
                System.out.printf("%-24s %7d %10s %8s %14.1f %10s %14s%n",
                        new GemmBench.Shape(r.m(), r.k(), r.n()), r.threads(),
                        fmt(r.gflops(), "%.1f"), fmt(r.percent_of_peak(), "%.1f%%"),
                        r.libtorch_gflops(), fmt(r.ratio_vs_libtorch(), "%.2f"), fmt(r.prepacked_gflops(), "%.1f"));
            }
            rows.stream().map(GemmBench.Result::error).filter(e -> e != null).findFirst()
                    .ifPresent(e -> System.out.println("(ours not measured: " + e + ")"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("peak_gflops", p);
            out.put("peak_gflops_per_core", perCore);
            if (probed != null) out.put("probe_gflops_two_threads_together", probed[1].gflops());
            out.put("load_average", loadAverage());
            out.put("libtorch_blas", TorchSupport.blasDescription());
            out.put("results", new ArrayList<>(rows));
            writeJson(json, out);
            return 0;
        }
    }

    @Command(name = "stack", mixinStandardHelpOptions = true,
            description = "GPT-2-small-shaped 12-block stack: parity with libtorch, then forward and "
                    + "forward+backward timings of both.")
    static final class Stack implements Callable<Integer> {
        @Option(names = "--json", description = "write the result to this JSON file")
        File json;
        @Option(names = "--threads", defaultValue = "2", description = "threads for both engines")
        int threads;
        // Warm-up as in the DAS step bench: our kernels (the backward's above all) leave the
        // Vector API's boxing fallbacks only once the JIT has compiled them, about ten passes in
        // (forward after 3 untimed passes: median ~180 ms; after 12: ~145-160 ms).
        @Option(names = "--warmup", defaultValue = "12", description = "untimed runs per side before timing (default: 12)")
        int warmup;
        @Option(names = "--runs", defaultValue = "11", description = "timed runs, the median is kept (default: 11)")
        int runs;
        @Option(names = "--layers", defaultValue = "12", description = "number of blocks")
        int layers;
        @Option(names = "--batch", defaultValue = "8") int batch;
        @Option(names = "--seq", defaultValue = "32") int seq;
        @Option(names = "--intervene-after", defaultValue = "6",
                description = "T is applied after this block (1-based)")
        int interveneAfter;
        @Option(names = "--seed", defaultValue = "42") long seed;

        @Override
        public Integer call() throws Exception {
            checkEnvironment();
            StackConfig base = StackConfig.GPT2_SMALL;
            StackConfig c = new StackConfig(layers, base.dModel(), base.heads(), base.dMlp(), batch, seq,
                    Math.min(interveneAfter, layers));
            StackBench.Result r = new StackBench(c, threads, warmup, runs, seed).run();
            System.out.printf("%nstack %s, %d threads, median of %d runs%n", c, threads, runs);
            System.out.printf("%-18s %12s %12s %10s%n", "", "ours ms", "libtorch ms", "speedup");
            System.out.printf("%-18s %12s %12.1f %10s%n", "forward",
                    fmt(r.forward_ms(), "%.1f"), r.libtorch_forward_ms(), fmt(r.forward_speedup_vs_libtorch(), "%.2fx"));
            System.out.printf("%-18s %12s %12.1f %10s%n", "forward+backward",
                    fmt(r.forward_backward_ms(), "%.1f"), r.libtorch_forward_backward_ms(),
                    fmt(r.forward_backward_speedup_vs_libtorch(), "%.2fx"));
            System.out.println("max |ours - libtorch| output: " + fmt(r.max_abs_diff_vs_libtorch(), "%.3e")
                    + ", grad T: " + fmt(r.max_abs_diff_grad_t_vs_libtorch(), "%.3e"));
            System.out.println("libtorch above: " + r.libtorch_blas() + " (OpenBLAS's own kernel choice)");
            if (r.libtorch_machine_forward_ms() != null) {
                System.out.printf("%nsame run, libtorch on this machine's configured kernels (%s)%n", r.libtorch_machine_blas());
                System.out.printf("%-18s %12s %12.1f %10s%n", "forward", fmt(r.forward_ms(), "%.1f"),
                        r.libtorch_machine_forward_ms(), fmt(r.forward_speedup_vs_libtorch_machine_blas(), "%.2fx"));
                System.out.printf("%-18s %12s %12.1f %10s%n", "forward+backward", fmt(r.forward_backward_ms(), "%.1f"),
                        r.libtorch_machine_forward_backward_ms(), fmt(r.forward_backward_speedup_vs_libtorch_machine_blas(), "%.2fx"));
            }
            writeJson(json, r);
            return 0;
        }
    }

    /** {@code stack}'s libtorch side alone; {@code stack} runs it in a child process ({@link MachineBlasRun}). */
    @Command(name = "stack-libtorch", hidden = true,
            description = "Times only libtorch's side of the stack (run by 'stack' in a child process).")
    static final class StackLibtorch implements Callable<Integer> {
        @Option(names = "--json", required = true) File json;
        @Option(names = "--threads", defaultValue = "2") int threads;
        @Option(names = "--warmup", defaultValue = "12") int warmup;
        @Option(names = "--runs", defaultValue = "11") int runs;
        @Option(names = "--layers", defaultValue = "12") int layers;
        @Option(names = "--batch", defaultValue = "8") int batch;
        @Option(names = "--seq", defaultValue = "32") int seq;
        @Option(names = "--intervene-after", defaultValue = "6") int interveneAfter;
        @Option(names = "--seed", defaultValue = "42") long seed;

        @Override
        public Integer call() throws Exception {
            StackConfig base = StackConfig.GPT2_SMALL;
            StackConfig c = new StackConfig(layers, base.dModel(), base.heads(), base.dMlp(), batch, seq,
                    Math.min(interveneAfter, layers));
            writeJson(json, new StackBench(c, threads, warmup, runs, seed).runLibtorchOnly());
            return 0;
        }
    }

    private static String fmt(Double v, String format) {
        return v == null ? "n/a" : String.format(format, v);
    }
}
