package org.intervene4j.report;

import java.util.List;

/**
 * What {@link HeatmapSvg} draws: a grid of coloured cells, rows top to bottom, with row labels
 * on the left and two-line column labels (token, position) below.
 *
 * @param id              unique within the page (used for element ids)
 * @param title           accessible name of the whole heatmap
 * @param rowAxis         title of the row axis ("layer")
 * @param rowLabels       one per row, top to bottom
 * @param columnTokens    first label line per column (the token, shown in monospace)
 * @param columnPositions second label line per column (the position)
 * @param rows            the cells, {@code rows.get(r).get(c)}
 */
public record Heatmap(String id, String title, String rowAxis, List<String> rowLabels, List<String> columnTokens,
                      List<String> columnPositions, List<List<Cell>> rows) {
    public Heatmap {
        rowLabels = List.copyOf(rowLabels);
        columnTokens = List.copyOf(columnTokens);
        columnPositions = List.copyOf(columnPositions);
        rows = rows.stream().map(List::copyOf).toList();
        if (rows.size() != rowLabels.size()) throw new IllegalArgumentException("heatmap " + id + ": " + rows.size() + " rows, " + rowLabels.size() + " row labels");
        if (columnPositions.size() != columnTokens.size()) throw new IllegalArgumentException("heatmap " + id + ": column label lines differ in length");
        for (List<Cell> row : rows) {
            if (row.size() != columnTokens.size()) throw new IllegalArgumentException("heatmap " + id + ": a row has " + row.size() + " cells for " + columnTokens.size() + " columns");
        }
    }

    /**
     * One cell: {@code fill == null} means not computed (drawn hatched).
     *
     * @param fill      the colour, or null when missing
     * @param text      printed in the cell (may be empty)
     * @param hover     the cell's tooltip ({@code <title>})
     * @param highlight outlined (the best cell of the map)
     */
    public record Cell(Rgb fill, String text, String hover, boolean highlight) {
        public static Cell missing(String hover) {
            return new Cell(null, "", hover, false);
        }

        public boolean isMissing() {
            return fill == null;
        }
    }

    public int cellCount() {
        return rows.size() * columnTokens.size();
    }
}
