package org.intervene4j.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A made-up study of 4 layers x 6 positions and all five hypotheses, with missing cells, for
 * the report tests. Each hypothesis uses its own IIA values, all exactly on a viridis stop,
 * and each widths heatmap its own width, exactly on an oranges stop (D = 255, log scale), so a
 * screenshot shows which heatmaps rendered by their colours alone.
 */
final class SyntheticStudy {
    static final List<Integer> LAYERS = List.of(0, 1, 2, 3);
    static final List<Integer> POSITIONS = List.of(-6, -5, -4, -3, -2, -1);
    static final List<String> TOKENS = List.of(" dollars", "\n\n", "###", " Response", ":", "\n");
    static final int PROMPT_LENGTH = 80;
    static final int D = 255;

    /** The two IIA values of each hypothesis (viridis stops 0.0, 0.1, ...). */
    static final Map<String, double[]> IIA_VALUES = Map.of(
            "left", new double[] {0.9, 1.0},
            "right", new double[] {0.7, 0.8},
            "both", new double[] {0.5, 0.6},
            "midpoint", new double[] {0.3, 0.4},
            "bracket", new double[] {0.1, 0.2});

    /** The width of each (hypothesis, variable) heatmap: 2^k - 1 sits on oranges stop k/8 when D = 255. */
    static final Map<String, Integer> WIDTHS = Map.of(
            "left/left", 7, "right/right", 31, "both/left", 63, "both/right", 127, "midpoint/midpoint", 1,
            "bracket/bracket", 3);

    private SyntheticStudy() {}

    /** Cells not run: bracket above layer 1, three of midpoint, one of both. */
    static boolean missing(String h, int layer, int position) {
        return h.equals("bracket") && layer > 1
                || h.equals("midpoint") && layer == 3 && position >= -3
                || h.equals("both") && layer == 0 && position == -6;
    }

    static StudyResults results() {
        return results(TOKENS);
    }

    static StudyResults results(List<String> tokens) {
        List<CellResult> cells = new ArrayList<>();
        for (String h : Hypotheses.KNOWN) {
            for (int layer : LAYERS) {
                for (int i = 0; i < POSITIONS.size(); i++) {
                    int p = POSITIONS.get(i);
                    if (missing(h, layer, p)) continue;
                    cells.add(cell(h, layer, p, tokens.get(i), iia(h, layer, i), 11));
                }
            }
        }
        // a second seed at one cell, worse than the first: the heatmap shows the better run
        cells.add(cell("left", 2, -3, tokens.get(3), 0.9, 12));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("train_pairs", 2000L);
        settings.put("epochs", 3L);
        settings.put("lr", 0.001);
        settings.put("seed", 11L);
        settings.put("balanced", true);
        settings.put("prompt", "alpaca");
        return new StudyResults("synthetic/tiny-4L", "price tagging", "block_output", 4, LAYERS, POSITIONS, tokens,
                "Please say yes only if it costs between 1.20 and 5.50 dollars, otherwise no.\n\n### Input:\n3.45 dollars\n\n### Response:\n",
                Hypotheses.KNOWN, 0.94, 500, cells, settings, Instant.parse("2024-05-01T10:00:00Z"),
                Instant.parse("2024-05-01T11:02:03.500Z"), 3723.5);
    }

    /** The higher value of the hypothesis on a diagonal band, the lower elsewhere. */
    static double iia(String h, int layer, int positionIndex) {
        double[] v = IIA_VALUES.get(h);
        return (positionIndex - layer == 2) ? v[1] : v[0];
    }

    static CellResult cell(String h, int layer, int position, String token, double iia, long seed) {
        Map<String, Double> perVariable = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String v : Hypotheses.defaultVariables(h)) {
            perVariable.put(v, iia);
            widths.put(v, WIDTHS.get(h + "/" + v));
        }
        return new CellResult(h, layer, position, PROMPT_LENGTH + position, token, iia, perVariable, widths, D, 2000, 400,
                750, 12.25, seed);
    }
}
