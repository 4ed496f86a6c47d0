package org.intervene4j.cli.study;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.intervene4j.causal.study.PriceTaggingStudy;
import org.intervene4j.causal.study.StudySettings;
import org.intervene4j.causal.task.PriceHypothesis;
import org.intervene4j.cli.ProgressBar;
import org.intervene4j.cli.UserError;
import org.intervene4j.cli.model.JsonFiles;
import org.intervene4j.intervention.training.TrainingListener;
import org.intervene4j.model.CausalLM;
import org.intervene4j.report.CellResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code intervene4j boundless}: trains one alignment cell (one hypothesis at one layer and
 * position) and writes {@code {"iia", "task_accuracy", "boundary_widths", "layer", "position", ...}}.
 * The cell is the same as that cell of a {@code demo} study with the same seed and sizes.
 */
@Command(name = "boundless", sortOptions = false,
        description = {"Train one Boundless DAS alignment (one hypothesis at one layer and token position) on counterfactual pairs",
                "of the task, and write its held-out interchange intervention accuracy (IIA) and learned boundary widths."})
public final class BoundlessCommand implements Callable<Integer> {
    @Mixin
    StudyModel model;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "price-tagging", description = "The task (default: ${DEFAULT-VALUE}; the only one so far).")
    String task;

    @Option(names = "--variable", required = true, paramLabel = "NAME",
            description = "Hypothesis to align: left, right, both, midpoint or bracket.")
    String variable;

    @Option(names = "--layer", required = true, paramLabel = "L", description = "Layer of the residual-stream site (blocks.L.block_output).")
    int layer;

    @Option(names = "--position", required = true, paramLabel = "P",
            description = "Token position in the prompt; negative counts from its end (-1 = last token).")
    int position;

    @Mixin
    StudyOptions options;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the JSON result.")
    Path out;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!task.equals("price-tagging")) throw new UserError("--task: unknown task '" + task + "' (known: price-tagging)");
        PriceHypothesis hypothesis = StudyOptions.hypothesis("--variable", variable);
        PrintWriter err = spec.commandLine().getErr();
        CausalLM lm = model.load();
        int layers = lm.info().layers();
        if (layer < 0 || layer >= layers) {
            throw new UserError("--layer: " + layer + " is out of range (the model has " + layers + " layers, 0.." + (layers - 1) + ")");
        }
        StudySettings settings = new StudySettings(List.of(hypothesis), List.of(layer), List.of(position), options.trainPairs(),
                options.devPairs(), options.testPairs(), 2000, options.cell(), options.seed(), 1);
        PriceTaggingStudy study = new PriceTaggingStudy(lm, model.tokenizer(), model.promptFormat(), model.name(), settings);
        double accuracy = study.taskAccuracy();
        long steps = (long) ((options.trainPairs() + settings.cell().batchSize() - 1) / settings.cell().batchSize()) * settings.cell().epochs();
        ProgressBar bar = ProgressBar.onStderr(err, "train", steps);
        CellResult r = study.trainCell(hypothesis, layer, position, new TrainingListener() {
            @Override
            public void onStep(Step s) {
                bar.metric("loss", "%.4f", s.loss()).metric("acc", "%.3f", s.accuracy()).metric("tau", "%.2f", s.temperature()).step();
            }
        });
        bar.finish();

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("iia", r.iia());
        json.put("task_accuracy", accuracy);
        json.put("boundary_widths", List.copyOf(r.widths().values()));
        json.put("layer", layer);
        json.put("position", position);
        json.put("variable", hypothesis.cliName());
        json.put("iia_per_variable", r.iiaPerVariable());
        json.put("widths_by_variable", r.widths());
        json.put("rotated_width", r.rotatedWidth());
        json.put("absolute_position", r.absolutePosition());
        json.put("token", r.token());
        json.put("train_pairs", r.trainPairs());
        json.put("test_pairs", r.heldOutPairs());
        json.put("steps", r.steps());
        json.put("seconds", r.seconds());
        json.put("seed", options.seed());
        JsonFiles.write(out, json);
        spec.commandLine().getOut().printf(Locale.ROOT, "%s at layer %d, position %d (%s): IIA %.3f, widths %s of %d dims, task accuracy %.3f -> %s%n",
                hypothesis.cliName(), layer, position, r.token(), r.iia(), r.widths(), r.rotatedWidth(), accuracy, out);
        return 0;
    }
}
