package org.intervene4j.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.intervene4j.bench.torch.TorchGpt2ShapedStack;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Runs the GPT-2-shaped stack in our engine and in libtorch with the same weights: first checks
 * that both compute the same output and the same gradient of T, then times a forward pass
 * without a graph and a forward + backward pass (gradient reaches only T).
 */
public final class StackBench {
    /**
     * The {@code stack} command's result. Times are medians in milliseconds; a speedup is
     * {@code libtorch_ms / our_ms} (above 1: we are faster). Our fields are null when our side
     * could not run (see {@code error}).
     */
    public record Result(Double forward_ms, Double forward_backward_ms,
                         double libtorch_forward_ms, double libtorch_forward_backward_ms,
                         Double forward_unpacked_ms, Double forward_backward_unpacked_ms,
                         Double forward_speedup_vs_libtorch, Double forward_backward_speedup_vs_libtorch,
                         Double max_abs_diff_vs_libtorch, Boolean parity_ok, Double max_abs_output,
                         Double max_abs_diff_grad_t_vs_libtorch, Double max_abs_grad_t,
                         int threads, int warmup_runs, int timed_runs, StackConfig config,
                         double load_average, String libtorch_blas,
                         String libtorch_machine_blas, Double libtorch_machine_forward_ms,
                         Double libtorch_machine_forward_backward_ms,
                         Double forward_speedup_vs_libtorch_machine_blas,
                         Double forward_backward_speedup_vs_libtorch_machine_blas,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String error) {}

    /**
     * The {@code stack-libtorch} command's result: libtorch's side alone, timed by the child
     * process of {@link MachineBlasRun}.
     */
    public record LibtorchOnly(double libtorch_forward_ms, double libtorch_forward_backward_ms, String libtorch_blas) {}

    /** Largest accepted max-abs difference, relative to the largest value (output, or gradient of T). */
    static final double PARITY_TOLERANCE = 1e-3;

    /** Output and T-gradient of one implementation, for the parity check. */
    private record Numbers(float[] output, float[] gradT) {}

    private final StackConfig config;
    private final int threads;
    private final int warmup;
    private final int runs;
    private final long seed;

    public StackBench(StackConfig config, int threads, int warmup, int runs, long seed) {
        this.config = config;
        this.threads = threads;
        this.warmup = warmup;
        this.runs = runs;
        this.seed = seed;
    }

    /** Parity check, then the timings of both sides. */
    public Result run() throws Exception {
        StackWeights w = new StackWeights(config, seed);
        WorkerPool.setGlobalThreads(threads);
        TorchSupport.setThreads(threads);

        TorchGpt2ShapedStack lib = new TorchGpt2ShapedStack(w);
        org.bytedeco.pytorch.Tensor libInput = lib.input(w);
        Gpt2ShapedStack ours = new Gpt2ShapedStack(w);
        Tensor input = Tensor.of(w.input.clone(), config.batch(), config.seq(), config.dModel());

        Numbers libNumbers = libtorchNumbers(lib, libInput);
        Numbers ourNumbers = null;
        String error = null;
        try {
            ourNumbers = ourNumbers(ours, input);
        } catch (UnsupportedOperationException e) {
            error = "our engine cannot run the stack yet: " + e.getMessage();
        } catch (RuntimeException e) {
            e.printStackTrace();
            error = "our stack failed: " + e;
        }
        Double diff = null, diffGrad = null;
        Boolean parityOk = null;
        if (ourNumbers == null) {
            System.out.println("parity check skipped: " + error);
        } else {
            diff = maxAbsDiff(ourNumbers.output(), libNumbers.output());
            diffGrad = maxAbsDiff(ourNumbers.gradT(), libNumbers.gradT());
            parityOk = withinTolerance(diff, libNumbers.output()) && withinTolerance(diffGrad, libNumbers.gradT());
            System.out.printf("parity vs libtorch: output max |diff| = %.3e (max |out| %.3f), "
                            + "grad T max |diff| = %.3e (max |grad| %.3e)%n",
                    diff, maxAbs(libNumbers.output()), diffGrad, maxAbs(libNumbers.gradT()));
            if (!parityOk) {
                System.out.println("WARNING: PARITY FAILED: our stack does not compute libtorch's numbers "
                        + "(relative tolerance " + PARITY_TOLERANCE + "); the timings below compare different work");
            }
        }

        double[] libMs = timeLibtorch(lib, libInput);
        System.out.printf("libtorch (%d threads, OpenBLAS %d): forward %.1f ms, forward+backward %.1f ms%n",
                TorchSupport.threads(), TorchSupport.blasThreads(), libMs[0], libMs[1]);
        Double fwd = null, fwdBwd = null, fwdUnpacked = null, fwdBwdUnpacked = null;
        if (ourNumbers != null) {
            double[] ourMs = timeOurs(ours, input);
            fwd = ourMs[0];
            fwdBwd = ourMs[1];
            System.out.printf("ours     (%d threads): forward %.1f ms, forward+backward %.1f ms%n",
                    WorkerPool.global().threads(), fwd, fwdBwd);
            // The same stack with plain weight tensors: every product packs its weight.
            double[] unpacked = timeOurs(new Gpt2ShapedStack(w, false), input);
            fwdUnpacked = unpacked[0];
            fwdBwdUnpacked = unpacked[1];
            System.out.printf("ours, weights not prepacked: forward %.1f ms, forward+backward %.1f ms%n",
                    fwdUnpacked, fwdBwdUnpacked);
        }
        MachineBlasRun.Times machine = machineBlasTimes();
        return new Result(fwd, fwdBwd, libMs[0], libMs[1], fwdUnpacked, fwdBwdUnpacked,
                fwd == null ? null : libMs[0] / fwd, fwdBwd == null ? null : libMs[1] / fwdBwd,
                diff, parityOk, maxAbs(libNumbers.output()), diffGrad, maxAbs(libNumbers.gradT()),
                threads, warmup, runs, config, BenchMain.loadAverage(),
                TorchSupport.blasDescription(),
                machine == null ? null : machine.blas(), machine == null ? null : machine.forwardMs(),
                machine == null ? null : machine.forwardBackwardMs(),
                machine == null || fwd == null ? null : machine.forwardMs() / fwd,
                machine == null || fwdBwd == null ? null : machine.forwardBackwardMs() / fwdBwd, error);
    }

