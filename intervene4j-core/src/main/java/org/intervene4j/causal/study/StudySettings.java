package org.intervene4j.causal.study;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.causal.search.CellSettings;
import org.intervene4j.causal.task.PriceHypothesis;

/**
 * What a price-tagging alignment study searches and how each cell is trained.
 *
 * @param hypotheses      hypotheses searched (each gives its own heatmap)
 * @param layers          layers searched; null = every layer of the model
 * @param positions       token positions searched (negative = from the end of the prompt)
 * @param trainPairs      counterfactual pairs each cell trains on
 * @param devPairs        pairs (never trained on) that choose the kept step of each cell
 * @param testPairs       held-out pairs the IIA is measured on; they share no input with the
 *                        train and dev pairs
 * @param factualExamples held-out inputs the model's factual task accuracy is measured on
 * @param cell            how each cell is trained
 * @param seed            seeds the pairs and every cell (a cell's result depends only on this
 *                        seed and the cell)
 * @param parallel        cells trained at once
 */
public record StudySettings(List<PriceHypothesis> hypotheses, List<Integer> layers, List<Integer> positions, int trainPairs,
                            int devPairs, int testPairs, int factualExamples, CellSettings cell, long seed, int parallel) {
    public StudySettings {
        if (hypotheses == null || hypotheses.isEmpty()) throw new IllegalArgumentException("study: no hypothesis to search");
        hypotheses = List.copyOf(hypotheses);
        layers = layers == null ? null : List.copyOf(layers);
        if (positions == null || positions.isEmpty()) throw new IllegalArgumentException("study: no position to search");
        positions = List.copyOf(positions);
        if (trainPairs < 8) throw new IllegalArgumentException("study: --pairs must be >= 8, got " + trainPairs);
        if (devPairs < 4 || testPairs < 4) throw new IllegalArgumentException("study: dev and test pairs must be >= 4, got " + devPairs + " and " + testPairs);
        if (factualExamples < 1) throw new IllegalArgumentException("study: factual examples must be >= 1, got " + factualExamples);
        if (cell == null) throw new IllegalArgumentException("study: cell settings are missing");
        if (parallel < 1) throw new IllegalArgumentException("study: parallel must be >= 1, got " + parallel);
    }

    /** The last {@code k} positions of the prompt: {@code -k .. -1}. */
    public static List<Integer> lastPositions(int k) {
        if (k < 1) throw new IllegalArgumentException("study: the number of last positions must be >= 1, got " + k);
        Integer[] p = new Integer[k];
        for (int i = 0; i < k; i++) p[i] = i - k;
        return List.of(p);
    }

    /** Held-out pairs: a third of the training pairs (at least 64). */
    public static int defaultTestPairs(int trainPairs) {
        return Math.max(64, trainPairs / 3);
    }

    /**
     * The settings that must agree for a resumed study to continue an earlier one (everything
     * that changes a cell's result except the seed: runs with other seeds add cells beside it).
     */
    public Map<String, Object> describe(String prompt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", prompt);
        m.put("method", cell.fixedDims() > 0 ? "das" : "boundless_das");
        m.put("fixed_dims", cell.fixedDims());
        m.put("train_pairs", trainPairs);
        m.put("dev_pairs", devPairs);
        m.put("test_pairs", testPairs);
        m.put("epochs", cell.epochs());
        m.put("batch_size", cell.batchSize());
        m.put("lr", cell.lr());
        m.put("boundary_lr", cell.boundaryLr());
        m.put("temperature_start", Double.isNaN(cell.temperatureStart()) ? "auto (D/16, at least 1)" : Double.toString(cell.temperatureStart()));
        m.put("temperature_end", cell.temperatureEnd());
        m.put("penalty_weight", cell.penaltyWeight());
        return m;
    }
}
