package org.intervene4j.bench.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.intervene4j.bench.Timing;
import org.intervene4j.bench.torch.TorchCausalLM;
import org.intervene4j.bench.torch.TorchCheckpoint;
import org.intervene4j.bench.torch.TorchGpt2;
import org.intervene4j.bench.torch.TorchLlama;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.engine.kernel.WorkerPool;
import org.intervene4j.io.TensorInfo;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;

/**
 * Prefill and decode throughput of one model family, ours against libtorch on the same
 * checkpoint: loads both (libtorch in each requested dtype), checks that their prefill logits
 * (last prompt position: both run the LM head there only) agree, then times generations in rounds (ours, then each libtorch dtype, round after round,
 * so a change in the machine's load hits every side alike) and keeps the medians.
 */
public final class ModelBench {
    /** One libtorch dtype's medians and parity. */
    public record LibtorchRun(String dtype, double prefill_tokens_per_s, double decode_tokens_per_s,
                              double max_abs_logit_diff, int greedy_tokens_agreeing, long weight_bytes,
                              int timed_runs) {}

    /**
     * One family's result. Speedups are {@code ours / libtorch} tokens per second (above 1: we are
     * faster), against the faster libtorch dtype for each of prefill and decode.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FamilyResult(String family, String checkpoint, String checkpoint_dtype, long parameters,
                               int prompt_tokens, int decode_tokens, int threads, int warmup_runs, int timed_runs,
                               double prefill_tokens_per_s, double decode_tokens_per_s,
                               double libtorch_prefill_tokens_per_s, double libtorch_decode_tokens_per_s,
                               double prefill_speedup, double decode_speedup,
                               double max_abs_logit_diff, double max_abs_logit, boolean parity_ok,
                               String libtorch_weights_dtype, String libtorch_prefill_dtype, String libtorch_decode_dtype,
                               long weight_bytes_ours, List<LibtorchRun> libtorch_runs,
                               double our_prefill_ms, double our_decode_ms_per_token,
                               double load_average_start, double load_average_end) {}

    /**
     * Largest accepted max-abs logit difference relative to the largest |logit|, against
     * libtorch float32 (same weights, same fp32 arithmetic up to summation order).
     */
    static final double PARITY_TOLERANCE = 1e-3;
    /**
     * The same against libtorch bfloat16, used only when float32 did not run: its activations
     * are rounded to 8 significant bits at every op (observed: ~3e-2 relative on the Llama).
     */
    static final double PARITY_TOLERANCE_BF16 = 1e-1;

    private final int promptTokens;
    private final int decodeTokens;
    private final int threads;
    private final int warmup;
    private final int runs;
    private final long seed;
    private final boolean keepSlowLibtorch;

    /**
     * @param keepSlowLibtorch time every libtorch dtype in every round; otherwise a dtype at least
     *                         2x slower than another one in both prefill and decode after the
     *                         warm-up cannot be the reference and is not timed further
     */
    public ModelBench(int promptTokens, int decodeTokens, int threads, int warmup, int runs, long seed,
                      boolean keepSlowLibtorch) {
        if (warmup < 1) throw new IllegalArgumentException("--warmup must be >= 1 (the first run gives the parity logits)");
        if (runs < 1) throw new IllegalArgumentException("--runs must be >= 1");
        this.promptTokens = promptTokens;
        this.decodeTokens = decodeTokens;
        this.threads = threads;
        this.warmup = warmup;
        this.runs = runs;
        this.seed = seed;
        this.keepSlowLibtorch = keepSlowLibtorch;
    }

    /** Benchmarks the checkpoint in {@code dir} ("gpt2" or "llama" family), libtorch in each of {@code dtypes}. */
    public FamilyResult run(String family, Path dir, List<ScalarType> dtypes) throws Exception {
        double loadStart = loadAverage();
        WorkerPool.setGlobalThreads(threads);
        TorchSupport.setThreads(threads);
        String checkpointDtype;
        long parameters = 0;
        try (CheckpointDir ckpt = CheckpointDir.open(dir)) {
            checkpointDtype = null;
            for (String n : ckpt.names()) {
                TensorInfo info = ckpt.info(n);
                parameters += info.numel();
                checkpointDtype = info.dtype().name();
            }
        }
        checkHeap(parameters);

        long heapBefore = usedHeapAfterGc();
        long t0 = System.nanoTime();
        CausalLM ours = Models.loadCausalLM(dir);
        long ourBytes = usedHeapAfterGc() - heapBefore;
        System.out.printf("ours: loaded %s in %.1f s (%.2f GB of Java heap)%n", dir.getFileName(),
                (System.nanoTime() - t0) / 1e9, ourBytes / 1e9);

        List<TorchCausalLM> libs = new ArrayList<>();
        try (CheckpointDir ckpt = CheckpointDir.open(dir)) {
            for (ScalarType dt : dtypes) {
                t0 = System.nanoTime();
                TorchCheckpoint weights = new TorchCheckpoint(ckpt, dt);
                TorchCausalLM lib = family.equals("gpt2") ? new TorchGpt2(ckpt, weights) : new TorchLlama(ckpt, weights);
                libs.add(lib);
                System.out.printf("libtorch %s: loaded in %.1f s (%.2f GB)%n", lib.dtype(),
                        (System.nanoTime() - t0) / 1e9, lib.weightBytes() / 1e9);
            }
        }
        try {
            return measure(family, dir, checkpointDtype, parameters, ours, ourBytes, libs, loadStart);
        } finally {
            for (TorchCausalLM lib : libs) lib.close();
        }
    }

