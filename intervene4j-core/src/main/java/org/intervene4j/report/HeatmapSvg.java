package org.intervene4j.report;

/**
 * Renders a {@link Heatmap} as inline SVG: {@code class="heatmap"} with
 * {@code data-expected-cells} (the page's check script compares it with what rendered), an
 * accessible {@code <title>}, one {@code rect.cell} per cell with its own {@code <title>}
 * tooltip, the value printed in a colour that contrasts with the fill, and missing cells
 * hatched grey.
 */
public final class HeatmapSvg {
    static final int CELL_W = 46;
    static final int CELL_H = 24;
    private static final int LEFT = 58;
    private static final int TOP = 6;
    private static final int RIGHT = 8;
    /** Column tokens are cut to this many characters (the full token is in the label's tooltip). */
    private static final int TOKEN_CHARS = 12;
    /** Advance of one 11px monospace character, for sizing the space under the grid. */
    private static final double MONO_CHAR_W = 6.7;

    private HeatmapSvg() {}

    public static String render(Heatmap map) {
        int rows = map.rowLabels().size();
        int cols = map.columnTokens().size();
        int width = LEFT + cols * CELL_W + RIGHT;
        int gridBottom = TOP + rows * CELL_H;
        int longest = map.columnTokens().stream()
                .mapToInt(t -> TokenLabels.abbreviated(t, TOKEN_CHARS).codePointCount(0, TokenLabels.abbreviated(t, TOKEN_CHARS).length()))
                .max().orElse(1);
        // tokens hang at 45 degrees below the position numbers
        int height = gridBottom + 26 + (int) Math.ceil(longest * MONO_CHAR_W * Math.sqrt(0.5)) + 6;
        String id = Html.escape(map.id());
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" role=\"img\" id=\"").append(id)
                .append("\" aria-labelledby=\"").append(id).append("-title\" data-expected-cells=\"").append(map.cellCount())
                .append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">\n");
        s.append("<title id=\"").append(id).append("-title\">").append(Html.escape(map.title())).append("</title>\n");
        s.append("<defs>").append(hatchPattern("hatch-" + id)).append("</defs>\n");
        for (int r = 0; r < rows; r++) {
            int y = TOP + r * CELL_H;
            for (int c = 0; c < cols; c++) cell(s, map.rows().get(r).get(c), LEFT + c * CELL_W, y, "hatch-" + id);
            s.append("<text class=\"row-label\" x=\"").append(LEFT - 8).append("\" y=\"").append(y + CELL_H / 2)
                    .append("\" text-anchor=\"end\" dominant-baseline=\"central\">").append(Html.escape(map.rowLabels().get(r)))
                    .append("</text>\n");
        }
        for (int c = 0; c < cols; c++) {
            int x = LEFT + c * CELL_W + CELL_W / 2;
            String token = map.columnTokens().get(c);
            s.append("<text class=\"col-position\" x=\"").append(x).append("\" y=\"").append(gridBottom + 14)
                    .append("\" text-anchor=\"middle\">").append(Html.escape(map.columnPositions().get(c))).append("</text>\n");
            int tx = x + 4;
            int ty = gridBottom + 26;
            s.append("<text class=\"col-token\" x=\"").append(tx).append("\" y=\"").append(ty)
                    .append("\" text-anchor=\"end\" transform=\"rotate(-45 ").append(tx).append(' ').append(ty).append(")\"><title>")
                    .append(Html.escape(TokenLabels.visible(token))).append("</title>")
                    .append(Html.escape(TokenLabels.abbreviated(token, TOKEN_CHARS))).append("</text>\n");
        }
        int midY = TOP + rows * CELL_H / 2;
        s.append("<text class=\"axis-title\" x=\"14\" y=\"").append(midY).append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append(midY).append(")\">").append(Html.escape(map.rowAxis())).append("</text>\n");
        s.append("</svg>\n");
        return s.toString();
    }

    private static void cell(StringBuilder s, Heatmap.Cell cell, int x, int y, String hatchId) {
        s.append("<g><title>").append(Html.escape(cell.hover())).append("</title>");
        s.append("<rect class=\"cell").append(cell.isMissing() ? " missing" : "").append("\" x=\"").append(x + 1)
                .append("\" y=\"").append(y + 1).append("\" width=\"").append(CELL_W - 2).append("\" height=\"")
                .append(CELL_H - 2).append("\" fill=\"")
                .append(cell.isMissing() ? "url(#" + hatchId + ")" : cell.fill().hex()).append("\"/>");
        if (cell.highlight()) {
            // drawn inside the cell so neighbours keep their colour
            s.append("<rect class=\"best-cell\" x=\"").append(x + 2).append("\" y=\"").append(y + 2).append("\" width=\"")
                    .append(CELL_W - 4).append("\" height=\"").append(CELL_H - 4)
                    .append("\" fill=\"none\" stroke=\"#e4003a\" stroke-width=\"2.5\"/>");
        }
        if (!cell.text().isEmpty()) {
            Rgb ink = cell.isMissing() ? new Rgb(102, 102, 102) : cell.fill().textColour();
            s.append("<text x=\"").append(x + CELL_W / 2).append("\" y=\"").append(y + CELL_H / 2)
                    .append("\" class=\"value\" text-anchor=\"middle\" dominant-baseline=\"central\" style=\"fill:").append(ink.hex()).append("\">")
                    .append(Html.escape(cell.text())).append("</text>");
        }
        s.append("</g>\n");
    }

    /** Light grey with darker diagonal stripes: clearly "no value", distinct from every scale colour. */
    static String hatchPattern(String id) {
        return "<pattern id=\"" + Html.escape(id) + "\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\""
                + " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/>"
                + "<rect width=\"2\" height=\"6\" fill=\"#c6c6c6\"/></pattern>";
    }
}
