package org.intervene4j.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.nn.TinyDecoder;
import org.intervene4j.train.AdamW;
import org.intervene4j.train.GradClip;
import org.intervene4j.train.LrSchedule;
import org.intervene4j.train.ParamGroup;

/**
 * Trains a {@link TinyDecoder} from scratch on {@link ReversalTask} and evaluates it by greedy
 * decoding on held-out digit strings. Everything is drawn from the seed, so a run is
 * reproducible (on the same kernels and thread count).
 */
final class ReversalTraining {
    /** Hyperparameters of a run. */
    record Settings(int steps, int batch, float lr, long seed, int digits, int length,
                    int dModel, int layers, int heads, int evalSize) {
        Settings {
            require(steps >= 1, "--steps must be at least 1, got " + steps);
            require(batch >= 1, "--batch must be at least 1, got " + batch);
            require(lr > 0 && Float.isFinite(lr), "--lr must be a positive number, got " + lr);
            require(dModel >= 1, "--d-model must be positive, got " + dModel);
            require(layers >= 1, "--layers must be at least 1, got " + layers);
            require(heads >= 1 && dModel % heads == 0, "--heads must divide --d-model (" + dModel + "), got " + heads);
            require(evalSize >= 1, "--eval must be at least 1, got " + evalSize);
        }
    }

    /** What one training step reports. */
    record StepStats(int step, float loss, float accuracy, float lr) {}

    /** Receives every step's numbers (the progress bar, the loss curve). */
    interface Listener {
        void onStep(StepStats stats);
    }

    /** Held-out results: per-token and whole-sequence accuracy of greedy decoding, and a few examples. */
    record Evaluation(int sequences, double tokenAccuracy, double exactMatch, int[][] inputs, int[][] predictions) {}

    private final Settings settings;
    private final ReversalTask task;
    private final TinyDecoder model;

    ReversalTraining(Settings settings) {
        this.settings = settings;
        this.task = new ReversalTask(settings.digits(), settings.length());
        TinyDecoder.Config config = new TinyDecoder.Config(task.vocab(), task.seq(), settings.dModel(),
                settings.heads(), settings.layers(), 4 * settings.dModel(), true);
        this.model = new TinyDecoder(config, new Random(settings.seed()));
    }

    ReversalTask task() {
        return task;
    }

    TinyDecoder model() {
        return model;
    }

    /** Runs all training steps. */
    void train(Listener listener) {
        Random data = new Random(settings.seed() * 31 + 7);
        // decoupled weight decay on matrices only, not on norms and biases
        List<Tensor> matrices = new ArrayList<>();
        List<Tensor> vectors = new ArrayList<>();
        for (Tensor p : model.parameters().values()) (p.dim() >= 2 ? matrices : vectors).add(p);
        AdamW optimizer = new AdamW(List.of(
                ParamGroup.builder("matrices").add(matrices).lr(settings.lr()).weightDecay(0.01).build(),
                ParamGroup.builder("norms and biases").add(vectors).lr(settings.lr()).weightDecay(0).build()));
        List<Tensor> all = optimizer.params();
        LrSchedule schedule = schedule();
        int vocab = task.vocab();
        for (int step = 1; step <= settings.steps(); step++) {
            ReversalTask.Batch batch = task.trainBatch(data, settings.batch());
            schedule.apply(optimizer, step);
            float lr = (float) optimizer.groups().get(0).lr();
            float lossValue;
            float accuracy;
            try (Arena arena = Arena.open()) {
                Tensor logits = model.forward(batch.inputs());                      // [batch, seq, vocab]
                Tensor flat = logits.reshape(-1, vocab);                              // [batch * seq, vocab]
                Tensor loss = Ops.crossEntropy(flat, batch.targets(), ReversalTask.IGNORE); // []
                loss.backward();
                GradClip.clipGradNorm(all, 1.0);
                optimizer.step();
                optimizer.zeroGrad();
                lossValue = loss.item();
                accuracy = teacherForcedAccuracy(flat, batch.targets());
            }
            listener.onStep(new StepStats(step, lossValue, accuracy, lr));
        }
    }

    /** Linear warm-up over the first 5% of steps, then cosine decay to a tenth of the peak. */
    LrSchedule schedule() {
        return LrSchedule.warmupCosine(Math.max(1, settings.steps() / 20), settings.steps(), 0.1);
    }

    /** Share of counted targets whose arg-max logit is right. */
    private static float teacherForcedAccuracy(Tensor logits, int[] targets) {
        Tensor c = logits.contiguous();       // [n, vocab]
        int vocab = c.size(1);
        float[] d = c.data();
        int off = c.offset();
        int counted = 0;
        int right = 0;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == ReversalTask.IGNORE) continue;
            counted++;
            if (argmax(d, off + i * vocab, vocab) == targets[i]) right++;
        }
        return counted == 0 ? 0f : right / (float) counted;
    }

    /**
     * Greedy decoding of {@code settings.evalSize()} held-out strings: the model writes the
     * reversal one token at a time, reading its own previous outputs.
     */
    Evaluation evaluate() {
        int[][] strings = task.heldOut(new Random(settings.seed() ^ 0x5DEECE66DL), settings.evalSize());
        int n = strings.length;
        int[][] predictions = new int[n][];
        int chunk = 256;
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < n; from += chunk) {
                decodeChunk(strings, predictions, from, Math.min(chunk, n - from));
            }
        }
        long tokens = 0;
        long rightTokens = 0;
        int exact = 0;
        for (int i = 0; i < n; i++) {
            int[] expected = ReversalTask.reversed(strings[i]);
            int right = 0;
            for (int j = 0; j < expected.length; j++) if (predictions[i][j] == expected[j]) right++;
            tokens += expected.length;
            rightTokens += right;
            if (right == expected.length) exact++;
        }
        return new Evaluation(n, rightTokens / (double) tokens, exact / (double) n, strings, predictions);
    }

    /** Decodes rows {@code [from, from + rows)}; a row of n digits reads its j-th output at position n + j. */
    private void decodeChunk(int[][] strings, int[][] predictions, int from, int rows) {
        int longest = 0;
        int[][] buffer = new int[rows][task.seq()];
        for (int r = 0; r < rows; r++) {
            int[] s = strings[from + r];
            longest = Math.max(longest, s.length);
            java.util.Arrays.fill(buffer[r], task.pad());
            System.arraycopy(s, 0, buffer[r], 0, s.length);
            buffer[r][s.length] = task.separator();
            predictions[from + r] = new int[s.length];
        }
        for (int j = 0; j < longest; j++) {
            // Causal attention: what lies beyond a row's current end cannot change its logits.
            int width = Math.min(task.seq(), longest + 1 + j);
            int[][] ids = new int[rows][];
            for (int r = 0; r < rows; r++) ids[r] = java.util.Arrays.copyOf(buffer[r], width);
            try (Arena arena = Arena.open()) {
                Tensor logits = model.forward(ids).contiguous();                 // [rows, width, vocab]
                int vocab = logits.size(2);
                float[] d = logits.data();
                for (int r = 0; r < rows; r++) {
                    int len = strings[from + r].length;
                    if (j >= len) continue;
                    int position = len + j;
                    int next = argmax(d, logits.offset() + (r * width + position) * vocab, vocab);
                    predictions[from + r][j] = next;
                    if (position + 1 < task.seq()) buffer[r][position + 1] = next;
                }
            }
        }
    }

    private static int argmax(float[] d, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) if (d[from + i] > d[from + best]) best = i;
        return best;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
