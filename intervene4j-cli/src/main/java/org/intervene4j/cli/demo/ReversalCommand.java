package org.intervene4j.cli.demo;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.intervene4j.cli.ProgressBar;
import org.intervene4j.cli.Terminal;
import org.intervene4j.cli.TextChart;
import org.intervene4j.cli.Version;
import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.engine.kernel.WorkerPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code intervene4j reversal}: trains a tiny decoder-only transformer from scratch to reverse digit
 * strings, on the CPU, then reports the loss curve and held-out accuracy.
 */
@Command(name = "reversal", sortOptions = false,
        description = {
            "Train a tiny decoder-only transformer from scratch to reverse digit strings",
            "(3 1 4 | -> 4 1 3), then decode held-out strings greedily and report accuracy."
        })
public final class ReversalCommand implements Callable<Integer> {
    @Option(names = "--steps", paramLabel = "N", defaultValue = "600", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "5e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed of the weights and the data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--length", paramLabel = "N", defaultValue = "6", description = "Longest string; lengths are 1 to this (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--digits", paramLabel = "N", defaultValue = "10", description = "Size of the digit alphabet (default: ${DEFAULT-VALUE}).")
    int digits;

    @Option(names = "--d-model", paramLabel = "N", defaultValue = "64", description = "Width of the residual stream (default: ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "2", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", paramLabel = "N", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--eval", paramLabel = "N", defaultValue = "1000", description = "Held-out strings to decode (default: ${DEFAULT-VALUE}).")
    int evalSize;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ReversalTraining.Settings settings = new ReversalTraining.Settings(
                steps, batch, lr, seed, digits, length, dModel, layers, heads, evalSize);
        ReversalTraining run = new ReversalTraining(settings);
        ReversalTask task = run.task();

        out.printf(Locale.ROOT, "task: reverse strings of 1-%d digits (0-%d), e.g. %s%n", length, digits - 1, example(task));
        out.printf(Locale.ROOT, "model: decoder-only transformer, d_model %d, %d layers, %d heads, %,d parameters (seed %d)%n",
                dModel, layers, heads, run.model().parameterCount(), seed);
        out.printf(Locale.ROOT, "train: %d steps of %d sequences, AdamW lr %s, on %s with %s kernels%n",
                steps, batch, lr, Version.threads(WorkerPool.global().threads()), KernelConfig.vectorized() ? "vector" : "scalar");
        out.flush();

        float[] losses = new float[steps];
        float[] accuracies = new float[steps];
        ProgressBar bar = ProgressBar.onStderr(spec.commandLine().getErr(), "train", steps);
        double[] smooth = new double[2]; // running averages of loss and accuracy, for a steady display
        long start = System.nanoTime();
        run.train(s -> {
            losses[s.step() - 1] = s.loss();
            accuracies[s.step() - 1] = s.accuracy();
            double keep = s.step() == 1 ? 0 : 0.9;
            smooth[0] = keep * smooth[0] + (1 - keep) * s.loss();
            smooth[1] = keep * smooth[1] + (1 - keep) * s.accuracy();
            bar.metric("loss", "%.4f", smooth[0]).metric("acc", "%.3f", smooth[1]).step();
        });
        bar.finish();
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        printLossCurve(out, losses, accuracies);
        long evalStart = System.nanoTime();
        ReversalTraining.Evaluation eval = run.evaluate();
        double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
        printEvaluation(out, task, eval);
        out.printf(Locale.ROOT, "time: training %.1f s (%.1f steps/s, %,.0f tokens/s), evaluation %.1f s%n",
                trainSeconds, steps / trainSeconds, steps * (double) batch * task.seq() / trainSeconds, evalSeconds);
        out.flush();
        return 0;
    }

    private static String example(ReversalTask task) {
        int[] string = new int[Math.min(5, task.maxLength())];
        for (int i = 0; i < string.length; i++) string[i] = (3 + 4 * i) % (task.vocab() - 2);
        return tokens(string, 0, string.length, task) + " | -> " + tokens(ReversalTask.reversed(string), 0, string.length, task);
    }

    private static void printLossCurve(PrintWriter out, float[] losses, float[] accuracies) {
        int n = losses.length;
        float[] logLoss = new float[n]; // log scale: the late, small improvements stay visible
        for (int i = 0; i < n; i++) logLoss[i] = (float) Math.log(Math.max(losses[i], 1e-6f));
        out.printf(Locale.ROOT, "%nloss (log scale)  %s  %.3f -> %.3f%n",
                TextChart.sparkline(logLoss, 60, Terminal.stdoutIsUnicode()),
                mean(losses, 0, Math.min(n, 10)), mean(losses, Math.max(0, n - 10), n));
        out.println();
        out.println("   step     loss  train acc");
        int rows = Math.min(10, n);
        for (int r = 1; r <= rows; r++) {
            int to = (int) ((long) n * r / rows);
            int from = (int) ((long) n * (r - 1) / rows);
            out.printf(Locale.ROOT, "%7d  %7.4f  %9s%n", to, mean(losses, from, to), TextChart.percent(mean(accuracies, from, to)));
        }
    }

    private static void printEvaluation(PrintWriter out, ReversalTask task, ReversalTraining.Evaluation eval) {
        out.printf(Locale.ROOT, "%nheld-out (%d strings never trained on, greedy decoding):%n", eval.sequences());
        out.printf(Locale.ROOT, "  token accuracy %s   exact match %s%n",
                TextChart.percent(eval.tokenAccuracy()), TextChart.percent(eval.exactMatch()));
        int shown = Math.min(4, eval.sequences());
        for (int i = 0; i < shown; i++) {
            int[] in = eval.inputs()[i];
            int[] predicted = eval.predictions()[i];
            boolean right = java.util.Arrays.equals(predicted, ReversalTask.reversed(in));
            out.printf(Locale.ROOT, "  %s | -> %s  %s%n", tokens(in, 0, in.length, task),
                    tokens(predicted, 0, predicted.length, task), right ? "(right)" : "(wrong)");
        }
    }

    private static String tokens(int[] ids, int from, int count, ReversalTask task) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            if (i > from) sb.append(' ');
            sb.append(ids[i] == task.separator() ? "|" : ids[i] == task.pad() ? "_" : Integer.toString(ids[i]));
        }
        return sb.toString();
    }

    private static double mean(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += v[i];
        return to > from ? s / (to - from) : Double.NaN;
    }
}
