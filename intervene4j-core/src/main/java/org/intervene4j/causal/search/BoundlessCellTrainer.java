package org.intervene4j.causal.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.intervention.BoundlessRotatedSpace;
import org.intervene4j.intervention.IntervenableModel;
import org.intervene4j.intervention.InterventionSpec;
import org.intervene4j.intervention.training.CounterfactualBatch;
import org.intervene4j.intervention.training.InterventionTrainer;
import org.intervene4j.intervention.training.TrainingListener;
import org.intervene4j.model.CausalLM;
import org.intervene4j.site.Site;
import org.intervene4j.train.Orthogonal;
import org.intervene4j.train.ScalarSchedule;

/**
 * Trains one cell of an alignment search: a Boundless DAS intervention (or DAS with a fixed
 * number of dims) at one site and one token position, interchanging the base's rotated
 * activation there with the source's at the same position, on counterfactual pairs through
 * the frozen model.
 *
 * <p>Three disjoint roles for the data: {@code train} pairs drive the optimizer, {@code dev}
 * pairs choose which step's parameters to keep, {@code test} pairs (sharing no input with
 * train) give the reported IIA. So the reported number never saw a model-selection decision.
 *
 * <p>Boundless DAS: every variable's interval starts at {@code 0.5 / V} of the rotated width;
 * rotation and widths are trained with their own learning rates; τ anneals linearly from
 * {@link CellSettings#temperatureFor} to {@code temperatureEnd}; loss = CE of the counterfactual
 * answer + λ Σ widths. DAS: widths frozen at {@code k / D} per variable and τ held at
 * {@code temperatureEnd}, so only the rotation learns.
 */
public final class BoundlessCellTrainer {
    private BoundlessCellTrainer() {
    }

    /**
     * @param layer    the layer of the site ({@code settings.component()} at that layer)
     * @param position token position in every prompt (negative counts from the end: -1 = last)
     * @param seed     seeds the starting rotation and the batch order
     * @param listener progress, or null
     */
    public static CellOutcome train(CausalLM model, EncodedPairs train, EncodedPairs dev, EncodedPairs test, int layer, int position,
                                    CellSettings settings, long seed, TrainingListener listener) {
        long start = System.nanoTime();
        int variables = train.variableCount();
        Site site = Site.of(layer, settings.component());
        int width = AlignmentSites.width(model, site);
        AlignmentSites.checkPosition(position, train, dev, test);
        if (settings.fixedDims() * variables > width) {
            throw new IllegalArgumentException("DAS: " + variables + " variable(s) x " + settings.fixedDims() + " dims exceed the width "
                    + width + " of " + site);
        }
        Random rng = new Random(seed);
        BoundlessRotatedSpace bdas = new BoundlessRotatedSpace(Orthogonal.random(rng, width, width), variables,
                settings.fixedDims() > 0 ? (double) settings.fixedDims() / width : 0.5 / variables, settings.temperatureFor(width));
        if (settings.fixedDims() > 0) bdas.rawWidths().requiresGrad(false);
        int[] pos = {position};
        IntervenableModel im = new IntervenableModel(model, List.of(InterventionSpec.at(site, bdas, 0, pos, pos)));

        int batchesPerEpoch = (train.size() + settings.batchSize() - 1) / settings.batchSize();
        long steps = (long) batchesPerEpoch * settings.epochs();
        List<CounterfactualBatch> order = new ArrayList<>();
        for (int e = 0; e < settings.epochs(); e++) order.addAll(train.shuffledBatches(settings.batchSize(), rng));
        ScalarSchedule tau = settings.fixedDims() > 0 ? ScalarSchedule.constant(settings.temperatureEnd())
                : ScalarSchedule.linear(settings.temperatureFor(width), settings.temperatureEnd(), Math.max(1, steps - 1));
        InterventionTrainer trainer = InterventionTrainer.builder(im)
                .lr(settings.lr())
                .group("boundaries", name -> name.endsWith("raw_widths"), settings.boundaryLr())
                .temperature(tau)
                .penaltyWeight(settings.fixedDims() > 0 ? 0 : settings.penaltyWeight())
                .evaluateEvery((int) Math.max(1, steps / settings.evaluations()), dev.batches(256))
                .listener(listener)
                .build();
        InterventionTrainer.Result r = trainer.train(i -> order.get((int) (i % order.size())), steps);

        // one pass over the test pairs per variable; the overall IIA is their pooled count
        double[] perVariable = new double[variables];
        long correct = 0;
        for (int v = 0; v < variables; v++) {
            int wanted = v;
            EncodedPairs part = variables == 1 ? test : test.where(x -> x == wanted);
            if (part.size() == 0) {
                perVariable[v] = Double.NaN;
                continue;
            }
            InterventionTrainer.Evaluation e = trainer.evaluate(part.batches(256));
            perVariable[v] = e.accuracy();
            correct += Math.round(e.accuracy() * e.examples());
        }
        double iia = (double) correct / test.size();
        int[] dims;
        try (GradMode off = GradMode.off()) {
            dims = bdas.dimensionCounts();
        }
        return new CellOutcome(iia, perVariable, dims, width, r.steps(), r.bestStep(), r.bestAccuracy(),
                (System.nanoTime() - start) / 1e9);
    }
}
