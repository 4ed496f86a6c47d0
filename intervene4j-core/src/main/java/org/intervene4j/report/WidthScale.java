package org.intervene4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a learned subspace width (in dimensions) falls on 0..1 for colouring: logarithmic,
 * {@code log2(1 + dims) / log2(1 + D)}, because widths that matter span 1 to thousands of
 * dimensions (0 → 0, D → 1, and each doubling of 1 + dims is an equal step).
 */
public record WidthScale(int rotatedWidth) {
    public WidthScale {
        Checks.atLeast(rotatedWidth, 1, "rotated_width");
    }

    /** 0..1 for {@code dims} in 0..D (clamped). */
    public double position(int dims) {
        int d = Math.max(0, Math.min(dims, rotatedWidth));
        return Math.log1p(d) / Math.log1p(rotatedWidth);
    }

    /** Tick values for a legend: 0, 1, 3, 7, ... (2^k - 1) below D, then D. */
    public int[] ticks() {
        List<Integer> out = new ArrayList<>();
        int step = Math.max(1, (int) Math.ceil((Math.log1p(rotatedWidth) / Math.log(2)) / 6));
        for (int k = 0; (1L << k) - 1 < rotatedWidth; k += step) out.add((1 << k) - 1);
        if (rotatedWidth - out.get(out.size() - 1) < Math.max(1, rotatedWidth / 8) && out.size() > 1) out.remove(out.size() - 1);
        out.add(rotatedWidth);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
