package org.intervene4j.causal.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.intervene4j.causal.search.AlignmentSearch;
import org.intervene4j.causal.search.BoundlessCellTrainer;
import org.intervene4j.causal.search.CellOutcome;
import org.intervene4j.causal.search.EncodedPairs;
import org.intervene4j.causal.task.PriceHypothesis;
import org.intervene4j.causal.task.PriceInput;
import org.intervene4j.causal.task.PricePairs;
import org.intervene4j.causal.task.PricePrompt;
import org.intervene4j.intervention.training.TrainingListener;
import org.intervene4j.model.CausalLM;
import org.intervene4j.report.CellResult;
import org.intervene4j.report.Hypotheses;
import org.intervene4j.report.StudyJson;
import org.intervene4j.report.StudyReport;
import org.intervene4j.report.StudyResults;
import org.intervene4j.tokenizer.Tokenizer;

/**
 * The price-tagging study of "Interpretability at Scale" (Wu et al. 2023) on any causal LM:
 * measure the model's factual accuracy, then for every hypothesis x layer x position train a
 * Boundless DAS alignment on counterfactual pairs labelled by the hypothesis' causal model and
 * report its held-out IIA and learned widths; results go to {@code results.json} after every
 * cell (an interrupted study resumes from it) and to an HTML report with heatmaps.
 *
 * <pre>{@code
 * PriceTaggingStudy study = new PriceTaggingStudy(model, tokenizer, PricePrompt.COMPACT, "price-tagging task model", settings);
 * StudyResults results = study.run(Path.of("intervene4j-report"), progress);
 * }</pre>
 */
public final class PriceTaggingStudy {
    /** The task name written into results. */
    public static final String TASK = "price tagging";
    /** The input the report's position labels come from. */
    public static final PriceInput EXAMPLE = new PriceInput(125, 673, 450);

    private final CausalLM model;
    private final PricePromptEncoder encoder;
    private final String modelName;
    private final StudySettings settings;
    private final Map<PriceHypothesis, AlignmentSearch.Hypothesis> data = new LinkedHashMap<>();
    private Double taskAccuracy;

    public PriceTaggingStudy(CausalLM model, Tokenizer tokenizer, PricePrompt prompt, String modelName, StudySettings settings) {
        this.model = model;
        this.encoder = new PricePromptEncoder(tokenizer, prompt);
        this.modelName = modelName;
        this.settings = settings;
        encoder.checkAnswersDiffer(EXAMPLE);
    }

    public StudySettings settings() {
        return settings;
    }

    /** The layers searched: the settings' list, or every layer. */
    public List<Integer> layers() {
        if (settings.layers() != null) return settings.layers();
        List<Integer> all = new ArrayList<>();
        for (int l = 0; l < model.info().layers(); l++) all.add(l);
        return all;
    }

    /**
     * Factual accuracy on {@code factualExamples} held-out inputs (the task model never trained
     * on them): arg-max over the whole vocabulary at the last prompt token equals the answer.
     */
    public synchronized double taskAccuracy() {
        if (taskAccuracy == null) {
            Random rng = new Random(settings.seed() ^ 0x5DEECE66DL);
            List<PriceInput> inputs = new ArrayList<>();
            while (inputs.size() < settings.factualExamples()) {
                PriceInput in = PriceInput.sample(rng);
                if (org.intervene4j.causal.task.PriceSplit.heldOut(in)) inputs.add(in);
            }
            taskAccuracy = FactualAccuracy.of(model, encoder, inputs);
        }
        return taskAccuracy;
    }

    /**
     * The counterfactual pairs of one hypothesis: train, dev (drawn with the training inputs but
     * never trained on) and test (sharing no input with either), label-balanced. They depend only
     * on the seed and the hypothesis.
     */
    public synchronized AlignmentSearch.Hypothesis data(PriceHypothesis h) {
        return data.computeIfAbsent(h, this::makeData);
    }

    private AlignmentSearch.Hypothesis makeData(PriceHypothesis h) {
        Random rng = new Random(settings.seed() * 31 + h.ordinal() + 1);
        PricePairs.Split split = PricePairs.split(h, settings.trainPairs() + settings.devPairs(), settings.testPairs(), rng);
        EncodedPairs trainAndDev = encoder.encode(split.train(), h.variableCount());
        EncodedPairs train = trainAndDev.range(0, settings.trainPairs());
        EncodedPairs dev = trainAndDev.range(settings.trainPairs(), trainAndDev.size());
        EncodedPairs test = encoder.encode(split.heldOut(), h.variableCount());
        return new AlignmentSearch.Hypothesis(h.cliName(), train, dev, test);
    }

    /** Trains one cell (the {@code boundless} command); the same result as that cell of a full study with this seed. */
    public CellResult trainCell(PriceHypothesis h, int layer, int position, TrainingListener listener) {
        AlignmentSearch.Hypothesis d = data(h);
        AlignmentSearch.Cell cell = new AlignmentSearch.Cell(h.cliName(), layer, position);
        CellOutcome o = BoundlessCellTrainer.train(model, d.train(), d.dev(), d.test(), layer, position, settings.cell(),
                AlignmentSearch.cellSeed(settings.seed(), cell), listener);
        return result(h, cell, o);
    }

