package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.intervention.training.CounterfactualBatch;
import org.intervene4j.intervention.training.InterventionTrainer;
import org.intervene4j.intervention.training.TrainingListener;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.intervene4j.train.ScalarSchedule;
import org.junit.jupiter.api.Test;

/**
 * Boundless DAS trained with gradient accumulation follows the same trajectory with the prefix
 * cut as without it: per-step losses, accuracies and gradient norms, the final parameters and
 * the held-out evaluation agree to float rounding, while the recorded forwards show that the
 * training forwards were cut (and the evaluation ones, without grad mode, were not).
 */
class PrefixCutTrainingTest {
    private static final double TAU = 2;

    /** Three examples of lengths 6..10 padded on {@code side}, labels at the last token or per example. */
    static CounterfactualBatch batch(Random rng, PadSide side, int vocab, boolean perExampleLabels) {
        int n = 3;
        int[][] base = new int[n][];
        int[][] source = new int[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            base[i] = LogitsSelectionTrainingTest.tokens(rng, 6 + rng.nextInt(5), vocab);
            source[i] = LogitsSelectionTrainingTest.tokens(rng, 3 + rng.nextInt(5), vocab);
            labels[i] = rng.nextInt(vocab);
        }
        int[] labelPositions = perExampleLabels ? new int[] {-1, base[1].length - 1, -1} : new int[] {-1, -1, -1};
        return new CounterfactualBatch(TokenBatch.padded(base, side, 0), List.of(TokenBatch.padded(source, side, 0)), labels,
                labelPositions, null);
    }

    static IntervenableModel model(PrefixCutTest.Recording rec, boolean cut) {
        BoundlessRotatedSpace das = BoundlessRotatedSpace.random(new Random(5), rec.info().dModel());
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        IntervenableModel im = new IntervenableModel(rec, List.of(InterventionSpec.at(site, das, 0, new int[] {-1}, new int[] {-1})));
        return im.withTrainingCuts(cut);
    }

    static InterventionTrainer trainer(IntervenableModel im, List<TrainingListener.Step> steps) {
        return InterventionTrainer.builder(im).lr(0.02).temperature(ScalarSchedule.constant(TAU)).accumulation(2).keepBest(false)
                .listener(new TrainingListener() {
                    @Override
                    public void onStep(Step step) {
                        steps.add(step);
                    }
                }).build();
    }

    @Test
    void accumulatedTrainingFollowsTheSameTrajectoryWithTheCutOnAndOff() {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("llama"));
        int vocab = rec.info().vocab();
        Random rng = new Random(31);
        List<CounterfactualBatch> data = List.of(batch(rng, PadSide.LEFT, vocab, false), batch(rng, PadSide.RIGHT, vocab, true),
                batch(rng, PadSide.RIGHT, vocab, false), batch(rng, PadSide.LEFT, vocab, true));
        List<CounterfactualBatch> heldOut = List.of(batch(rng, PadSide.LEFT, vocab, false), batch(rng, PadSide.RIGHT, vocab, false));

        IntervenableModel cut = model(rec, true);
        IntervenableModel whole = model(rec, false);
        Map<String, float[]> initial = LogitsSelectionTrainingTest.snapshot(cut);
        List<TrainingListener.Step> a = new ArrayList<>();
        List<TrainingListener.Step> b = new ArrayList<>();
        InterventionTrainer ta = trainer(cut, a);
        InterventionTrainer tb = trainer(whole, b);
        int steps = 6;
        rec.batches.clear();
        ta.train(i -> data.get((int) (i % data.size())), steps);
        List<TokenBatch> cutForwards = new ArrayList<>(rec.batches);
        rec.batches.clear();
        tb.train(i -> data.get((int) (i % data.size())), steps);
        List<TokenBatch> wholeForwards = new ArrayList<>(rec.batches);
        rec.batches.clear();

        // every micro-batch: a source forward, then a prefix and a one-column rest (cut) or the whole base
        assertThat(cutForwards).hasSize(3 * 2 * steps);
        assertThat(wholeForwards).hasSize(2 * 2 * steps);
        for (int m = 0; m < 2 * steps; m++) {
            TokenBatch base = data.get(m % data.size()).base();
            TokenBatch prefix = cutForwards.get(3 * m + 1);
            TokenBatch rest = cutForwards.get(3 * m + 2);
            assertThat(prefix.seq() + rest.seq()).isEqualTo(base.seq());
            assertThat(prefix.hasLogitsSelection()).isTrue();
            assertThat(prefix.logitsPerExample()).isZero();
            for (int i = 0; i < base.batch(); i++) {
                assertThat(rest.past(i) + rest.length(i)).isEqualTo(base.length(i));
                assertThat(prefix.length(i)).isEqualTo(rest.past(i));
            }
        }

        double worstLoss = 0;
        double worstNorm = 0;
        for (int t = 0; t < steps; t++) {
            worstLoss = Math.max(worstLoss, Math.abs(a.get(t).loss() - b.get(t).loss()));
            worstNorm = Math.max(worstNorm, Math.abs(a.get(t).gradNorm() - b.get(t).gradNorm()) / b.get(t).gradNorm());
            assertThat(a.get(t).accuracy()).isEqualTo(b.get(t).accuracy());
        }
        Map<String, float[]> pa = LogitsSelectionTrainingTest.snapshot(cut);
        Map<String, float[]> pb = LogitsSelectionTrainingTest.snapshot(whole);
        double[] drift = LogitsSelectionTrainingTest.paramDrift(pa, pb, initial);
        double worstParam = drift[0];
        double moved = drift[1];
        rec.batches.clear();
        InterventionTrainer.Evaluation ea = ta.evaluate(heldOut);
        InterventionTrainer.Evaluation eb = tb.evaluate(heldOut);
        // evaluation runs without grad mode: never cut (a source and a whole base forward per batch)
        assertThat(rec.seqs()).hasSize(2 * 2 * 2);
        System.out.printf("%d steps x 2 micro-batches: max |loss diff| %.2g, max rel grad-norm diff %.2g, max |param diff| %.2g"
                + " (moved up to %.3g); held-out CE %.7f vs %.7f%n", steps, worstLoss, worstNorm, worstParam, moved, ea.loss(), eb.loss());
        assertThat(moved).isGreaterThan(0.01);
        assertThat(worstLoss).isLessThan(1e-5);
        assertThat(worstNorm).isLessThan(1e-4);
        assertThat(worstParam).isLessThan(1e-5);
        assertThat(ea.accuracy()).isEqualTo(eb.accuracy());
        assertThat(ea.loss()).isCloseTo(eb.loss(), org.assertj.core.data.Offset.offset(1e-5));
    }
}
