package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.crossEntropy;
import static org.intervene4j.engine.Ops.indexSelect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.intervention.training.CounterfactualBatch;
import org.intervene4j.intervention.training.InterventionTrainer;
import org.intervene4j.intervention.training.TrainingListener;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Generator;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.Sampler;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.intervene4j.train.ScalarSchedule;
import org.junit.jupiter.api.Test;

/**
 * The trainer computes logits only at each example's label position: its losses, updates and
 * evaluations equal those of the full-logits path (which it still takes when a spec sits at
 * the logits site) and a hand computation; interventions at final_norm/logits keep working.
 */
class LogitsSelectionTrainingTest {
    static final Site SITE = Site.of(0, Component.BLOCK_OUTPUT);
    static final double TAU = 5;

    final CausalLM gpt2 = Fixtures.load("gpt2");

    /** Four pairs of lengths 3..6, padded on {@code side}, labels at varied (some negative) positions. */
    static CounterfactualBatch pairs(Random rng, PadSide side, int vocab) {
        int n = 4;
        int[][] base = new int[n][];
        int[][] source = new int[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            base[i] = tokens(rng, 3 + rng.nextInt(4), vocab);
            source[i] = tokens(rng, 3 + rng.nextInt(4), vocab);
            labels[i] = rng.nextInt(vocab);
        }
        int[] labelPositions = {-1, 2, -2, 1};
        return new CounterfactualBatch(TokenBatch.padded(base, side, 0), List.of(TokenBatch.padded(source, side, 0)), labels,
                labelPositions, null);
    }

    static int[] tokens(Random rng, int len, int vocab) {
        int[] t = new int[len];
        for (int i = 0; i < len; i++) t[i] = 1 + rng.nextInt(vocab - 1);
        return t;
    }

    BoundlessRotatedSpace bdas() {
        return BoundlessRotatedSpace.random(new Random(21), gpt2.info().dModel());
    }

    /** Boundless DAS at block 0, position 1 of base and source; {@code logitsSpec} adds a collect at the logits site. */
    IntervenableModel model(BoundlessRotatedSpace das, boolean logitsSpec) {
        List<InterventionSpec> specs = new ArrayList<>();
        specs.add(InterventionSpec.at(SITE, das, 0, new int[] {1}, new int[] {1}));
        if (logitsSpec) specs.add(InterventionSpec.at(Site.of(Component.LOGITS), new Collect(), -1, new int[] {0}, null));
        return new IntervenableModel(gpt2, specs);
    }

    InterventionTrainer trainer(IntervenableModel im, List<TrainingListener.Step> steps) {
        return InterventionTrainer.builder(im).lr(0.02).temperature(ScalarSchedule.constant(TAU)).keepBest(false)
                .listener(new TrainingListener() {
                    @Override
                    public void onStep(Step step) {
                        steps.add(step);
                    }
                }).build();
    }

    /** The first step's objective by hand: full logits, rows picked by column, CE + width penalty. */
    double handLoss(CounterfactualBatch batch) {
        BoundlessRotatedSpace das = bdas();
        das.setTemperature(TAU);
        das.setHard(false);
        IntervenableModel im = model(das, false);
        try (GradMode off = GradMode.off(); Arena arena = Arena.open()) {
            Tensor logits = im.run(batch.base(), batch.sources()).logits();      // [4, s, V]
            int s = logits.size(1);
            int vocab = logits.size(2);
            int[] rows = new int[batch.size()];
            for (int i = 0; i < rows.length; i++) rows[i] = i * s + batch.base().column(i, batch.labelPositions()[i]);
            Tensor picked = indexSelect(logits.reshape(batch.size() * s, vocab), 0, rows);
            return add(crossEntropy(picked, batch.labels(), -1), das.penalty()).item();
        }
    }

