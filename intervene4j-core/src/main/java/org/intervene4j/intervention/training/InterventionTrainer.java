package org.intervene4j.intervention.training;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.crossEntropy;
import static org.intervene4j.engine.Ops.indexSelect;
import static org.intervene4j.engine.Ops.scale;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.intervention.IntervenableModel;
import org.intervene4j.intervention.Intervention;
import org.intervene4j.intervention.InterventionSpec;
import org.intervene4j.intervention.Penalized;
import org.intervene4j.intervention.PerExampleVariables;
import org.intervene4j.intervention.SoftMasked;
import org.intervene4j.io.DType;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.io.SafetensorsWriter;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.train.Adam;
import org.intervene4j.train.GradClip;
import org.intervene4j.train.LrSchedule;
import org.intervene4j.train.Optimizer;
import org.intervene4j.train.ParamGroup;
import org.intervene4j.train.ScalarSchedule;

/**
 * Trains the interventions of an {@link IntervenableModel} through the frozen model on
 * counterfactual batches: the loss is the cross-entropy of each example's counterfactual label
 * at its label position, plus {@code λ · penalty()} of every {@link Penalized} intervention
 * (λ = 1 by default: the Boundless DAS width penalty) and any extra terms. Only the tensors
 * that the interventions list in {@code parameters()} and that require grad are updated; the
 * model's weights are never touched and, being frozen (loaded checkpoints never require grad),
 * never get gradients.
 *
 * <p>Each optimizer step: set the mask temperature from its schedule (default for soft masks:
 * 50 -> 0.1 linearly over the steps of {@link #train}; read τ against the rotated width D — for a
 * small D start lower, see {@link Builder#temperature}), set the learning rates from the
 * schedule, run {@code accumulation} micro-batches (each inside its own {@link Arena} with grad
 * mode on, loss scaled by {@code 1/accumulation}), clip, update. Every {@code evaluateEvery}
 * steps the held-out IIA is measured with hard masks and the best parameters are copied (highest
 * IIA; ties go to the lower held-out CE + λ Σ penalties); at the
 * end they are restored (unless {@link Builder#keepBest(boolean) keepBest(false)}). Checkpoints
 * hold the parameters, the step count and the best copy (Adam moments are not saved: a resumed
 * run restarts them). After {@code train} the masks are left hard (ready for evaluation).
 *
 * <pre>{@code
 * InterventionTrainer trainer = InterventionTrainer.builder(intervenable)
 *         .lr(1e-3)
 *         .group("boundaries", name -> name.endsWith("raw_widths"), 1e-2)
 *         .evaluateEvery(50, heldOut)
 *         .listener(new TrainingListener() { ... })
 *         .build();
 * InterventionTrainer.Result r = trainer.train(step -> batches.get((int) (step % batches.size())), 1000);
 * }</pre>
 */
public final class InterventionTrainer {
    private static final String CHECKPOINT_FORMAT = "intervene4j.intervention_trainer.v1";

    private final IntervenableModel model;
    private final Map<String, Tensor> trainable;
    private final Map<String, Tensor> allParams;
    private final Optimizer optimizer;
    private final List<SoftMasked> softMasks = new ArrayList<>();
    private final List<Penalized> penalized = new ArrayList<>();
    private final List<PerExampleVariables> multiVariable = new ArrayList<>();
    private final Builder config;
    private long step;
    private double bestAccuracy = Double.NEGATIVE_INFINITY;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private long bestStep = -1;
    private Map<String, float[]> best;

    /** What {@link #train} did. */
    public record Result(long steps, double lastLoss, double bestAccuracy, long bestStep, boolean restoredBest) {
    }

    /** Held-out measurement. */
    public record Evaluation(double accuracy, double loss, int examples) {
    }

