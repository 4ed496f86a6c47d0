package org.intervene4j.report;

import java.util.List;

/**
 * A sequential colour scale over 0..1: evenly spaced stops, linear interpolation in sRGB
 * between neighbours. {@link #VIRIDIS} (for IIA) is perceptually uniform, readable in grey and
 * by colour-blind readers; {@link #ORANGES} (for subspace widths) is deliberately a different
 * hue so the two kinds of heatmap are not confused.
 */
public final class ColourScale {
    /** Viridis sampled at 0, 0.1, ..., 1. */
    public static final ColourScale VIRIDIS = new ColourScale("viridis", List.of("#440154", "#482475", "#414487",
            "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"));
    /** The nine-class sequential oranges, light to dark, at 0, 1/8, ..., 1. */
    public static final ColourScale ORANGES = new ColourScale("oranges", List.of("#fff5eb", "#fee6ce", "#fdd0a2",
            "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"));

    private final String name;
    private final List<Rgb> stops;

    private ColourScale(String name, List<String> hexStops) {
        this.name = name;
        this.stops = hexStops.stream().map(Rgb::hex).toList();
    }

    /** The scale's name ("viridis"). */
    public String name() {
        return name;
    }

    /** The stops, evenly spaced over 0..1 (for gradient legends). */
    public List<Rgb> stops() {
        return stops;
    }

    /** The colour at {@code t}, clamped to 0..1. */
    public Rgb at(double t) {
        if (Double.isNaN(t)) throw new IllegalArgumentException("colour scale " + name + ": value is NaN");
        double x = Math.max(0, Math.min(1, t)) * (stops.size() - 1);
        int i = Math.min((int) Math.floor(x), stops.size() - 2);
        double f = x - i;
        Rgb a = stops.get(i);
        Rgb b = stops.get(i + 1);
        return new Rgb(mix(a.r(), b.r(), f), mix(a.g(), b.g(), f), mix(a.b(), b.b(), f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
