package org.intervene4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Largest magnitudes and differences of float arrays, for tolerances scaled to the values compared. */
public final class Diffs {
    private Diffs() {}

    /** max |a_i|. */
    public static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }

    /** max |a_i - b_i| (the arrays must have the same length). */
    public static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        return worst;
    }
}
