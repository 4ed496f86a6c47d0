package org.intervene4j.cli.study;

import org.intervene4j.causal.search.CellSettings;
import org.intervene4j.causal.task.PriceHypothesis;
import org.intervene4j.cli.UserError;
import org.intervene4j.site.Component;
import picocli.CommandLine.Option;

/** Options shared by {@code demo} and {@code boundless}: data sizes, training and seed. */
public final class StudyOptions {
    @Option(names = "--pairs", paramLabel = "N", defaultValue = "768",
            description = "Counterfactual training pairs per cell (default: ${DEFAULT-VALUE}); held-out test pairs: a third of it (at least 64).")
    int pairs;

    @Option(names = "--test-pairs", paramLabel = "N", description = "Held-out test pairs per cell (default: a third of --pairs, at least 64).")
    Integer testPairs;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "Passes over the training pairs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed of the pairs and of every cell (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--das-dims", paramLabel = "K",
            description = "Train DAS with K rotated dims per variable instead of Boundless DAS (learned widths).")
    Integer dasDims;

    @Option(names = "--temperature", paramLabel = "TAU",
            description = "Starting mask temperature (default: automatic, D/16 for a rotated width D, at least 1); anneals to 0.1.")
    Double temperature;

    @Option(names = "--lr", paramLabel = "RATE", description = "Adam learning rate of the rotation (default: 2e-3).")
    Double lr;

    @Option(names = "--boundary-lr", paramLabel = "RATE", description = "Adam learning rate of the interval widths (default: 0.1).")
    Double boundaryLr;

    @Option(names = "--batch", paramLabel = "N", description = "Pairs per optimizer step (default: 64).")
    Integer batch;

    @Option(names = "--penalty", paramLabel = "LAMBDA", description = "Weight of the width penalty (default: 1).")
    Double penalty;

    @Option(names = "--component", paramLabel = "NAME", defaultValue = "block_output",
            description = "Site component rotated at each layer (default: ${DEFAULT-VALUE}, the residual stream; e.g. mlp_output, attention_output).")
    String component;

    /** The cell settings these options describe. */
    CellSettings cell() {
        if (epochs < 1) throw new UserError("--epochs: must be >= 1, got " + epochs);
        Component site = Component.byKey(component);
        if (site == null || !site.perLayer || site.hasHeads) {
            throw new UserError("--component: '" + component + "' is not a per-layer vector site (e.g. block_output, mlp_output, attention_output)");
        }
        CellSettings s = CellSettings.defaults().withEpochs(epochs).withComponent(site);
        if (dasDims != null) {
            if (dasDims < 1) throw new UserError("--das-dims: must be >= 1, got " + dasDims);
            s = s.withFixedDims(dasDims);
        }
        if (lr != null) {
            if (!(lr > 0)) throw new UserError("--lr: must be > 0, got " + lr);
            s = s.withLearningRates(lr, s.boundaryLr());
        }
        if (boundaryLr != null) {
            if (!(boundaryLr > 0)) throw new UserError("--boundary-lr: must be > 0, got " + boundaryLr);
            s = s.withLearningRates(s.lr(), boundaryLr);
        }
        if (batch != null) {
            if (batch < 1) throw new UserError("--batch: must be >= 1, got " + batch);
            s = s.withBatchSize(batch);
        }
        if (penalty != null) {
            if (!(penalty >= 0)) throw new UserError("--penalty: must be >= 0, got " + penalty);
            s = s.withPenaltyWeight(penalty);
        }
        if (temperature != null) {
            if (!(temperature > 0)) throw new UserError("--temperature: must be > 0, got " + temperature);
            s = s.withTemperatureStart(temperature);
        }
        return s;
    }

    /** {@code value} as a hypothesis; the error names {@code option}. */
    static PriceHypothesis hypothesis(String option, String value) {
        try {
            return PriceHypothesis.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UserError(option + ": unknown hypothesis '" + value.trim() + "' (use left, right, both, midpoint or bracket)");
        }
    }

    int trainPairs() {
        if (pairs < 8) throw new UserError("--pairs: must be >= 8, got " + pairs);
        return pairs;
    }

    int devPairs() {
        return Math.max(64, pairs / 6);
    }

    int testPairs() {
        int n = testPairs == null ? Math.max(64, pairs / 3) : testPairs;
        if (n < 4) throw new UserError("--test-pairs: must be >= 4, got " + n);
        return n;
    }

    long seed() {
        return seed;
    }
}