    @Test
    void trainingWithLabelLogitsOnlyEqualsTheFullLogitsPathAndAHandComputation() {
        int vocab = gpt2.info().vocab();
        Random rng = new Random(8);
        List<CounterfactualBatch> data = List.of(pairs(rng, PadSide.RIGHT, vocab), pairs(rng, PadSide.LEFT, vocab));
        List<CounterfactualBatch> heldOut = List.of(pairs(rng, PadSide.LEFT, vocab), pairs(rng, PadSide.RIGHT, vocab));

        IntervenableModel selected = model(bdas(), false);
        IntervenableModel full = model(bdas(), true); // a spec at the logits site: the trainer keeps full logits
        assertThat(selected.actsOnLogitsSites()).isFalse();
        assertThat(full.actsOnLogitsSites()).isTrue();
        Map<String, float[]> initial = snapshot(selected);
        List<TrainingListener.Step> a = new ArrayList<>();
        List<TrainingListener.Step> b = new ArrayList<>();
        InterventionTrainer ta = trainer(selected, a);
        InterventionTrainer tb = trainer(full, b);
        int steps = 6;
        ta.train(i -> data.get((int) (i % 2)), steps);
        tb.train(i -> data.get((int) (i % 2)), steps);

        double hand = handLoss(data.get(0));
        System.out.printf("step 1 loss: label logits %.7f, full logits %.7f, by hand %.7f%n", a.get(0).loss(), b.get(0).loss(), hand);
        assertThat(a.get(0).loss()).isCloseTo(hand, org.assertj.core.data.Offset.offset(1e-5));
        double worstLoss = 0;
        for (int t = 0; t < steps; t++) {
            worstLoss = Math.max(worstLoss, Math.abs(a.get(t).loss() - b.get(t).loss()));
            assertThat(a.get(t).accuracy()).isEqualTo(b.get(t).accuracy());
        }
        Map<String, float[]> pa = snapshot(selected);
        Map<String, float[]> pb = snapshot(full);
        double[] drift = paramDrift(pa, pb, initial);
        double worstParam = drift[0];
        double moved = drift[1];
        InterventionTrainer.Evaluation ea = ta.evaluate(heldOut);
        InterventionTrainer.Evaluation eb = tb.evaluate(heldOut);
        System.out.printf("%d steps: max |loss diff| %.2g, max |param diff| %.2g (params moved up to %.3g); held-out IIA %.3f vs %.3f,"
                + " CE %.7f vs %.7f%n", steps, worstLoss, worstParam, moved, ea.accuracy(), eb.accuracy(), ea.loss(), eb.loss());
        assertThat(worstLoss).isLessThan(1e-5);
        assertThat(moved).isGreaterThan(0.01);
        assertThat(worstParam).isLessThan(1e-5);
        assertThat(ea.accuracy()).isEqualTo(eb.accuracy());
        assertThat(ea.examples()).isEqualTo(8);
        assertThat(ea.loss()).isCloseTo(eb.loss(), org.assertj.core.data.Offset.offset(1e-5));
    }

    /**
     * {max |a - b|, max |a - initial|} over every parameter: how far two trainings ended apart,
     * and how far the first moved at all (so that agreeing cannot mean not training).
     */
    static double[] paramDrift(Map<String, float[]> a, Map<String, float[]> b, Map<String, float[]> initial) {
        double apart = 0;
        double moved = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name);
            float[] y = b.get(name);
            float[] x0 = initial.get(name);
            for (int i = 0; i < x.length; i++) {
                apart = Math.max(apart, Math.abs(x[i] - y[i]));
                moved = Math.max(moved, Math.abs(x[i] - x0[i]));
            }
        }
        return new double[] {apart, moved};
    }

    static Map<String, float[]> snapshot(IntervenableModel im) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        im.parameters().forEach((name, t) -> out.put(name, t.toFloatArray()));
        return out;
    }

    @Test
    void anInterventionAtTheLogitsSiteIsRefusedOnASelectedBatch() {
        IntervenableModel im = model(bdas(), true);
        CounterfactualBatch batch = pairs(new Random(2), PadSide.RIGHT, gpt2.info().vocab());
        TokenBatch selectedBase = batch.base().withLogitsAt(batch.labelPositions());
        try (GradMode off = GradMode.off()) {
            assertThatThrownBy(() -> im.run(selectedBase, batch.sources())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("intervention 1 at logits").hasMessageContaining("keeps logits at selected positions");
        }
    }

    @Test
    void generationWithACollectAtTheLogitsSiteStillSeesEveryPromptPosition() {
        int[] prompt = {6, 34, 21, 13};
        int n = 5;
        IntervenableModel im = new IntervenableModel(gpt2, List.of(
                InterventionSpec.at(Site.of(Component.LOGITS), new Collect(), -1, new int[] {0, 1, 2, 3}, null)));
        IntervenableModel.Generation g = im.generate(prompt, List.of(), n, Sampler.greedy(), null, false, null);
        assertThat(g.tokens()).containsExactly(Generator.generate(gpt2, prompt, n, Sampler.greedy(), null, Sites.NONE, null));
        Tensor collected = g.collected(0);                                    // the prompt's 4 logit rows
        assertThat(collected.shape()).containsExactly(prompt.length, gpt2.info().vocab());
        try (GradMode off = GradMode.off()) {
            Tensor plain = gpt2.forward(TokenBatch.of(prompt)).select(0, 0);   // [4, V]
            float[] want = plain.contiguous().toFloatArray();
            float[] got = collected.toFloatArray();
            for (int i = 0; i < want.length; i++) assertThat((double) Math.abs(got[i] - want[i])).isLessThanOrEqualTo(1e-6);
        }
    }
}
