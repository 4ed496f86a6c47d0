package org.intervene4j.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a Boundless DAS alignment study produced so far: what was searched (model, site
 * component, layers x positions x hypotheses), the model's factual accuracy, and one
 * {@link CellResult} per finished run. A partial search is valid: cells may be missing, and a
 * cell may appear once per seed. Written and read by {@link StudyJson}; shown by {@link StudyReport}.
 *
 * @param model          model name or checkpoint path
 * @param task           the task, e.g. "price tagging"
 * @param component      the site component searched, e.g. "block_output"
 * @param modelLayers    how many layers the model has
 * @param layers         the layers searched (distinct, each in 0..modelLayers-1), rows of the heatmaps
 * @param positions      the positions searched as requested (negative = from the end), columns of the heatmaps
 * @param positionTokens the token text at each position in {@code examplePrompt}, same length as {@code positions}
 * @param examplePrompt  the prompt the position labels were taken from
 * @param hypotheses     the hypotheses searched (every cell's hypothesis is one of them)
 * @param taskAccuracy   the model's factual accuracy on held-out task inputs, 0..1
 * @param taskExamples   how many held-out inputs that accuracy was measured on
 * @param cells          the finished runs; at most one per (hypothesis, layer, position, seed)
 * @param settings       search settings (pairs, epochs, seed, ...): values are strings, booleans, longs or doubles
 *                       (other integer and floating types are widened to those)
 * @param started        when the study started
 * @param updated        when these results were last written
 * @param totalSeconds   compute seconds spent so far, over all sessions of a resumed search
 */
public record StudyResults(String model, String task, String component, int modelLayers, List<Integer> layers,
                           List<Integer> positions, List<String> positionTokens, String examplePrompt,
                           List<String> hypotheses, double taskAccuracy, int taskExamples, List<CellResult> cells,
                           Map<String, Object> settings, Instant started, Instant updated, double totalSeconds) {
    public StudyResults {
        Checks.nonBlank(model, "model");
        Checks.nonBlank(task, "task");
        Checks.nonBlank(component, "component");
        Checks.atLeast(modelLayers, 1, "model_layers");
        layers = distinct(layers, "layers");
        for (int i = 0; i < layers.size(); i++) {
            int l = layers.get(i);
            if (l < 0 || l >= modelLayers) {
                throw new IllegalArgumentException("layers[" + i + "]: layer " + l + " is outside 0.." + (modelLayers - 1));
            }
        }
        positions = distinct(positions, "positions");
        positionTokens = Checks.listCopy(positionTokens, "position_tokens");
        if (positionTokens.size() != positions.size()) {
            throw new IllegalArgumentException("position_tokens: " + positionTokens.size() + " tokens for "
                    + positions.size() + " positions");
        }
        Checks.text(examplePrompt, "example_prompt");
        hypotheses = distinct(hypotheses, "hypotheses");
        for (int i = 0; i < hypotheses.size(); i++) Hypotheses.checkName(hypotheses.get(i), "hypotheses[" + i + "]");
        Checks.fraction(taskAccuracy, "task_accuracy");
        Checks.atLeast(taskExamples, 0, "task_examples");
        cells = Checks.listCopy(cells, "cells");
        for (int i = 0; i < cells.size(); i++) checkCell(cells.get(i), "cells[" + i + "]", hypotheses, layers, positions);
        checkOneRunEach(cells);
        settings = widenedSettings(settings);
        if (started == null) throw new IllegalArgumentException("started: missing");
        if (updated == null) throw new IllegalArgumentException("updated: missing");
        Checks.seconds(totalSeconds, "total_seconds");
    }

    /**
     * These results with {@code cell} added, replacing the run with the same hypothesis, layer,
     * position and seed if there is one (the search calls this after each run, then writes).
     */
    public StudyResults withCell(CellResult cell, Instant updated, double totalSeconds) {
        List<CellResult> next = new ArrayList<>(cells.size() + 1);
        for (CellResult c : cells) if (!c.sameRunAs(cell)) next.add(c);
        next.add(cell);
        return new StudyResults(model, task, component, modelLayers, layers, positions, positionTokens, examplePrompt,
                hypotheses, taskAccuracy, taskExamples, next, settings, started, updated, totalSeconds);
    }

    /** Whether this run is done (a resumed search skips it). */
    public boolean hasRun(String hypothesis, int layer, int position, long seed) {
        return cells.stream().anyMatch(c -> c.hypothesis().equals(hypothesis) && c.layer() == layer
                && c.position() == position && c.seed() == seed);
    }

    /** The runs (one per seed) at one heatmap cell, in file order; empty where none finished. */
    public List<CellResult> runsAt(String hypothesis, int layer, int position) {
        return cells.stream()
                .filter(c -> c.hypothesis().equals(hypothesis) && c.layer() == layer && c.position() == position)
                .toList();
    }

    /**
     * The best run of a hypothesis: highest held-out IIA; ties go to the lower layer, then the
     * earlier position in {@link #positions}, then the earlier run.
     */
    public Optional<CellResult> best(String hypothesis) {
        Comparator<CellResult> order = Comparator.comparingDouble(CellResult::iia).reversed()
                .thenComparingInt(CellResult::layer)
                .thenComparingInt(c -> positions.indexOf(c.position()));
        return cells.stream().filter(c -> c.hypothesis().equals(hypothesis)).min(order);
    }

    /** How many (layer, position) cells of a hypothesis have at least one finished run. */
    public int cellsDone(String hypothesis) {
        Set<Long> seen = new HashSet<>();
        for (CellResult c : cells) {
            if (c.hypothesis().equals(hypothesis)) seen.add(((long) c.layer() << 32) ^ (c.position() & 0xffffffffL));
        }
        return seen.size();
    }

    private static <T> List<T> distinct(List<T> values, String field) {
        List<T> copy = Checks.listCopy(values, field);
        if (copy.isEmpty()) throw new IllegalArgumentException(field + ": empty");
        if (new HashSet<>(copy).size() != copy.size()) throw new IllegalArgumentException(field + ": repeats a value " + copy);
        return copy;
    }

    private static void checkCell(CellResult c, String field, List<String> hypotheses, List<Integer> layers,
                                  List<Integer> positions) {
        if (!hypotheses.contains(c.hypothesis())) {
            throw new IllegalArgumentException(field + ".hypothesis: '" + c.hypothesis() + "' is not among the hypotheses " + hypotheses);
        }
        if (!layers.contains(c.layer())) {
            throw new IllegalArgumentException(field + ".layer: " + c.layer() + " is not among the layers searched " + layers);
        }
        if (!positions.contains(c.position())) {
            throw new IllegalArgumentException(field + ".position: " + c.position() + " is not among the positions searched " + positions);
        }
    }

    private static void checkOneRunEach(List<CellResult> cells) {
        for (int i = 0; i < cells.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (cells.get(i).sameRunAs(cells.get(j))) {
                    CellResult c = cells.get(i);
                    throw new IllegalArgumentException("cells[" + i + "]: repeats cells[" + j + "] (" + c.hypothesis() + ", layer "
                            + c.layer() + ", position " + c.position() + ", seed " + c.seed() + ")");
                }
            }
        }
    }

    /**
     * {@code settings} as a results file holds them: an unmodifiable ordered copy with integer
     * values widened to Long and floating ones to Double (so a written file reads back equal).
     */
    public static Map<String, Object> widenedSettings(Map<String, Object> settings) {
        Map<String, Object> widened = new LinkedHashMap<>();
        Checks.orderedCopy(settings, "settings").forEach((k, v) -> widened.put(k, widen(v, "settings." + k)));
        return Collections.unmodifiableMap(widened);
    }

    /** Setting values are kept as the four JSON scalar kinds so a written file reads back equal. */
    private static Object widen(Object v, String field) {
        if (v instanceof String || v instanceof Boolean || v instanceof Long) return v;
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) throw new IllegalArgumentException(field + ": " + d + " is not finite");
            return d;
        }
        throw new IllegalArgumentException(field + ": a " + v.getClass().getSimpleName()
                + " (settings hold strings, booleans, integers and floating-point numbers)");
    }
}
