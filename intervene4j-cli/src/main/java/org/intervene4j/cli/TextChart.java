package org.intervene4j.cli;

import java.util.Locale;

/** Compact text charts for terminal reports. */
public final class TextChart {
    private static final String BLOCKS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
    private static final String ASCII = "_.-:=+*#";

    private TextChart() {}

    /**
     * One character per bucket: {@code values} averaged into {@code width} equal buckets, each
     * drawn as a bar of eight heights between the smallest and largest bucket mean.
     *
     * @param unicode block characters (true) or an ASCII ramp (false)
     */
    public static String sparkline(float[] values, int width, boolean unicode) {
        if (values.length == 0 || width < 1) return "";
        double[] means = bucketMeans(values, Math.min(width, values.length));
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double m : means) {
            lo = Math.min(lo, m);
            hi = Math.max(hi, m);
        }
        String ramp = unicode ? BLOCKS : ASCII;
        StringBuilder sb = new StringBuilder(means.length);
        for (double m : means) {
            int level = hi > lo ? (int) Math.round((m - lo) / (hi - lo) * (ramp.length() - 1)) : 0;
            sb.append(ramp.charAt(level));
        }
        return sb.toString();
    }

    /** The means of {@code buckets} consecutive, nearly equal slices of {@code values}. */
    public static double[] bucketMeans(float[] values, int buckets) {
        double[] out = new double[buckets];
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) values.length * b / buckets);
            int to = (int) ((long) values.length * (b + 1) / buckets);
            double s = 0;
            for (int i = from; i < to; i++) s += values[i];
            out[b] = s / Math.max(1, to - from);
        }
        return out;
    }

    /** A percentage with one decimal, e.g. {@code 99.3%}. */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
