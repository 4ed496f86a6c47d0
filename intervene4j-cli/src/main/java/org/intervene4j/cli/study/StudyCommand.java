package org.intervene4j.cli.study;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.intervene4j.causal.search.CellMemory;
import org.intervene4j.causal.search.CellSettings;
import org.intervene4j.causal.study.PriceTaggingStudy;
import org.intervene4j.causal.study.StudySettings;
import org.intervene4j.causal.task.PriceHypothesis;
import org.intervene4j.cli.UserError;
import org.intervene4j.cli.Version;
import org.intervene4j.engine.kernel.WorkerPool;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.report.StudyReport;
import org.intervene4j.report.StudyResults;
import org.intervene4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code intervene4j demo}: the price-tagging study of "Interpretability at Scale" end to end
 * (factual accuracy, then a Boundless DAS alignment per hypothesis x layer x position), on the
 * embedded task model or on {@code --model DIR}, with a progress bar, a summary table and an
 * HTML report. Resumes from the report directory's results.json.
 */
@Command(name = "demo", sortOptions = false,
        description = {"Reproduce the Boundless DAS price-tagging study: for each hypothesis (left, right, both; controls midpoint,",
                "bracket) x layer x token position, train an alignment on counterfactual pairs and measure its held-out IIA.",
                "Writes intervene4j-report/index.html (heatmaps) and results.json; an interrupted run resumes."})
public final class StudyCommand implements Callable<Integer> {
    @Mixin
    StudyModel model;

    @Option(names = "--grid", paramLabel = "LAYERS:POSITIONS", defaultValue = GridSpec.DEFAULT,
            description = "Cells to search (default: ${DEFAULT-VALUE} = every layer x the last 6 tokens). LAYERS: all, 2-5, 0,4,8 or every:K; "
                    + "POSITIONS: K (the last K tokens) or a list such as -3,-1.")
    String grid;

    @Option(names = "--hypotheses", paramLabel = "LIST", split = ",", defaultValue = "left,right,both,midpoint,bracket",
            description = "Hypotheses to search (default: ${DEFAULT-VALUE}).")
    List<String> hypotheses;

    @Mixin
    StudyOptions options;

    @Option(names = "--parallel", paramLabel = "N", description = "Cells trained at once (default: the worker threads, ${sys:intervene4j.threads:-all cores}).")
    Integer parallel;

    @Option(names = "--report", paramLabel = "DIR", defaultValue = "intervene4j-report",
            description = "Report directory (index.html, results.json) (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<PriceHypothesis> hyps = new ArrayList<>();
        for (String h : hypotheses) hyps.add(StudyOptions.hypothesis("--hypotheses", h));
        GridSpec cells = GridSpec.parse(grid);
        int requested = parallel == null ? WorkerPool.global().threads() : parallel;
        if (requested < 1) throw new UserError("--parallel: must be >= 1, got " + requested);

        long t0 = System.nanoTime();
        CausalLM lm = model.load();
        ModelInfo info = lm.info();
        List<Integer> layers = cells.layersFor(info.layers());
        Tokenizer tokenizer = model.tokenizer();
        int seq = tokenizer.encode(model.promptFormat().render(PriceTaggingStudy.EXAMPLE)).length;
        int threads = CellMemory.parallelCells(requested, info, CellSettings.defaults().batchSize(), seq, weightBytes(lm),
                Runtime.getRuntime().maxMemory());
        StudySettings settings = new StudySettings(hyps, layers, cells.positions(), options.trainPairs(), options.devPairs(),
                options.testPairs(), 2000, options.cell(), options.seed(), threads);
        PriceTaggingStudy study = new PriceTaggingStudy(lm, tokenizer, model.promptFormat(), model.name(), settings);

        out.printf(Locale.ROOT, "model: %s (%s, %d layers, d_model %d)%n", model.name(), info.family(), info.layers(), info.dModel());
        out.printf(Locale.ROOT, "prompt: %s%n", model.promptFormat().render(PriceTaggingStudy.EXAMPLE).replace("\n", "\\n"));
        out.flush();
        double accuracy = study.taskAccuracy();
        out.printf(Locale.ROOT, "factual accuracy: %.1f%% on %d held-out inputs%n", 100 * accuracy, settings.factualExamples());
        int total = hyps.size() * layers.size() * cells.positions().size();
        out.printf(Locale.ROOT, "search: %d hypotheses x %d layers x %d positions = %d cells; %s per cell: %d pairs x %d epochs, %d held-out pairs; "
                        + "%d cells at a time%s on %s%n",
                hyps.size(), layers.size(), cells.positions().size(), total, settings.cell().fixedDims() > 0
                        ? "DAS (" + settings.cell().fixedDims() + " dims)" : "Boundless DAS", settings.trainPairs(), settings.cell().epochs(),
                settings.testPairs(), threads, threads < requested ? " (the heap holds no more)" : "", Version.threads(WorkerPool.global().threads()));
        out.flush();

        long stepsPerCell = (long) ((settings.trainPairs() + settings.cell().batchSize() - 1) / settings.cell().batchSize()) * settings.cell().epochs();
        StudyProgress progress = new StudyProgress(err, stepsPerCell);
        StudyResults results = study.run(report, progress);
        progress.finish();

        out.println();
        out.print(StudyReport.summaryTable(results));
        out.printf(Locale.ROOT, "%nreport: %s (results.json beside it); %.0f s in all%n",
                report.resolve(StudyReport.HTML_FILE).toAbsolutePath().normalize(), (System.nanoTime() - t0) / 1e9);
        out.flush();
        return 0;
    }

    /** Bytes the loaded weights hold (0 when the family does not say). */
    private static long weightBytes(CausalLM lm) {
        try {
            return lm.weightFootprint().bytes();
        } catch (UnsupportedOperationException e) {
            return 0;
        }
    }
}
