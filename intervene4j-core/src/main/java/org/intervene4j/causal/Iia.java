package org.intervene4j.causal;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Interchange intervention accuracy: how many of {@code total} counterfactual pairs the neural
 * model, under the aligned intervention, answered with the causal model's counterfactual output.
 *
 * <pre>{@code
 * Iia iia = Iia.score(heldOut, pair -> network.predictUnderIntervention(pair)); // predictor returns a label
 * iia.accuracy();   // 0.97
 * iia.toString();   // "IIA 0.9700 (970/1000)"
 * }</pre>
 */
public record Iia(int correct, int total) {
    public Iia {
        if (total < 0 || correct < 0 || correct > total) {
            throw new IllegalArgumentException("IIA: need 0 <= correct <= total, got " + correct + "/" + total);
        }
    }

    /** Compares {@code predicted[i]} with {@code pairs[i].counterfactualOutput()}. */
    public static <I> Iia of(List<?> predicted, List<CounterfactualPair<I>> pairs) {
        if (predicted.size() != pairs.size()) {
            throw new IllegalArgumentException("IIA: " + predicted.size() + " predictions for " + pairs.size() + " pairs");
        }
        int ok = 0;
        for (int i = 0; i < pairs.size(); i++) if (Objects.equals(predicted.get(i), pairs.get(i).counterfactualOutput())) ok++;
        return new Iia(ok, pairs.size());
    }

    /** Scores {@code predictor} (pair -> predicted label) on every pair. */
    public static <I> Iia score(List<CounterfactualPair<I>> pairs, Function<CounterfactualPair<I>, ?> predictor) {
        return of(pairs.stream().map(predictor).toList(), pairs);
    }

    /** The two counts added (for scoring in batches). */
    public Iia plus(Iia other) {
        return new Iia(correct + other.correct, total + other.total);
    }

    /** {@code correct / total}; NaN when there are no pairs. */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    @Override
    public String toString() {
        return String.format("IIA %.4f (%d/%d)", accuracy(), correct, total);
    }
}
