package org.intervene4j.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.intervene4j.bench.interventions.BoundlessDasStepBench;
import org.intervene4j.bench.interventions.InterventionOverheadBench;
import org.intervene4j.bench.model.RandomCheckpoints;
import org.intervene4j.bench.torch.TorchCheckpoint;
import org.intervene4j.bench.torch.TorchGpt2Hooked;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.engine.kernel.WorkerPool;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.intervene4j.site.Site;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code interventions} command: on the GPT-2-small-shaped random checkpoint, (1) what a
 * collect and a source + base interchange cost over a plain forward, and (2) Boundless DAS
 * training steps per second, ours against libtorch. See {@code README-bench.md}.
 */
@Command(name = "interventions", mixinStandardHelpOptions = true,
        description = "Intervention overheads (collect, interchange) and Boundless DAS training steps/s, ours against "
                + "libtorch, on the GPT-2-small-shaped random model.")
public final class InterventionsCmd implements Callable<Integer> {
    @Option(names = "--json", description = "write the result to this JSON file")
    File json;
    @Option(names = "--threads", defaultValue = "2", description = "threads for both engines (default: 2)")
    int threads;
    @Option(names = "--site", defaultValue = "blocks.6.block_output", description = "intervention site (default: blocks.6.block_output)")
    String site;
    @Option(names = "--batch", defaultValue = "8", description = "batch of the overhead forwards (default: 8)")
    int batch;
    @Option(names = "--seq", defaultValue = "32", description = "tokens per example of the overhead forwards (default: 32)")
    int seq;
    @Option(names = "--warmup", defaultValue = "3", description = "untimed rounds of the overhead forwards (default: 3)")
    int warmup;
    @Option(names = "--runs", defaultValue = "31", description = "timed rounds of the overhead forwards, median kept (default: 31)")
    int runs;
    @Option(names = "--das-batch", defaultValue = "16", description = "batch of the DAS steps (default: 16)")
    int dasBatch;
    @Option(names = "--das-seq", defaultValue = "24", description = "prompt length of the DAS steps (default: 24)")
    int dasSeq;
    @Option(names = "--das-warmup", defaultValue = "" + BoundlessDasStepBench.DEFAULT_WARMUP,
            description = "untimed DAS steps per side, the first gives the losses (default: " + BoundlessDasStepBench.DEFAULT_WARMUP + ")")
    int dasWarmup;
    @Option(names = "--das-runs", defaultValue = "11", description = "timed DAS steps per side, median kept (default: 11)")
    int dasRuns;
    @Option(names = "--temperature", defaultValue = "50", description = "mask temperature τ (default: 50)")
    double temperature;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: 1e-3)")
    double lr;
    @Option(names = "--cache-dir", defaultValue = ".bench/models", description = "where the random checkpoint lives")
    Path cacheDir;
    @Option(names = "--seed", defaultValue = "42", description = "seed of the weights and inputs")
    long seed;

    @Override
    public Integer call() throws Exception {
        return BenchMain.onLargeStack("bench-interventions", this::measure);
    }

    private Integer measure() throws Exception {
        if (runs < 5 || dasRuns < 1 || warmup < 1 || dasWarmup < 1) {
            throw new IllegalArgumentException("--runs must be >= 5, --das-runs >= 1, --warmup and --das-warmup >= 1");
        }
        double loadStart = BenchMain.loadAverage();
        BenchMain.checkEnvironment();
        WorkerPool.setGlobalThreads(threads);
        TorchSupport.setThreads(threads);
        Site where = Site.parse(site);
        if (where.component() != org.intervene4j.site.Component.BLOCK_OUTPUT || where.heads()) {
            // the libtorch side hooks only the residual stream after a block
            throw new IllegalArgumentException("--site must be a blocks.L.block_output site, got '" + site + "'");
        }
        Path dir = RandomCheckpoints.ensure(cacheDir, RandomCheckpoints.gpt2Small(), seed);
        CausalLM ours = Models.loadCausalLM(dir);

        System.out.printf("%n== overheads: batch %d x %d tokens, %d threads, %s ==%n", batch, seq, threads, where);
        InterventionOverheadBench.Result over = new InterventionOverheadBench(ours, where, batch, seq, warmup, runs, seed).run();

        System.out.printf("%n== Boundless DAS steps: batch %d x %d tokens, %s, last position, rotation %d ==%n",
                dasBatch, dasSeq, where, ours.info().dModel());
        BoundlessDasStepBench.Result das;
        try (CheckpointDir ckpt = CheckpointDir.open(dir);
             TorchGpt2Hooked lib = new TorchGpt2Hooked(ckpt, new TorchCheckpoint(ckpt, ScalarType.Float))) {
            das = new BoundlessDasStepBench(ours, lib, where, dasBatch, dasSeq, temperature, lr, dasWarmup, dasRuns, seed).run();
        }

        System.out.printf("%n%-34s %10s %10s %s%n", "", "ours", "libtorch", "");
        System.out.printf("%-34s %10.1f %10s%n", "plain forward (ms)", over.plain_ms(), "");
        System.out.printf("%-34s %10.1f %10s   collect_overhead %+.2f%% (goal <= 3%%)%n", "forward + collect (ms)",
                over.collect_ms(), "", 100 * over.collect_overhead());
        System.out.printf("%-34s %10.1f %10s   interchange_ratio %.3f (goal <= 2.05)%n", "source + base interchange (ms)",
                over.interchange_ms(), "", over.interchange_ratio());
        System.out.printf("%-34s %10.2f %10.2f   ours/libtorch %.2fx (goal >= 1.5x)%n", "Boundless DAS steps/s",
                das.steps_per_s(), das.libtorch_steps_per_s(), das.speedup_vs_libtorch());
        System.out.printf("%-34s %10.5f %10.5f   |diff| %.2e%s%n", "first-step loss", das.first_loss(), das.libtorch_first_loss(),
                das.first_loss_abs_diff(), das.loss_parity_ok() ? "" : "  LOSS PARITY FAILED");

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("overheads", over);
        out.put("collect_overhead", over.collect_overhead());
        out.put("interchange_ratio", over.interchange_ratio());
        out.put("boundless_das", das);
        out.put("das_steps_per_s", das.steps_per_s());
        out.put("libtorch_das_steps_per_s", das.libtorch_steps_per_s());
        out.put("das_speedup_vs_libtorch", das.speedup_vs_libtorch());
        out.put("threads", threads);
        out.put("libtorch_blas", TorchSupport.blasDescription());
        out.put("load_average_start", loadStart);
        out.put("load_average", BenchMain.loadAverage());
        BenchMain.writeJson(json, out);
        return 0;
    }
}
