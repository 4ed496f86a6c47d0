package org.intervene4j.report;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Number and label formats shared by the HTML page and the terminal table. */
final class Fmt {
    private Fmt() {}

    /** {@code 0.9712 → "0.97"}. */
    static String iia(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** {@code 0.9712 → "97.1%"}. */
    static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    /** A requested position; negative ones with a typographic minus ({@code −3}) when {@code pretty}. */
    static String position(int p, boolean pretty) {
        return p < 0 && pretty ? "\u2212" + (-(long) p) : Integer.toString(p);
    }

    /** {@code {left=12, right=8} → "left 12, right 8"}. */
    static String widths(Map<String, Integer> widths) {
        return widths.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** {@code {left=0.97, right=0.93} → "left 0.97, right 0.93"}. */
    static String perVariable(Map<String, Double> iia) {
        return iia.entrySet().stream().map(e -> e.getKey() + " " + iia(e.getValue())).collect(Collectors.joining(", "));
    }

    /** {@code 75.2 → "1 min 15 s"}, {@code 3725 → "1 h 02 min"}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        if (s < 3600) return (s / 60) + " min " + String.format(Locale.ROOT, "%02d", s % 60) + " s";
        return (s / 3600) + " h " + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + " min";
    }

    /** A setting value as text (doubles without a trailing ".0" noise beyond what Java prints). */
    static String setting(Object v) {
        return String.valueOf(v);
    }
}
