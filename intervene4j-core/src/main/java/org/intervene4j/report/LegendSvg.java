package org.intervene4j.report;

import java.util.List;
import java.util.Locale;

/**
 * A horizontal colour legend as inline SVG: the scale as a gradient bar with labelled ticks,
 * and a hatched swatch for cells that were not computed.
 */
public final class LegendSvg {
    private static final int BAR_W = 240;
    private static final int BAR_H = 14;
    private static final int X0 = 10;

    /** A tick at scale position {@code t} (0..1) labelled {@code label}. */
    public record Tick(double t, String label) {}

    private LegendSvg() {}

    /** The IIA legend: viridis over 0..1, ticks every 0.2. */
    public static String iia(String id) {
        List<Tick> ticks = List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0).stream()
                .map(t -> new Tick(t, String.format(Locale.ROOT, "%.1f", t))).toList();
        return render(id, "Colour legend: IIA from 0 to 1 (viridis)", "IIA", ColourScale.VIRIDIS, ticks);
    }

    /** The widths legend: oranges over 0..D dims, logarithmic. */
    public static String widths(String id, WidthScale scale) {
        List<Tick> ticks = java.util.Arrays.stream(scale.ticks()).mapToObj(d -> new Tick(scale.position(d), String.valueOf(d))).toList();
        return render(id, "Colour legend: learned subspace width from 0 to " + scale.rotatedWidth() + " dims (log scale)",
                "dims (log)", ColourScale.ORANGES, ticks);
    }

    static String render(String id, String title, String label, ColourScale scale, List<Tick> ticks) {
        String eid = Html.escape(id);
        int swatchX = X0 + BAR_W + 34;
        int width = swatchX + 120;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"legend\" role=\"img\" aria-labelledby=\"").append(eid)
                .append("-title\" width=\"").append(width).append("\" height=\"48\" viewBox=\"0 0 ").append(width).append(" 48\">\n");
        s.append("<title id=\"").append(eid).append("-title\">").append(Html.escape(title)).append("</title>\n");
        s.append("<defs><linearGradient id=\"").append(eid).append("-gradient\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">");
        List<Rgb> stops = scale.stops();
        for (int i = 0; i < stops.size(); i++) {
            s.append("<stop offset=\"").append(String.format(Locale.ROOT, "%.4f", i / (double) (stops.size() - 1)))
                    .append("\" stop-color=\"").append(stops.get(i).hex()).append("\"/>");
        }
        s.append("</linearGradient>").append(HeatmapSvg.hatchPattern(id + "-hatch")).append("</defs>\n");
        s.append("<text class=\"legend-label\" x=\"").append(X0).append("\" y=\"10\">").append(Html.escape(label)).append("</text>\n");
        s.append("<rect x=\"").append(X0).append("\" y=\"16\" width=\"").append(BAR_W).append("\" height=\"").append(BAR_H)
                .append("\" fill=\"url(#").append(eid).append("-gradient)\" stroke=\"#999\" stroke-width=\"0.5\"/>\n");
        for (Tick t : ticks) {
            double x = X0 + t.t() * BAR_W;
            String xs = String.format(Locale.ROOT, "%.1f", x);
            s.append("<line x1=\"").append(xs).append("\" x2=\"").append(xs).append("\" y1=\"").append(16 + BAR_H)
                    .append("\" y2=\"").append(16 + BAR_H + 4).append("\" stroke=\"#555\"/>");
            s.append("<text class=\"tick\" x=\"").append(xs).append("\" y=\"").append(16 + BAR_H + 15)
                    .append("\" text-anchor=\"middle\">").append(Html.escape(t.label())).append("</text>\n");
        }
        s.append("<rect x=\"").append(swatchX).append("\" y=\"16\" width=\"22\" height=\"").append(BAR_H).append("\" fill=\"url(#")
                .append(eid).append("-hatch)\" stroke=\"#999\" stroke-width=\"0.5\"/>");
        s.append("<text class=\"tick\" x=\"").append(swatchX + 28).append("\" y=\"").append(16 + BAR_H - 3)
                .append("\">not run yet</text>\n");
        s.append("</svg>\n");
        return s.toString();
    }
}