    private InterventionTrainer(Builder b) {
        this.model = b.model;
        this.config = b;
        this.allParams = model.parameters();
        this.trainable = new LinkedHashMap<>();
        allParams.forEach((name, t) -> {
            if (t.requiresGrad()) trainable.put(name, t);
        });
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("intervention trainer: the interventions have no trainable parameter");
        }
        Map<Intervention, Boolean> seen = new IdentityHashMap<>();
        for (InterventionSpec s : model.specs()) {
            Intervention iv = s.intervention();
            if (seen.put(iv, true) != null) continue;
            if (iv instanceof SoftMasked m) softMasks.add(m);
            if (iv instanceof Penalized p) penalized.add(p);
            if (iv instanceof PerExampleVariables v) multiVariable.add(v);
        }
        this.optimizer = new Adam(groups(b));
    }

    /** Parameters split by the builder's groups, first match wins; the rest in "default". */
    private List<ParamGroup> groups(Builder b) {
        List<List<Tensor>> members = new ArrayList<>();
        for (int g = 0; g < b.groupNames.size(); g++) members.add(new ArrayList<>());
        List<Tensor> rest = new ArrayList<>();
        trainable.forEach((name, t) -> {
            for (int g = 0; g < b.groupNames.size(); g++) {
                if (b.groupSelectors.get(g).test(name)) {
                    members.get(g).add(t);
                    return;
                }
            }
            rest.add(t);
        });
        List<ParamGroup> out = new ArrayList<>();
        for (int g = 0; g < members.size(); g++) {
            if (members.get(g).isEmpty()) continue;
            out.add(ParamGroup.builder(b.groupNames.get(g)).add(members.get(g)).lr(b.groupLrs.get(g)).weightDecay(b.weightDecay).build());
        }
        if (!rest.isEmpty()) out.add(ParamGroup.builder("default").add(rest).lr(b.lr).weightDecay(b.weightDecay).build());
        return out;
    }

    public static Builder builder(IntervenableModel model) {
        return new Builder(model);
    }

    /**
     * Runs {@code steps} more optimizer steps. Micro-batch {@code i} (counted over the whole run,
     * resumes included: step s uses {@code s * accumulation + a}) is {@code data.apply(i)}.
     */
    public Result train(LongFunction<CounterfactualBatch> data, long steps) {
        if (steps < 0) throw new IllegalArgumentException("intervention trainer: steps must be >= 0, got " + steps);
        long end = step + steps;
        ScalarSchedule tau = config.temperature != null ? config.temperature : ScalarSchedule.linear(50, 0.1, Math.max(1, end - 1));
        double lastLoss = Double.NaN;
        while (step < end) {
            lastLoss = oneStep(data, tau);
            if (config.evaluateEvery > 0 && step % config.evaluateEvery == 0) evaluateAndKeep();
            if (config.checkpointEvery > 0 && step % config.checkpointEvery == 0) saveCheckpoint(config.checkpointFile);
        }
        boolean restored = false;
        if (config.evaluateEvery > 0 && step % config.evaluateEvery != 0) evaluateAndKeep();
        if (config.keepBest && best != null) {
            restore(best);
            restored = true;
        }
        setHard(true); // trained masks are used hard; the next train call softens them again
        return new Result(step, lastLoss, best == null ? Double.NaN : bestAccuracy, bestStep, restored);
    }

    private double oneStep(LongFunction<CounterfactualBatch> data, ScalarSchedule tau) {
        if (config.beforeStep != null) config.beforeStep.accept(step);
        double temperature = Double.NaN;
        if (!softMasks.isEmpty()) {
            temperature = tau.value(step);
            for (SoftMasked m : softMasks) {
                m.setTemperature(temperature);
                m.setHard(false);
            }
        }
        if (config.lrSchedule != null) config.lrSchedule.apply(optimizer, step);
        optimizer.zeroGrad();
        int accumulation = config.accumulation;
        double loss = 0;
        double ce = 0;
        double pen = 0;
        long correct = 0;
        long total = 0;
        for (int a = 0; a < accumulation; a++) {
            CounterfactualBatch batch = data.apply(step * accumulation + a);
            try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
                Tensor rows = labelLogits(batch);                        // [B, vocab]
                Tensor task = crossEntropy(rows, batch.labels(), -1);
                Tensor penalty = penaltyTerm();
                Tensor objective = penalty == null ? task : add(task, penalty);
                scale(objective, (float) (1.0 / accumulation)).backward();
                ce += task.item();
                pen += penalty == null ? 0 : penalty.item();
                loss += objective.item();
                correct += countCorrect(rows, batch.labels());
                total += batch.size();
            }
        }
        double norm = config.clipNorm > 0 ? GradClip.clipGradNorm(optimizer.params(), config.clipNorm)
                : GradClip.globalNorm(optimizer.params());
        if (Double.isFinite(norm)) optimizer.step(); // a NaN/inf gradient skips the update (the listener sees the norm)
        step++;
        loss /= accumulation;
        if (config.listener != null) {
            config.listener.onStep(new TrainingListener.Step(step, loss, ce / accumulation, pen / accumulation,
                    (double) correct / total, temperature, norm));
        }
        return loss;
    }

    /** λ Σ penalties + extra terms, or null when there are none. */
    private Tensor penaltyTerm() {
        Tensor sum = null;
        if (config.penaltyWeight != 0) {
            for (Penalized p : penalized) {
                Tensor t = scale(p.penalty(), (float) config.penaltyWeight);
                sum = sum == null ? t : add(sum, t);
            }
        }
        for (int i = 0; i < config.extraTerms.size(); i++) {
            Tensor t = scale(config.extraTerms.get(i).get(), (float) (double) config.extraWeights.get(i));
            sum = sum == null ? t : add(sum, t);
        }
        return sum;
    }

    /**
     * The logits at each example's label position: [B, vocab]. The base batch asks the model
     * for those positions only, so the final norm and LM head run on B rows instead of B x S
     * (forward and backward). When a spec acts at the final_norm or logits site, which a logits
     * selection shrinks, the full logits are computed and the rows picked afterwards.
     */
    private Tensor labelLogits(CounterfactualBatch batch) {
        for (PerExampleVariables v : multiVariable) v.setVariables(batch.variables());
        TokenBatch base = batch.base();
        if (!model.actsOnLogitsSites()) {
            Tensor logits = model.run(base.withLogitsAt(batch.labelPositions()), batch.sources()).logits(); // [B, 1, V]
            if (logits.size(1) != 1) {
                throw new IllegalStateException("intervention trainer: " + model.model().getClass().getSimpleName()
                        + " returned " + logits.size(1) + " logit rows per example for a one-position logits selection");
            }
            return logits.reshape(logits.size(0), logits.size(2));
        }
        Tensor logits = model.run(base, batch.sources()).logits(); // [B, S, V]
        int b = logits.size(0);
        int s = logits.size(1);
        int vocab = logits.size(2);
        int[] rows = new int[b];
        for (int i = 0; i < b; i++) rows[i] = i * s + base.column(i, batch.labelPositions()[i]);
        return indexSelect(logits.reshape(b * s, vocab), 0, rows);
    }

    private static long countCorrect(Tensor rows, int[] labels) {
        float[] v = rows.toFloatArray();
        int vocab = rows.size(1);
        long correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int arg = 0;
            for (int j = 1; j < vocab; j++) if (v[i * vocab + j] > v[i * vocab + arg]) arg = j;
            if (arg == labels[i]) correct++;
        }
        return correct;
    }

    /**
     * Interchange intervention accuracy and cross-entropy on {@code batches}, with hard masks
     * and no gradients (the masks' previous mode is restored afterwards).
     */
    public Evaluation evaluate(List<CounterfactualBatch> batches) {
        boolean[] wasHard = new boolean[softMasks.size()];
        for (int i = 0; i < wasHard.length; i++) wasHard[i] = softMasks.get(i).hard();
        setHard(true);
        long correct = 0;
        long total = 0;
        double ce = 0;
        try (GradMode off = GradMode.off()) {
            for (CounterfactualBatch batch : batches) {
                try (Arena arena = Arena.open()) {
                    Tensor rows = labelLogits(batch);
                    ce += crossEntropy(rows, batch.labels(), -1).item() * batch.size();
                    correct += countCorrect(rows, batch.labels());
                    total += batch.size();
                }
            }
        } finally {
            for (int i = 0; i < wasHard.length; i++) softMasks.get(i).setHard(wasHard[i]);
        }
        if (total == 0) throw new IllegalArgumentException("intervention trainer: no evaluation examples");
        return new Evaluation((double) correct / total, ce / total, (int) total);
    }

    private void evaluateAndKeep() {
        if (config.evaluation == null) return;
        Evaluation e = evaluate(config.evaluation);
        // ties in IIA go to the lower objective: held-out CE plus the weighted penalties, so that
        // of two equally accurate Boundless DAS alignments the narrower one is kept
        double objective = e.loss() + weightedPenaltyValue();
        boolean better = e.accuracy() > bestAccuracy || (e.accuracy() == bestAccuracy && objective < bestLoss);
        if (better) {
            bestAccuracy = e.accuracy();
            bestLoss = objective;
            bestStep = step;
            best = snapshot();
        }
        if (config.listener != null) {
            config.listener.onEvaluation(new TrainingListener.Evaluation(step, e.accuracy(), e.loss(), e.examples(), better));
        }
    }

    /** λ Σ penalties of the {@link Penalized} interventions, without autograd. */
    private double weightedPenaltyValue() {
        if (config.penaltyWeight == 0 || penalized.isEmpty()) return 0;
        double sum = 0;
        try (GradMode off = GradMode.off(); Arena arena = Arena.open()) {
            for (Penalized p : penalized) sum += p.penalty().item();
        }
        return config.penaltyWeight * sum;
    }

    private void setHard(boolean hard) {
        for (SoftMasked m : softMasks) m.setHard(hard);
    }

    private Map<String, float[]> snapshot() {
        Map<String, float[]> out = new LinkedHashMap<>();
        trainable.forEach((name, t) -> out.put(name, t.toFloatArray()));
        return out;
    }

    private void restore(Map<String, float[]> values) {
        try (GradMode off = GradMode.off()) {
            values.forEach((name, v) -> {
                Tensor t = trainable.get(name);
                t.copyFrom(Tensor.of(v.clone(), t.shape()));
            });
        }
    }

    /**
     * Writes every intervention parameter (trainable and fixed), the best copy so far (names
     * prefixed {@code best.}) and the step count to a safetensors file (atomically).
     */
    public void saveCheckpoint(Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(allParams);
        if (best != null) best.forEach((name, v) -> tensors.put("best." + name, Tensor.of(v, trainable.get(name).shape())));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", CHECKPOINT_FORMAT);
        meta.put("step", Long.toString(step));
        if (best != null) {
            meta.put("best_accuracy", Double.toString(bestAccuracy));
            meta.put("best_loss", Double.toString(bestLoss));
            meta.put("best_step", Long.toString(bestStep));
        }
        SafetensorsWriter.write(file, tensors, DType.F32, meta);
    }

    /**
     * Loads a checkpoint written by {@link #saveCheckpoint} into this trainer's interventions
     * (same specs, same parameter names and shapes) and continues counting from its step.
     */
    public void resume(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file); GradMode off = GradMode.off()) {
            if (!CHECKPOINT_FORMAT.equals(f.metadata().get("format"))) {
                throw new IllegalArgumentException("intervention trainer: " + file + " is not a trainer checkpoint");
            }
            for (Map.Entry<String, Tensor> e : allParams.entrySet()) {
                if (!f.contains(e.getKey())) {
                    throw new IllegalArgumentException("intervention trainer: checkpoint " + file + " lacks parameter '" + e.getKey() + "'");
                }
                Tensor t = f.readFloat(e.getKey());
                if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException("intervention trainer: parameter '" + e.getKey() + "' has shape "
                            + Arrays.toString(t.shape()) + " in " + file + ", expected " + Arrays.toString(e.getValue().shape()));
                }
                e.getValue().copyFrom(t);
            }
            step = Long.parseLong(f.metadata().get("step"));
            if (f.metadata().containsKey("best_step")) {
                Map<String, float[]> b = new LinkedHashMap<>();
                for (String name : trainable.keySet()) b.put(name, f.readFloat("best." + name).toFloatArray());
                best = b;
                bestAccuracy = Double.parseDouble(f.metadata().get("best_accuracy"));
                bestLoss = Double.parseDouble(f.metadata().get("best_loss"));
                bestStep = Long.parseLong(f.metadata().get("best_step"));
            }
        }
    }

    /** Optimizer steps done (resumes included). */
    public long step() {
        return step;
    }

    /** The best held-out IIA seen, or NaN before any evaluation. */
    public double bestAccuracy() {
        return best == null ? Double.NaN : bestAccuracy;
    }

    /** The trainable tensors by name (as {@link IntervenableModel#parameters()} names them). */
    public Map<String, Tensor> trainableParameters() {
        return java.util.Collections.unmodifiableMap(trainable);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Options; every one has a default. */
    public static final class Builder {
        private final IntervenableModel model;
        private double lr = 1e-3;
        private double weightDecay = 0;
        private final List<String> groupNames = new ArrayList<>();
        private final List<Predicate<String>> groupSelectors = new ArrayList<>();
        private final List<Double> groupLrs = new ArrayList<>();
        private ScalarSchedule temperature;
        private LrSchedule lrSchedule;
        private double penaltyWeight = 1;
        private final List<Supplier<Tensor>> extraTerms = new ArrayList<>();
        private final List<Double> extraWeights = new ArrayList<>();
        private double clipNorm;
        private int accumulation = 1;
        private int evaluateEvery;
        private List<CounterfactualBatch> evaluation;
        private boolean keepBest = true;
        private int checkpointEvery;
        private Path checkpointFile;
        private TrainingListener listener;
        private LongConsumer beforeStep;

        private Builder(IntervenableModel model) {
            if (model == null) throw new IllegalArgumentException("intervention trainer: model is missing");
            this.model = model;
        }

        /** Learning rate of every parameter no {@link #group} claims (default 1e-3; Adam). */
        public Builder lr(double value) {
            this.lr = positive("lr", value);
            return this;
        }

        /** Adam's L2 weight decay for every group (default 0: decay would pull a rotation back to its start). */
        public Builder weightDecay(double value) {
            if (!(value >= 0)) throw new IllegalArgumentException("intervention trainer: weightDecay must be >= 0, got " + value);
            this.weightDecay = value;
            return this;
        }

        /**
         * A parameter group with its own learning rate: the trainable parameters whose name
         * ({@code interventions.<i>.<name>}, e.g. {@code ...rotation.weight}, {@code ...raw_widths})
         * {@code selects} accepts and no earlier group took.
         */
        public Builder group(String name, Predicate<String> selects, double lr) {
            groupNames.add(name);
            groupSelectors.add(selects);
            groupLrs.add(positive("group lr", lr));
            return this;
        }

        /**
         * Mask temperature per step (default: linear from 50 at step 0 to 0.1 at the last step of
         * the current {@code train} call, so a resumed run given the remaining steps continues the same line).
         */
        public Builder temperature(ScalarSchedule schedule) {
            this.temperature = schedule;
            return this;
        }

        /** Learning-rate factor per step (default constant). */
        public Builder lrSchedule(LrSchedule schedule) {
            this.lrSchedule = schedule;
            return this;
        }

        /** λ of the {@link Penalized} terms (default 1; 0 turns them off). */
        public Builder penaltyWeight(double lambda) {
            if (!(lambda >= 0)) throw new IllegalArgumentException("intervention trainer: penaltyWeight must be >= 0, got " + lambda);
            this.penaltyWeight = lambda;
            return this;
        }

        /** An extra loss term {@code weight · term.get()} (a differentiable scalar built each micro-batch). */
        public Builder penalty(Supplier<Tensor> term, double weight) {
            extraTerms.add(term);
            extraWeights.add(weight);
            return this;
        }

        /** Clips the global gradient norm to {@code maxNorm} before each update (default off). */
        public Builder clipGradNorm(double maxNorm) {
            this.clipNorm = positive("clipGradNorm", maxNorm);
            return this;
        }

        /** Micro-batches per optimizer step, gradients averaged (default 1). */
        public Builder accumulation(int microBatches) {
            if (microBatches < 1) throw new IllegalArgumentException("intervention trainer: accumulation must be >= 1, got " + microBatches);
            this.accumulation = microBatches;
            return this;
        }

        /** Measures held-out IIA every {@code steps} steps (and at the end), keeping the best parameters. */
        public Builder evaluateEvery(int steps, List<CounterfactualBatch> heldOut) {
            if (steps < 1) throw new IllegalArgumentException("intervention trainer: evaluateEvery must be >= 1, got " + steps);
            if (heldOut == null || heldOut.isEmpty()) throw new IllegalArgumentException("intervention trainer: no held-out batches");
            this.evaluateEvery = steps;
            this.evaluation = List.copyOf(heldOut);
            return this;
        }

        /** Whether {@code train} ends by restoring the best evaluated parameters (default true). */
        public Builder keepBest(boolean value) {
            this.keepBest = value;
            return this;
        }

        /** Writes a checkpoint to {@code file} every {@code steps} steps. */
        public Builder checkpointEvery(int steps, Path file) {
            if (steps < 1 || file == null) throw new IllegalArgumentException("intervention trainer: checkpointEvery needs steps >= 1 and a file");
            this.checkpointEvery = steps;
            this.checkpointFile = file;
            return this;
        }

        public Builder listener(TrainingListener value) {
            this.listener = value;
            return this;
        }

        /** Called with the step index before each step (custom schedules, logging). */
        public Builder beforeStep(LongConsumer callback) {
            this.beforeStep = callback;
            return this;
        }

        public InterventionTrainer build() {
            return new InterventionTrainer(this);
        }

        private static double positive(String what, double v) {
            if (!(v > 0 && Double.isFinite(v))) throw new IllegalArgumentException("intervention trainer: " + what + " must be > 0, got " + v);
            return v;
        }
    }
}
