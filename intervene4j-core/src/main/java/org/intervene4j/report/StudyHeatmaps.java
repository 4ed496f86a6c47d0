package org.intervene4j.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns {@link StudyResults} into {@link Heatmap}s: rows are the searched layers (last layer
 * on top, as in the model's stack), columns the searched positions labelled with their tokens.
 * Where a cell ran with several seeds the best run is shown and the tooltip gives the mean.
 */
public final class StudyHeatmaps {
    private StudyHeatmaps() {}

    /** Held-out IIA of {@code hypothesis}, coloured on viridis over 0..1, the best cell outlined. */
    public static Heatmap iia(StudyResults r, String hypothesis) {
        Optional<CellResult> best = r.best(hypothesis);
        return grid(r, "iia-" + hypothesis, "Held-out IIA of hypothesis " + hypothesis + " per layer and position",
                hypothesis, (layer, position, runs) -> {
                    CellResult top = runs.get(0);
                    boolean isBest = best.isPresent() && best.get().sameCellAs(top);
                    return new Heatmap.Cell(ColourScale.VIRIDIS.at(top.iia()), Fmt.iia(top.iia()), hover(runs), isBest);
                });
    }

    /** Learned width of {@code variable}'s subspace under {@code hypothesis}, oranges on a log scale over 0..D. */
    public static Heatmap widths(StudyResults r, String hypothesis, String variable) {
        WidthScale scale = widthScale(r);
        return grid(r, "dims-" + hypothesis + "-" + variable, "Learned subspace width (dims) of variable " + variable
                + " under hypothesis " + hypothesis + " per layer and position", hypothesis, (layer, position, runs) -> {
                    CellResult top = runs.get(0);
                    Integer dims = top.widths().get(variable);
                    if (dims == null) return Heatmap.Cell.missing(variable + ": no width recorded\n" + hover(runs));
                    return new Heatmap.Cell(ColourScale.ORANGES.at(scale.position(dims)), dims.toString(), hover(runs), false);
                });
    }

    /** The variables whose widths a hypothesis' cells record, in first-seen order (the defaults when none ran). */
    public static List<String> variables(StudyResults r, String hypothesis) {
        Set<String> seen = new LinkedHashSet<>();
        for (CellResult c : r.cells()) if (c.hypothesis().equals(hypothesis)) seen.addAll(c.widths().keySet());
        return seen.isEmpty() ? Hypotheses.defaultVariables(hypothesis) : new ArrayList<>(seen);
    }

    /** One scale for every widths heatmap of the page: 0..the largest rotated width seen. */
    public static WidthScale widthScale(StudyResults r) {
        return new WidthScale(r.cells().stream().mapToInt(CellResult::rotatedWidth).max().orElse(1));
    }

    private interface CellMaker {
        /** {@code runs}: the runs at this cell, best IIA first (never empty). */
        Heatmap.Cell make(int layer, int position, List<CellResult> runs);
    }

    private static Heatmap grid(StudyResults r, String id, String title, String hypothesis, CellMaker maker) {
        List<Integer> layers = r.layers().stream().sorted(Comparator.reverseOrder()).toList();
        List<List<Heatmap.Cell>> rows = new ArrayList<>();
        for (int layer : layers) {
            List<Heatmap.Cell> row = new ArrayList<>();
            for (int i = 0; i < r.positions().size(); i++) {
                int position = r.positions().get(i);
                List<CellResult> runs = new ArrayList<>(r.runsAt(hypothesis, layer, position));
                runs.sort(Comparator.comparingDouble(CellResult::iia).reversed());
                row.add(runs.isEmpty()
                        ? Heatmap.Cell.missing(place(hypothesis, layer, position, r.positionTokens().get(i)) + "\nnot run yet")
                        : maker.make(layer, position, runs));
            }
            rows.add(row);
        }
        List<String> positions = r.positions().stream().map(p -> Fmt.position(p, true)).toList();
        return new Heatmap(id, title, "layer", layers.stream().map(String::valueOf).toList(), r.positionTokens(), positions, rows);
    }

    private static String place(String hypothesis, int layer, int position, String token) {
        return hypothesis + " · layer " + layer + " · position " + Fmt.position(position, true) + " “"
                + TokenLabels.visible(token) + "”";
    }

    /** The tooltip of a computed cell: where, IIA (per variable), dims, pairs, steps, seeds. */
    private static String hover(List<CellResult> runs) {
        CellResult c = runs.get(0);
        StringBuilder s = new StringBuilder(place(c.hypothesis(), c.layer(), c.position(), c.token()));
        s.append(" (token ").append(c.absolutePosition()).append(")\n");
        s.append("IIA ").append(Fmt.iia(c.iia())).append(" on ").append(c.heldOutPairs()).append(" held-out pairs");
        if (c.iiaPerVariable().size() > 1) s.append(" (").append(Fmt.perVariable(c.iiaPerVariable())).append(')');
        s.append("\ndims: ").append(c.widths().isEmpty() ? "none" : Fmt.widths(c.widths())).append(" of D = ").append(c.rotatedWidth());
        s.append("\ntrained on ").append(c.trainPairs()).append(" pairs, ").append(c.steps()).append(" steps, ")
                .append(Fmt.duration(c.seconds())).append(", seed ").append(c.seed());
        if (runs.size() > 1) {
            double mean = runs.stream().mapToDouble(CellResult::iia).average().orElse(0);
            s.append("\nbest of ").append(runs.size()).append(" seeds; mean IIA ").append(Fmt.iia(mean));
        }
        return s.toString();
    }
}
