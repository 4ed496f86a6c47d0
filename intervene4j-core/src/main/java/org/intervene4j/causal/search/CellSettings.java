package org.intervene4j.causal.search;

import org.intervene4j.site.Component;

/**
 * How one alignment cell is trained.
 *
 * @param component        the site component searched at each layer (the residual stream:
 *                         {@code block_output})
 * @param epochs           passes over the training pairs
 * @param batchSize        pairs per optimizer step
 * @param lr               Adam learning rate of the rotation
 * @param boundaryLr       Adam learning rate of the interval widths
 * @param temperatureStart mask temperature τ at the first step, read against the rotated width
 *                         D; NaN = automatic ({@link #temperatureFor})
 * @param temperatureEnd   τ at the last step (annealed linearly)
 * @param penaltyWeight    λ of the width penalty {@code λ Σ widths} (widths as fractions of D)
 * @param fixedDims        0 = Boundless DAS (learned widths); k > 0 = DAS with k rotated dims per
 *                         variable (widths frozen, mask hard)
 * @param evaluations      how many times the dev pairs are scored to keep the best parameters
 */
public record CellSettings(Component component, int epochs, int batchSize, double lr, double boundaryLr,
                           double temperatureStart, double temperatureEnd, double penaltyWeight, int fixedDims, int evaluations) {
    public CellSettings {
        if (component == null) throw new IllegalArgumentException("cell settings: component is missing");
        require(epochs >= 1, "epochs must be >= 1, got " + epochs);
        require(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
        require(lr > 0 && boundaryLr > 0, "learning rates must be > 0, got " + lr + " and " + boundaryLr);
        require(Double.isNaN(temperatureStart) || temperatureStart > 0, "temperature start must be > 0, got " + temperatureStart);
        require(temperatureEnd > 0, "temperature end must be > 0, got " + temperatureEnd);
        require(penaltyWeight >= 0, "penalty weight must be >= 0, got " + penaltyWeight);
        require(fixedDims >= 0, "fixed dims must be >= 0, got " + fixedDims);
        require(evaluations >= 1, "evaluations must be >= 1, got " + evaluations);
    }

    /**
     * Boundless DAS on the residual stream with this project's defaults: 3 epochs at batch 64,
     * Adam 2e-3 for the rotation and 0.1 for the widths (fast enough that, within the few dozen
     * steps of a cell, an interval the data do not need shrinks under the penalty: at a position
     * that carries nothing it ends near 5 of 64 dims instead of staying near its start), τ from
     * D/16 to 0.1, λ = 1, dev IIA scored 4 times.
     */
    public static CellSettings defaults() {
        return new CellSettings(Component.BLOCK_OUTPUT, 3, 64, 2e-3, 0.1, Double.NaN, 0.1, 1.0, 0, 4);
    }

    public CellSettings withEpochs(int value) {
        return new CellSettings(component, value, batchSize, lr, boundaryLr, temperatureStart, temperatureEnd, penaltyWeight, fixedDims, evaluations);
    }

    public CellSettings withFixedDims(int value) {
        return new CellSettings(component, epochs, batchSize, lr, boundaryLr, temperatureStart, temperatureEnd, penaltyWeight, value, evaluations);
    }

    public CellSettings withLearningRates(double rotation, double boundaries) {
        return new CellSettings(component, epochs, batchSize, rotation, boundaries, temperatureStart, temperatureEnd, penaltyWeight, fixedDims, evaluations);
    }

    public CellSettings withBatchSize(int value) {
        return new CellSettings(component, epochs, value, lr, boundaryLr, temperatureStart, temperatureEnd, penaltyWeight, fixedDims, evaluations);
    }

    public CellSettings withPenaltyWeight(double value) {
        return new CellSettings(component, epochs, batchSize, lr, boundaryLr, temperatureStart, temperatureEnd, value, fixedDims, evaluations);
    }

    public CellSettings withComponent(Component value) {
        return new CellSettings(value, epochs, batchSize, lr, boundaryLr, temperatureStart, temperatureEnd, penaltyWeight, fixedDims, evaluations);
    }

    public CellSettings withTemperatureStart(double value) {
        return new CellSettings(component, epochs, batchSize, lr, boundaryLr, value, temperatureEnd, penaltyWeight, fixedDims, evaluations);
    }

    /**
     * The starting τ for a rotated width D. The mask {@code σ((i - lo)/τ) σ((hi - i)/τ)} only
     * separates dims when τ is small against D: the paper's τ = 50 was for D = 4096 (Alpaca 7B);
     * at D = 64 it would make every dim about half-swapped whatever the boundaries. So unless set,
     * τ starts at D / 16 (at least 1; 256 for D = 4096).
     */
    public double temperatureFor(int rotatedWidth) {
        return Double.isNaN(temperatureStart) ? Math.max(1.0, rotatedWidth / 16.0) : temperatureStart;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("cell settings: " + message);
    }
}
