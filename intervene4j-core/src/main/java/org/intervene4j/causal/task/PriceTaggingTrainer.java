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
 * prompts (and, for a share {@link Settings#singleBound()} of the batch, as single-bound
 * questions {@code above LO : AMOUNT ?} / {@code below HI : AMOUNT ?}), and minimizes the
 * cross-entropy of the answer token at the last prompt position, with AdamW under a linear
 * warm-up and cosine decay.
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
     * @param singleBound  share of each batch given to single-bound questions, half
     *                     {@code above LO : AMOUNT ?} (amount >= lo) and half
     *                     {@code below HI : AMOUNT ?} (amount <= hi); the rest are COMPACT
     *                     {@code between} prompts. 0 trains on {@code between} prompts only.
     */
    public record Settings(long seed, int steps, int batch, double lr, double weightDecay,
                           int dModel, int layers, int heads, int mlpHidden, int maxSeq, double nearBoundary,
                           double singleBound) {
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
            require(singleBound >= 0 && singleBound < 1, "singleBound must be in [0, 1), got " + singleBound);
        }

        /** Settings that train on {@code between} prompts only (no single-bound questions). */
        public Settings(long seed, int steps, int batch, double lr, double weightDecay,
                        int dModel, int layers, int heads, int mlpHidden, int maxSeq, double nearBoundary) {
            this(seed, steps, batch, lr, weightDecay, dModel, layers, heads, mlpHidden, maxSeq, nearBoundary, 0);
        }

        /**
         * The settings of the shipped checkpoint (see {@link TaskModels#priceTagging()}): 70% of
         * each batch are single-bound questions, so the model learns "amount >= lo" and
         * "amount <= hi" as tests of their own and composes them for {@code between}; with it the
         * study aligns left and right at layer 1 of the last token (IIA about 0.9 each, the
         * midpoint control lower). {@link #betweenOnly()} is the earlier recipe.
         */
        public static Settings defaults() {
            return betweenOnly().withSingleBound(0.7);
        }

        /** The first shipped recipe: {@code between} prompts only (99.35% held-out; left/right IIA about 0.8/0.7). */
        public static Settings betweenOnly() {
            return new Settings(1, 800, 256, 2e-3, 0.01, 64, 4, 4, 256, 32, 0.2, 0);
        }

        public Settings withSeed(long value) {
            return new Settings(value, steps, batch, lr, weightDecay, dModel, layers, heads, mlpHidden, maxSeq, nearBoundary,
                    singleBound);
        }

        public Settings withSteps(int value) {
            return new Settings(seed, value, batch, lr, weightDecay, dModel, layers, heads, mlpHidden, maxSeq, nearBoundary,
                    singleBound);
        }

        public Settings withLayers(int value) {
            return new Settings(seed, steps, batch, lr, weightDecay, dModel, value, heads, mlpHidden, maxSeq, nearBoundary,
                    singleBound);
        }

        public Settings withSingleBound(double value) {
            return new Settings(seed, steps, batch, lr, weightDecay, dModel, layers, heads, mlpHidden, maxSeq, nearBoundary,
                    value);
        }

        /** Single-bound questions per batch: {@code round(batch * singleBound)}, rounded down to even. */
        public int singleBoundPerBatch() {
            return (int) Math.round(batch * singleBound) / 2 * 2;
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
        int half = settings.singleBoundPerBatch() / 2;  // above questions, and as many below questions
        int between = settings.batch() - 2 * half;
        for (int step = 1; step <= settings.steps(); step++) {
            // drawn in a fixed order (between, then above, then below) so runs are reproducible
            Questions compact = new Questions(between, CompactPricePrompt.ANSWER_POSITION);
            for (int i = 0; i < between; i++) {
                PriceInput input = PriceSplit.sampleTraining(data, settings.nearBoundary());
                compact.set(i, PriceVocabulary.encode(input), PriceVocabulary.answerId(input));
            }
            Questions above = new Questions(half, PriceVocabulary.SINGLE_BOUND_TOKENS - 1);
            Questions below = new Questions(half, PriceVocabulary.SINGLE_BOUND_TOKENS - 1);
            for (int i = 0; i < half; i++) {
                PriceInput a = PriceSplit.sampleTraining(data, settings.nearBoundary());
                above.set(i, PriceVocabulary.encodeAbove(a), PriceVocabulary.aboveAnswerId(a));
                PriceInput b = PriceSplit.sampleTraining(data, settings.nearBoundary());
                below.set(i, PriceVocabulary.encodeBelow(b), PriceVocabulary.belowAnswerId(b));
            }
            schedule.apply(optimizer);
            double lr = optimizer.groups().get(0).lr();
            float lossValue;
            float accuracy;
            try (Arena arena = Arena.open()) {
                // mean cross-entropy over the whole batch: each form weighted by its share of prompts
                Tensor loss = null;
                int right = 0;
                for (Questions q : List.of(compact, above, below)) {
                    if (q.ids.length == 0) continue;
                    Tensor logits = model.forward(q.ids);                                        // [n, seq, vocab]
                    Tensor last = logits.narrow(1, q.answerAt, 1).reshape(q.ids.length, vocab);  // [n, vocab]
                    Tensor part = Ops.scale(Ops.crossEntropy(last, q.targets, -1),
                            q.ids.length / (float) settings.batch());                            // []
                    loss = loss == null ? part : Ops.add(loss, part);
                    right += correct(last, q.targets);
                }
                loss.backward();
                GradClip.clipGradNorm(all, 1.0);
                optimizer.step();
                optimizer.zeroGrad();
                lossValue = loss.item();
                accuracy = right / (float) settings.batch();
            }
            listener.onStep(new Step(step, lossValue, accuracy, lr));
        }
        return model;
    }

    /** Prompts of one form (same length), their answer position and answer ids. */
    private static final class Questions {
        final int[][] ids;
        final int[] targets;
        final int answerAt;

        Questions(int count, int answerAt) {
            this.ids = new int[count][];
            this.targets = new int[count];
            this.answerAt = answerAt;
        }

        void set(int i, int[] prompt, int target) {
            ids[i] = prompt;
            targets[i] = target;
        }
    }

    private static int correct(Tensor last, int[] targets) {
        Tensor c = last.contiguous(); // [n, vocab]
        int vocab = c.size(1);
        int right = 0;
        for (int i = 0; i < targets.length; i++) {
            if (PriceTaggingAccuracy.argmax(c.data(), c.offset() + i * vocab, vocab) == targets[i]) right++;
        }
        return right;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("price-tagging training: " + message);
    }
}
