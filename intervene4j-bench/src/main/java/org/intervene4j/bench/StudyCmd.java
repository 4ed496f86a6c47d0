package org.intervene4j.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.intervene4j.bench.interventions.BoundlessDasStepBench;
import org.intervene4j.bench.model.RandomCheckpoints;
import org.intervene4j.bench.torch.TorchCheckpoint;
import org.intervene4j.bench.torch.TorchGpt2Hooked;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.causal.search.AlignmentSearch;
import org.intervene4j.causal.search.CellOutcome;
import org.intervene4j.causal.search.CellSettings;
import org.intervene4j.causal.study.PriceTaggingStudy;
import org.intervene4j.causal.study.StudySettings;
import org.intervene4j.causal.task.PriceHypothesis;
import org.intervene4j.causal.task.PricePrompt;
import org.intervene4j.causal.task.TaskModels;
import org.intervene4j.engine.kernel.WorkerPool;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.intervene4j.report.CellResult;
import org.intervene4j.site.Site;
import org.intervene4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code study} command: what the price-tagging study costs. (1) Seconds per grid cell on
 * the embedded task model with the demo's default cell settings, cells one at a time and as a
 * parallel grid; (2) Boundless DAS training pairs per second on the GPT-2-small-shaped random
 * model (batch x steps/s), ours against the same step in libtorch. See {@code README-bench.md}.
 */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Seconds per Boundless DAS grid cell on the price-tagging task model, and Boundless DAS training pairs/s on "
                + "the GPT-2-small-shaped model vs libtorch.")
public final class StudyCmd implements Callable<Integer> {
    @Option(names = "--json", description = "write the result to this JSON file")
    File json;
    @Option(names = "--threads", defaultValue = "2", description = "threads (default: 2)")
    int threads;
    @Option(names = "--layers", defaultValue = "4", description = "cells timed: left and right at layers 0..N-1, last token (default: 4)")
    int layers;
    @Option(names = "--das-batch", defaultValue = "16", description = "batch of the GPT-2-small Boundless DAS steps (default: 16)")
    int dasBatch;
    @Option(names = "--das-seq", defaultValue = "24", description = "prompt length of the GPT-2-small steps (default: 24)")
    int dasSeq;
    @Option(names = "--das-runs", defaultValue = "11", description = "timed GPT-2-small steps per side, median kept (default: 11)")
    int dasRuns;
    @Option(names = "--cache-dir", defaultValue = ".bench/models", description = "where the random checkpoint lives")
    Path cacheDir;
    @Option(names = "--seed", defaultValue = "42", description = "seed")
    long seed;

    @Override
    public Integer call() throws Exception {
        return BenchMain.onLargeStack("bench-study", this::measure);
    }

    private Integer measure() throws Exception {
        double loadStart = BenchMain.loadAverage();
        BenchMain.checkEnvironment();
        WorkerPool.setGlobalThreads(threads);
        TorchSupport.setThreads(threads);

        Path dir = TaskModels.priceTagging();
        CausalLM task = Models.loadCausalLM(dir);
        List<Integer> layerList = new ArrayList<>();
        for (int l = 0; l < layers; l++) layerList.add(l);
        List<PriceHypothesis> hyps = List.of(PriceHypothesis.LEFT, PriceHypothesis.RIGHT);
        StudySettings settings = new StudySettings(hyps, layerList, List.of(-1), 768, 128, 256, 500, CellSettings.defaults(), seed, threads);
        try (Tokenizer tok = Tokenizer.open(dir)) {
            return measure(new PriceTaggingStudy(task, tok, PricePrompt.COMPACT, "task model", settings), settings, hyps, layerList,
                    loadStart);
        }
    }

    private Integer measure(PriceTaggingStudy study, StudySettings settings, List<PriceHypothesis> hyps, List<Integer> layerList,
                            double loadStart) throws Exception {
        for (PriceHypothesis h : hyps) study.data(h); // encode all pairs before timing
        System.out.printf("%n== grid cells on the task model: %d cells (left, right x layers 0..%d, last token), %d pairs x %d epochs ==%n",
                hyps.size() * layers, layers - 1, settings.trainPairs(), settings.cell().epochs());
        study.trainCell(PriceHypothesis.LEFT, 0, -1, null); // warm-up (JIT)
        double[] one = new double[hyps.size() * layers];
        int k = 0;
        for (PriceHypothesis h : hyps) {
            for (int l : layerList) {
                CellResult r = study.trainCell(h, l, -1, null);
                one[k++] = r.seconds();
            }
        }
        long t0 = System.nanoTime();
        Path scratch = java.nio.file.Files.createTempDirectory("bench-study");
        study.run(scratch, (cell, outcome) -> { });
        double gridSeconds = (System.nanoTime() - t0) / 1e9;
        double perCell = Timing.median(one);
        double perCellParallel = gridSeconds / one.length;

        System.out.printf("%n== Boundless DAS pairs/s: GPT-2-small shape, batch %d x %d tokens, blocks.6.block_output ==%n", dasBatch, dasSeq);
        Path gpt2 = RandomCheckpoints.ensure(cacheDir, RandomCheckpoints.gpt2Small(), seed);
        CausalLM ours = Models.loadCausalLM(gpt2);
        BoundlessDasStepBench.Result das;
        try (CheckpointDir ckpt = CheckpointDir.open(gpt2);
             TorchGpt2Hooked lib = new TorchGpt2Hooked(ckpt, new TorchCheckpoint(ckpt, ScalarType.Float))) {
            das = new BoundlessDasStepBench(ours, lib, Site.parse("blocks.6.block_output"), dasBatch, dasSeq, 50, 1e-3,
                    BoundlessDasStepBench.DEFAULT_WARMUP, dasRuns, seed).run();
        }
        double pairs = das.steps_per_s() * dasBatch;
        double libPairs = das.libtorch_steps_per_s() * dasBatch;

        System.out.printf("%n%-44s %10s %10s%n", "", "ours", "libtorch");
        System.out.printf("%-44s %10.2f %10s   (cells one at a time: %s s)%n", "task model: seconds per grid cell", perCell, "",
                Arrays.toString(Arrays.stream(one).map(x -> Math.round(x * 100) / 100.0).toArray()));
        System.out.printf("%-44s %10.2f %10s   (%d cells, %d at a time, %.1f s)%n", "task model: seconds per cell in a parallel grid",
                perCellParallel, "", one.length, threads, gridSeconds);
        System.out.printf("%-44s %10.1f %10.1f   ours/libtorch %.2fx%n", "GPT-2-small Boundless DAS pairs/s", pairs, libPairs, pairs / libPairs);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cell_seconds", perCell);
        out.put("cell_seconds_each", one);
        out.put("grid_cell_seconds_parallel", perCellParallel);
        out.put("grid_cells", one.length);
        out.put("cell_settings", settings.describe("COMPACT"));
        out.put("das_pairs_per_s", pairs);
        out.put("libtorch_das_pairs_per_s", libPairs);
        out.put("das_pairs_speedup_vs_libtorch", pairs / libPairs);
        out.put("boundless_das", das);
        out.put("threads", threads);
        out.put("libtorch_blas", TorchSupport.blasDescription());
        out.put("load_average_start", loadStart);
        out.put("load_average", BenchMain.loadAverage());
        BenchMain.writeJson(json, out);
        return 0;
    }
}