    private FamilyResult measure(String family, Path dir, String checkpointDtype, long parameters, CausalLM ours,
                                 long ourBytes, List<TorchCausalLM> libs, double loadStart) {
        int vocab = ours.info().vocab();
        int[] prompt = new SplittableRandom(seed).ints(promptTokens, 0, vocab).toArray();
        List<GenerationRunner> sides = new ArrayList<>();
        sides.add(GenerationRunner.ours(ours));
        for (TorchCausalLM lib : libs) sides.add(GenerationRunner.libtorch(lib));
        int n = sides.size();
        List<List<Double>> prefill = new ArrayList<>();
        List<List<Double>> decode = new ArrayList<>();
        double[][] lastWarmup = new double[n][2];
        boolean[] dropped = new boolean[n];
        long[] libBytes = libs.stream().mapToLong(TorchCausalLM::weightBytes).toArray(); // before any is freed
        for (int i = 0; i < n; i++) {
            prefill.add(new ArrayList<>());
            decode.add(new ArrayList<>());
        }
        GenerationRunner.Run[] first = new GenerationRunner.Run[n];
        for (int round = 0; round < warmup + runs; round++) {
            for (int i = 0; i < n; i++) {
                if (dropped[i]) continue;
                Timing.settle();
                GenerationRunner.Run r = sides.get(i).run(prompt, decodeTokens, round == 0);
                if (round == 0) first[i] = r;
                System.out.printf("  %s round %d%s: prefill %.3f s, decode %d tokens %.3f s%n", sides.get(i).label(),
                        round + 1, round < warmup ? " (warm-up)" : "", r.prefillSeconds(), decodeTokens, r.decodeSeconds());
                if (round >= warmup) {
                    prefill.get(i).add(r.prefillSeconds());
                    decode.get(i).add(r.decodeSeconds());
                } else {
                    lastWarmup[i] = new double[] {r.prefillSeconds(), r.decodeSeconds()};
                }
            }
            if (round == 0) reportParity(first, sides);
            if (round == warmup - 1 && !keepSlowLibtorch) {
                dropSlowLibtorch(sides, lastWarmup, dropped);
                // A dropped model's weights are freed at once: a 1B model in fp32 holds 5 GB that
                // would otherwise squeeze the page cache and the other sides' memory.
                for (int i = 1; i < n; i++) if (dropped[i]) libs.get(i - 1).close();
            }
            if (round == warmup - 1) Timing.collectGarbage(); // our warm-up packed the weights
        }
        for (int i = 0; i < n; i++) {
            if (dropped[i]) { // only its last warm-up round was timed
                prefill.get(i).add(lastWarmup[i][0]);
                decode.get(i).add(lastWarmup[i][1]);
            }
        }

        double ourPrefill = promptTokens / median(prefill.get(0));
        double ourDecode = decodeTokens / median(decode.get(0));
        List<LibtorchRun> libRuns = new ArrayList<>();
        int bestPrefill = -1, bestDecode = -1;
        for (int i = 1; i < n; i++) {
            LibtorchRun lr = new LibtorchRun(libs.get(i - 1).dtype(),
                    promptTokens / median(prefill.get(i)), decodeTokens / median(decode.get(i)),
                    StackMath.maxAbsDiff(first[0].prefillLogits(), first[i].prefillLogits()),
                    agreeing(first[0].generated(), first[i].generated()), libBytes[i - 1],
                    dropped[i] ? 0 : runs);
            libRuns.add(lr);
            if (bestPrefill < 0 || lr.prefill_tokens_per_s() > libRuns.get(bestPrefill).prefill_tokens_per_s()) bestPrefill = i - 1;
            if (bestDecode < 0 || lr.decode_tokens_per_s() > libRuns.get(bestDecode).decode_tokens_per_s()) bestDecode = i - 1;
        }
        LibtorchRun p = libRuns.get(bestPrefill);
        LibtorchRun d = libRuns.get(bestDecode);
        // parity is judged against float32 libtorch when it ran (the same arithmetic as ours)
        LibtorchRun ref = libRuns.stream().filter(r -> r.dtype().equals("float32")).findFirst().orElse(libRuns.get(0));
        double maxLogit = StackMath.maxAbs(first[0].prefillLogits());
        double tolerance = ref.dtype().equals("float32") ? PARITY_TOLERANCE : PARITY_TOLERANCE_BF16;
        boolean parityOk = ref.max_abs_logit_diff() <= tolerance * Math.max(1e-12, maxLogit);
        String dtypeSummary = p.dtype().equals(d.dtype()) ? p.dtype() : "prefill " + p.dtype() + ", decode " + d.dtype();
        return new FamilyResult(family, dir.toString(), checkpointDtype, parameters, promptTokens, decodeTokens, threads,
                warmup, runs, ourPrefill, ourDecode, p.prefill_tokens_per_s(), d.decode_tokens_per_s(),
                ourPrefill / p.prefill_tokens_per_s(), ourDecode / d.decode_tokens_per_s(),
                ref.max_abs_logit_diff(), maxLogit, parityOk, dtypeSummary, p.dtype(), d.dtype(), ourBytes, libRuns,
                1000 * median(prefill.get(0)), 1000 * median(decode.get(0)) / decodeTokens,
                loadStart, loadAverage());
    }

