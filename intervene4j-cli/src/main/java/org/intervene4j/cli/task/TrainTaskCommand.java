package org.intervene4j.cli.task;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.intervene4j.causal.task.PricePrompt;
import org.intervene4j.causal.task.PriceInput;
import org.intervene4j.causal.task.PriceTaggingCheckpoint;
import org.intervene4j.causal.task.PriceTaggingTrainer;
import org.intervene4j.cli.ProgressBar;
import org.intervene4j.cli.UserError;
import org.intervene4j.cli.Version;
import org.intervene4j.engine.kernel.WorkerPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code intervene4j train-task}: trains a task model from scratch and writes it as a Hugging
 * Face checkpoint directory. With the default seed and steps it reproduces the shipped model
 * ({@link org.intervene4j.causal.task.TaskModels#priceTagging()}).
 */
@Command(name = "train-task", sortOptions = false,
        description = {
            "Train a task model from scratch (a small GPT-2) and write it as a checkpoint directory",
            "(config.json, model.safetensors, tokenizer.json, training.json), then print its held-out accuracy.",
            "The defaults reproduce the model intervene4j ships."
        })
public final class TrainTaskCommand implements Callable<Integer> {
    private static final PriceTaggingTrainer.Settings DEFAULTS = PriceTaggingTrainer.Settings.defaults();

    @Option(names = "--task", paramLabel = "NAME", required = true, description = "The task: price-tagging.")
    String task;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Checkpoint directory to write.")
    Path out;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the weights and the data (default: the shipped model's).")
    Long seed;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps (default: the shipped model's).")
    Integer steps;

    @Option(names = "--layers", paramLabel = "N", description = "Transformer blocks (default: the shipped model's).")
    Integer layers;

    @Option(names = "--single-bound", paramLabel = "SHARE",
            description = {"Share of each batch given to single-bound questions ('above LO : AMOUNT ?',",
                "'below HI : AMOUNT ?'); 0 trains on 'between' prompts only (default: the shipped model's)."})
    Double singleBound;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!"price-tagging".equals(task)) {
            throw new UserError("--task: unknown task '" + task + "' (known: price-tagging)");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError("--out: " + out + " exists and is not a directory");
        }
        PriceTaggingTrainer.Settings settings = DEFAULTS;
        if (seed != null) settings = settings.withSeed(seed);
        if (steps != null) {
            if (steps < 1) throw new UserError("--steps must be at least 1, got " + steps);
            settings = settings.withSteps(steps);
        }
        if (layers != null) {
            if (layers < 1) throw new UserError("--layers must be at least 1, got " + layers);
            settings = settings.withLayers(layers);
        }
        if (singleBound != null) {
            if (!(singleBound >= 0 && singleBound < 1)) {
                throw new UserError("--single-bound must be in [0, 1), got " + singleBound);
            }
            settings = settings.withSingleBound(singleBound);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PriceTaggingTrainer trainer = new PriceTaggingTrainer(settings);
        stdout.printf(Locale.ROOT, "task: price tagging, prompts like '%s' -> yes | no%n",
                PricePrompt.COMPACT.render(new PriceInput(125, 673, 450)));
        stdout.printf(Locale.ROOT, "model: GPT-2, d_model %d, %d layers, %d heads, MLP %d, %,d parameters (seed %d)%n",
                settings.dModel(), settings.layers(), settings.heads(), settings.mlpHidden(),
                trainer.model().parameterCount(), settings.seed());
        stdout.printf(Locale.ROOT, "train: %d steps of %d prompts (%d single-bound), AdamW lr %s, on %s%n", settings.steps(),
                settings.batch(), settings.singleBoundPerBatch(), settings.lr(), Version.threads(WorkerPool.global().threads()));
        stdout.flush();

        ProgressBar bar = ProgressBar.onStderr(spec.commandLine().getErr(), "train", settings.steps());
        double[] smooth = new double[2]; // running averages of loss and batch accuracy
        long start = System.nanoTime();
        trainer.train(s -> {
            double keep = s.step() == 1 ? 0 : 0.9;
            smooth[0] = keep * smooth[0] + (1 - keep) * s.loss();
            smooth[1] = keep * smooth[1] + (1 - keep) * s.accuracy();
            bar.metric("loss", "%.4f", smooth[0]).metric("acc", "%.3f", smooth[1]).step();
        });
        bar.finish();
        double seconds = (System.nanoTime() - start) / 1e9;

        double accuracy = PriceTaggingCheckpoint.write(trainer.model(), settings, out);
        stdout.printf(Locale.ROOT, "held-out accuracy: %.2f%% (%d prompts never trained on)%n", 100 * accuracy,
                PriceTaggingCheckpoint.HELD_OUT_SIZE);
        stdout.printf(Locale.ROOT, "time: training %.1f s%n", seconds);
        stdout.printf(Locale.ROOT, "wrote %s%n", out);
        stdout.flush();
        return 0;
    }
}
