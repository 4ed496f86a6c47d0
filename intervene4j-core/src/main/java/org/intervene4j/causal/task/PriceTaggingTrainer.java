package org.intervene4j.causal.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.nn.TinyDecoder;
import org.intervene4j.train.AdamW;
import org.intervene4j.train.GradClip;
import org.intervene4j.train.LrSchedule;
import org.intervene4j.train.ParamGroup;

/**
 * Trains a {@link TinyDecoder} from scratch on the price-tagging task: every step draws a fresh
 * batch of training-part inputs ({@link PriceSplit}), encodes them as {@link PricePrompt#COMPACT}
 * prompts, and minimizes the cross-entropy of the answer token at the last prompt position,
 * with AdamW under a linear warm-up and cosine decay.
 *
 * <p>All randomness (the initial weights and every batch) comes from {@link Settings#seed()}:
 * the same settings give bit-identical weights on the same kernels and thread count.
 */
public final class PriceTaggingTrainer {
    /**
     * Hyperparameters of a run.
     *
     * @param seed        seed of the weights and of the data
     * @param steps       optimizer steps
     * @param batch       prompts per step
     * @param lr          peak learning rate
     * @param weightDecay AdamW decoupled weight decay on matrices (norms and biases get none)
     * @param dModel      residual width
     * @param layers      transformer blocks
     * @param heads       attention heads per block
     * @param mlpHidden   MLP width
     * @param maxSeq      rows of the position table (at least the prompt length)
     * @param nearBoundary share of training inputs whose amount lies within a few cents of a
     *                     boundary (see {@link PriceSplit#sampleTraining(Random, double)})
     */
    public record Settings(long seed, int steps, int batch, double lr, double weightDecay,
                           int dModel, int layers, int heads, int mlpHidden, int maxSeq, double nearBoundary) {
        public Settings {
            require(steps >= 1, "steps must be at least 1, got " + steps);
            require(batch >= 1, "batch must be at least 1, got " + batch);
            require(lr > 0 && Double.isFinite(lr), "lr must be a positive number, got " + lr);
            require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay must be >= 0, got " + weightDecay);
            require(dModel >= 1 && layers >= 1 && mlpHidden >= 1, "dModel, layers and mlpHidden must be positive");
            require(heads >= 1 && dModel % heads == 0, "heads must divide dModel (" + dModel + "), got " + heads);
            require(maxSeq >= CompactPricePrompt.TOKENS,
                    "maxSeq must hold a prompt (" + CompactPricePrompt.TOKENS + " tokens), got " + maxSeq);
            require(nearBoundary >= 0 && nearBoundary <= 1, "nearBoundary must be in [0, 1], got " + nearBoundary);
        }

        /** The settings of the shipped checkpoint (see {@link TaskModels#priceTagging()}). */
        public static Settings defaults() {
            return new Settings(1, 800, 256, 2e-3, 0.01, 64, 4, 4, 256, 32, 0.2);
        }

        public Settings withSeed(long value) {
            return new Settings(value, steps, batch, lr, weightDecay, dModel, layers, heads, mlpHidden, maxSeq, nearBoundary);
        }

        public Settings withSteps(int value) {
            return new Settings(seed, value, batch, lr, weightDecay, dModel, layers, heads, mlpHidden, maxSeq, nearBoundary);
        }

        /** The model these settings build (tied LM head, as GPT-2). */
        public TinyDecoder.Config modelConfig() {
            return new TinyDecoder.Config(PriceVocabulary.size(), maxSeq, dModel, heads, layers, mlpHidden, true);
        }
    }

    /** What one step reports: its loss and the share of its batch answered right. */
    public record Step(int step, float loss, float accuracy, double lr) {}

    /** Receives every step (a progress bar, a loss curve). */
    public interface Listener {
        void onStep(Step step);
    }

    private final Settings settings;
    private final TinyDecoder model;

    /** A freshly initialized model; nothing is trained until {@link #train}. */
    public PriceTaggingTrainer(Settings settings) {
        this.settings = settings;
        this.model = new TinyDecoder(settings.modelConfig(), new Random(settings.seed()));
    }

    public Settings settings() {
        return settings;
    }

    /** The model being trained (its parameters are live). */
    public TinyDecoder model() {
        return model;
    }

    /** Runs every step; returns the trained model. */
    public TinyDecoder train(Listener listener) {
        // a second stream from the same seed, so the data does not depend on the model's size
        Random data = new Random(settings.seed() * 0x9E3779B97F4A7C15L + 1);
        List<Tensor> matrices = new ArrayList<>();
        List<Tensor> vectors = new ArrayList<>();
        for (Tensor p : model.parameters().values()) (p.dim() >= 2 ? matrices : vectors).add(p);
        AdamW optimizer = new AdamW(List.of(
                ParamGroup.builder("matrices").add(matrices).lr(settings.lr()).weightDecay(settings.weightDecay()).build(),
                ParamGroup.builder("norms and biases").add(vectors).lr(settings.lr()).weightDecay(0).build()));
        List<Tensor> all = optimizer.params();
        LrSchedule schedule = LrSchedule.warmupCosine(Math.max(1, settings.steps() / 20), settings.steps(), 0.05);
        int vocab = PriceVocabulary.size();
        int answerAt = CompactPricePrompt.ANSWER_POSITION;
        for (int step = 1; step <= settings.steps(); step++) {
            int[][] ids = new int[settings.batch()][];
            int[] targets = new int[settings.batch()];
            for (int i = 0; i < ids.length; i++) {
                PriceInput input = PriceSplit.sampleTraining(data, settings.nearBoundary());
                ids[i] = PriceVocabulary.encode(input);
                targets[i] = PriceVocabulary.answerId(input);
            }
            schedule.apply(optimizer);
            double lr = optimizer.groups().get(0).lr();
            float lossValue;
            float accuracy;
            try (Arena arena = Arena.open()) {
                Tensor logits = model.forward(ids);                                            // [batch, seq, vocab]
                Tensor last = logits.narrow(1, answerAt, 1).reshape(ids.length, vocab);        // [batch, vocab]
                Tensor loss = Ops.crossEntropy(last, targets, -1);                             // []
                loss.backward();
                GradClip.clipGradNorm(all, 1.0);
                optimizer.step();
                optimizer.zeroGrad();
                lossValue = loss.item();
                accuracy = batchAccuracy(last, targets);
            }
            listener.onStep(new Step(step, lossValue, accuracy, lr));
        }
        return model;
    }

    private static float batchAccuracy(Tensor last, int[] targets) {
        Tensor c = last.contiguous(); // [batch, vocab]
        int vocab = c.size(1);
        int right = 0;
        for (int i = 0; i < targets.length; i++) {
            if (PriceTaggingAccuracy.argmax(c.data(), c.offset() + i * vocab, vocab) == targets[i]) right++;
        }
        return right / (float) targets.length;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("price-tagging training: " + message);
    }
}