    /**
     * Runs every cell not yet in {@code reportDir/results.json} (written by an earlier run with the
     * same model and settings; other seeds add their cells beside the earlier ones), writing the
     * results and the HTML report after each cell. Returns the final results.
     */
    public StudyResults run(Path reportDir, AlignmentSearch.Progress progress) throws IOException {
        long start = System.nanoTime();
        StudyResults initial = resumeOrStart(reportDir);
        double earlierSeconds = initial.totalSeconds();
        Set<AlignmentSearch.Cell> done = new HashSet<>();
        for (CellResult c : initial.cells()) {
            if (c.seed() == settings.seed()) done.add(new AlignmentSearch.Cell(c.hypothesis(), c.layer(), c.position()));
        }
        List<AlignmentSearch.Hypothesis> hyps = new ArrayList<>();
        for (PriceHypothesis h : settings.hypotheses()) hyps.add(data(h));
        int[] layers = layers().stream().mapToInt(Integer::intValue).toArray();
        int[] positions = settings.positions().stream().mapToInt(Integer::intValue).toArray();
        StudyResults[] current = {initial};
        IOException[] failure = new IOException[1];
        AlignmentSearch search = new AlignmentSearch(model, settings.cell(), settings.seed(), settings.parallel());
        search.run(hyps, layers, positions, done, new AlignmentSearch.Progress() {
            @Override
            public void searchStarted(int cellsToRun) {
                progress.searchStarted(cellsToRun);
            }

            @Override
            public void cellStarted(AlignmentSearch.Cell cell) {
                progress.cellStarted(cell);
            }

            @Override
            public void step(AlignmentSearch.Cell cell, TrainingListener.Step step, long totalSteps) {
                progress.step(cell, step, totalSteps);
            }

            @Override
            public void cellDone(AlignmentSearch.Cell cell, CellOutcome outcome) {
                synchronized (current) { // one cell at a time: the tokenizer and the results file are shared
                    CellResult r = result(PriceHypothesis.parse(cell.hypothesis()), cell, outcome);
                    current[0] = current[0].withCell(r, Instant.now(), earlierSeconds + (System.nanoTime() - start) / 1e9);
                    try {
                        StudyReport.write(reportDir, current[0]);
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                }
                progress.cellDone(cell, outcome);
            }
        });
        if (failure[0] != null) throw failure[0];
        StudyResults end = StudyResume.touched(current[0], earlierSeconds + (System.nanoTime() - start) / 1e9);
        StudyReport.write(reportDir, end);
        return end;
    }

    private StudyResults resumeOrStart(Path reportDir) throws IOException {
        Path json = reportDir.resolve(StudyReport.JSON_FILE);
        StudyResults earlier = Files.exists(json) ? StudyJson.read(json) : null;
        int[] ids = encoder.ids(EXAMPLE);
        for (int p : settings.positions()) absolute(p, ids.length);
        List<String> hypotheses = settings.hypotheses().stream().map(PriceHypothesis::cliName).toList();
        return StudyResume.start(earlier, json, modelName, model.info().layers(), settings.cell().component().key, layers(),
                settings.positions(), p -> encoder.token(ids[absolute(p, ids.length)]), encoder.prompt().render(EXAMPLE), hypotheses,
                earlier == null ? taskAccuracy() : earlier.taskAccuracy(), settings.factualExamples(),
                settings.describe(encoder.prompt().toString()));
    }

    /** {@code position} as a token index of a prompt of {@code length} tokens. */
    private static int absolute(int position, int length) {
        int abs = position < 0 ? length + position : position;
        if (abs < 0 || abs >= length) {
            throw new IllegalArgumentException("position " + position + " is outside the prompt (" + length + " tokens: use 0.."
                    + (length - 1) + " or -" + length + "..-1)");
        }
        return abs;
    }

    private CellResult result(PriceHypothesis h, AlignmentSearch.Cell cell, CellOutcome o) {
        List<String> names = Hypotheses.defaultVariables(h.cliName());
        Map<String, Double> perVariable = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (int v = 0; v < names.size(); v++) {
            perVariable.put(names.get(v), o.iiaPerVariable()[v]);
            widths.put(names.get(v), o.dims()[v]);
        }
        int[] ids = encoder.ids(EXAMPLE);
        int abs = absolute(cell.position(), ids.length);
        AlignmentSearch.Hypothesis d = data(h);
        return new CellResult(h.cliName(), cell.layer(), cell.position(), abs, encoder.token(ids[abs]), o.iia(), perVariable, widths,
                o.rotatedWidth(), d.train().size(), d.test().size(), (int) o.steps(), o.seconds(), settings.seed());
    }
}