    /** Marks libtorch sides (index >= 1) that were 2x slower than another libtorch side in both phases. */
    private static void dropSlowLibtorch(List<GenerationRunner> sides, double[][] lastWarmup, boolean[] dropped) {
        for (int i = 1; i < sides.size(); i++) {
            for (int j = 1; j < sides.size(); j++) {
                if (i != j && !dropped[j] && lastWarmup[i][0] > 2 * lastWarmup[j][0] && lastWarmup[i][1] > 2 * lastWarmup[j][1]) {
                    dropped[i] = true;
                    System.out.printf("  %s is over 2x slower than %s in both prefill and decode: not timed further "
                            + "(its numbers are its last warm-up round; --keep-slow-libtorch times it anyway)%n",
                            sides.get(i).label(), sides.get(j).label());
                    break;
                }
            }
        }
    }

    private static double median(List<Double> values) {
        return Timing.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void reportParity(GenerationRunner.Run[] first, List<GenerationRunner> sides) {
        float[] ours = first[0].prefillLogits();
        System.out.printf("  parity (prefill logits at the last position, max |logit| %.3f):%n", StackMath.maxAbs(ours));
        for (int i = 1; i < first.length; i++) {
            double diff = StackMath.maxAbsDiff(ours, first[i].prefillLogits());
            System.out.printf("    ours vs %s: max |diff| %.3e (%.2e relative); greedy tokens agreeing %d of %d%n",
                    sides.get(i).label(), diff, diff / Math.max(1e-12, StackMath.maxAbs(ours)),
                    agreeing(first[0].generated(), first[i].generated()), first[0].generated().length);
        }
    }

    /** Length of the common prefix of two generated sequences. */
    private static int agreeing(int[] a, int[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) i++;
        return i;
    }

    /** Warns when the heap cannot hold our fp32 copy of the weights plus working room. */
    private static void checkHeap(long parameters) {
        long need = parameters * 4L + (1L << 30);
        long max = Runtime.getRuntime().maxMemory();
        if (max < need) {
            System.out.printf("WARNING: the Java heap (-Xmx %.1f GB) may be too small for %.2f G parameters "
                    + "widened to fp32 (%.1f GB): run with JAVA_OPTS=-Xmx%dg%n",
                    max / 1e9, parameters / 1e9, need / 1e9, (need >> 30) + 2);
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Max-abs helpers (the stack benchmark's are package-private there). */
    static final class StackMath {
        private StackMath() {}

        static double maxAbsDiff(float[] a, float[] b) {
            if (a.length != b.length) throw new IllegalStateException("parity check: " + a.length + " logits vs " + b.length);
            double m = 0;
            for (int i = 0; i < a.length; i++) {
                double diff = Math.abs((double) a[i] - b[i]);
                if (Double.isNaN(diff)) return Double.NaN;
                m = Math.max(m, diff);
            }
            return m;
        }

        static double maxAbs(float[] a) {
            double m = 0;
            for (float v : a) m = Math.max(m, Math.abs(v));
            return m;
        }
    }
}