    /**
     * Libtorch timed again on the machine's own OpenBLAS kernels, in a child process, when the
     * machine sets them and they differ from this process's; null otherwise or when that run fails.
     */
    private MachineBlasRun.Times machineBlasTimes() {
        String coreType = MachineBlasRun.machineCoreType();
        if (coreType == null) return null;
        System.out.println("timing libtorch again on this machine's OpenBLAS kernels (OPENBLAS_CORETYPE="
                + coreType + ") in a child process ...");
        try {
            MachineBlasRun.Times t = MachineBlasRun.measure(coreType, config, threads, warmup, runs, seed);
            System.out.printf("libtorch (%s): forward %.1f ms, forward+backward %.1f ms%n",
                    t.blas(), t.forwardMs(), t.forwardBackwardMs());
            return t;
        } catch (Exception e) {
            System.out.println("WARNING: libtorch on the machine's OpenBLAS kernels not measured: " + e.getMessage());
            return null;
        }
    }

    /** Times libtorch's side alone (the child process of {@link MachineBlasRun}). */
    public LibtorchOnly runLibtorchOnly() throws Exception {
        StackWeights w = new StackWeights(config, seed);
        TorchSupport.setThreads(threads);
        TorchGpt2ShapedStack lib = new TorchGpt2ShapedStack(w);
        double[] libMs = timeLibtorch(lib, lib.input(w));
        return new LibtorchOnly(libMs[0], libMs[1], TorchSupport.blasDescription());
    }

    /** Median ms of libtorch's forward (no grad) and forward + backward, each step in a PointerScope. */
    private double[] timeLibtorch(TorchGpt2ShapedStack lib, org.bytedeco.pytorch.Tensor x) throws Exception {
        Timing.settle();
        double forward = Timing.medianMillis(() -> {
            try (PointerScope step = new PointerScope()) {
                new NoGradGuard(); // attached to the scope; restores grad mode when the scope closes
                lib.forward(x);
            }
        }, warmup, runs);
        double forwardBackward = Timing.medianMillis(() -> {
            try (PointerScope step = new PointerScope()) {
                org.bytedeco.pytorch.Tensor g = lib.t().grad();
                if (g.defined()) g.zero_();
                TorchGpt2ShapedStack.loss(lib.forward(x)).backward();
            }
        }, warmup, runs);
        return new double[] {forward, forwardBackward};
    }

    /** Median ms of our forward (GradMode.off) and forward + backward, each step in an Arena. */
    private double[] timeOurs(Gpt2ShapedStack ours, Tensor x) throws Exception {
        Timing.settle();
        double forward = Timing.medianMillis(() -> {
            try (GradMode off = GradMode.off(); Arena step = Arena.open()) {
                ours.forward(x);
            }
        }, warmup, runs);
        double forwardBackward = Timing.medianMillis(() -> {
            ours.t().zeroGrad();
            try (Arena step = Arena.open()) {
                Gpt2ShapedStack.loss(ours.forward(x)).backward();
            }
        }, warmup, runs);
        return new double[] {forward, forwardBackward};
    }

    private static boolean withinTolerance(double maxAbsDiff, float[] reference) {
        return maxAbsDiff <= PARITY_TOLERANCE * Math.max(1e-12, maxAbs(reference));
    }

    private static Numbers libtorchNumbers(TorchGpt2ShapedStack lib, org.bytedeco.pytorch.Tensor x) {
        float[] out;
        try (PointerScope step = new PointerScope()) {
            new NoGradGuard();
            out = TorchSupport.toArray(lib.forward(x));
        }
        float[] grad;
        try (PointerScope step = new PointerScope()) {
            TorchGpt2ShapedStack.loss(lib.forward(x)).backward();
            grad = TorchSupport.toArray(lib.t().grad());
        }
        return new Numbers(out, grad);
    }

    private static Numbers ourNumbers(Gpt2ShapedStack ours, Tensor x) {
        float[] out;
        try (GradMode off = GradMode.off(); Arena step = Arena.open()) {
            out = ours.forward(x).toFloatArray();
        }
        ours.t().zeroGrad();
        try (Arena step = Arena.open()) {
            Gpt2ShapedStack.loss(ours.forward(x)).backward();
        }
        return new Numbers(out, ours.t().grad().toFloatArray());
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("parity check: " + a.length + " values vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) return Double.NaN;
            m = Math.max(m, d);
        }
        return m;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
