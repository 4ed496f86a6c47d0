package org.intervene4j.intervention;

import java.util.List;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Site;

/**
 * Streaming mean and variance of activation rows, accumulated in float64 one batch at a time
 * (each batch's mean and sum of squared deviations are merged into the running totals with
 * Chan's pairwise update, so no batch's rows are kept and no large sums of squares cancel).
 * Tracks each of the {@code width} dimensions and, separately, all elements together (the
 * scalar spread ROME's causal tracing scales its noise by). Mean-ablation vectors and
 * steering vectors (difference of two means) are built from it.
 *
 * <pre>{@code
 * RunningStats stats = RunningStats.collect(model, Site.of(3, Component.MLP_OUTPUT), Positions.all(), corpus);
 * MeanAblation ablate = MeanAblation.of(stats.mean());
 * }</pre>
 */
public final class RunningStats {
    private final int width;
    private long rows;
    private final double[] mean;
    private final double[] m2;
    private double allMean;
    private double allM2;

    /** Empty statistics of rows of {@code width} values. */
    public RunningStats(int width) {
        if (width < 1) throw new IllegalArgumentException("RunningStats: width must be >= 1, got " + width);
        this.width = width;
        this.mean = new double[width];
        this.m2 = new double[width];
    }

    /** Adds rows {@code [..., width]} (any leading shape, any layout). */
    public RunningStats add(Tensor rows) {
        int[] s = rows.shape();
        if (s.length == 0 || s[s.length - 1] != width) {
            throw new IllegalArgumentException("RunningStats.add: rows have shape " + java.util.Arrays.toString(s)
                    + " but the statistics have width " + width);
        }
        float[] v = rows.toFloatArray();
        int n = v.length / width;
        if (n == 0) return this;
        double[] bm = new double[width];
        for (int r = 0; r < n; r++) for (int j = 0; j < width; j++) bm[j] += v[r * width + j];
        double ball = 0;
        for (int j = 0; j < width; j++) {
            ball += bm[j];
            bm[j] /= n;
        }
        ball /= (double) n * width;
        double[] bm2 = new double[width];
        double ballM2 = 0;
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < width; j++) {
                double x = v[r * width + j];
                double d = x - bm[j];
                bm2[j] += d * d;
                double e = x - ball;
                ballM2 += e * e;
            }
        }
        long na = this.rows;
        long total = na + n;
        for (int j = 0; j < width; j++) {
            double delta = bm[j] - mean[j];
            mean[j] += delta * n / total;
            m2[j] += bm2[j] + delta * delta * ((double) na * n / total);
        }
        double ea = (double) na * width;
        double eb = (double) n * width;
        double delta = ball - allMean;
        allMean += delta * eb / (ea + eb);
        allM2 += ballM2 + delta * delta * (ea * eb / (ea + eb));
        this.rows = total;
        return this;
    }

    public int width() {
        return width;
    }

    /** Rows added so far. */
    public long count() {
        return rows;
    }

    /** The mean row [width] (a persistent tensor). */
    public Tensor mean() {
        requireRows(1, "mean");
        return toTensor(mean, 1);
    }

    /** Per-dimension variance [width]; {@code unbiased} divides by count - 1 instead of count. */
    public Tensor variance(boolean unbiased) {
        requireRows(unbiased ? 2 : 1, "variance");
        return toTensor(m2, unbiased ? rows - 1 : rows);
    }

    /** Per-dimension standard deviation [width]. */
    public Tensor std(boolean unbiased) {
        requireRows(unbiased ? 2 : 1, "std");
        Tensor t = Tensor.zerosPersistent(width);
        float[] d = t.data();
        long div = unbiased ? rows - 1 : rows;
        for (int j = 0; j < width; j++) d[j] = (float) Math.sqrt(m2[j] / div);
        return t;
    }

    /** The mean of every element added. */
    public double overallMean() {
        requireRows(1, "overallMean");
        return allMean;
    }

    /** The standard deviation of every element added, pooled over dimensions (like {@code torch.std} of the flattened rows). */
    public double overallStd(boolean unbiased) {
        long n = rows * width;
        if (n < (unbiased ? 2 : 1)) throw new IllegalStateException("RunningStats.overallStd: not enough values (" + n + ")");
        return Math.sqrt(allM2 / (unbiased ? n - 1 : n));
    }

    private void requireRows(long needed, String what) {
        if (rows < needed) {
            throw new IllegalStateException("RunningStats." + what + ": needs at least " + needed + " row(s), has " + rows);
        }
    }

    private Tensor toTensor(double[] values, long divisor) {
        Tensor t = Tensor.zerosPersistent(width);
        float[] d = t.data();
        for (int j = 0; j < width; j++) d[j] = (float) (values[j] / divisor);
        return t;
    }

    /**
     * Statistics of the rows at {@code site} (per position, or per head for a {@code head_*}
     * site) over a corpus: one plain forward per batch, unpadded positions only.
     */
    public static RunningStats collect(CausalLM model, Site site, Positions positions, Iterable<TokenBatch> batches) {
        IntervenableModel reader = new IntervenableModel(model, List.of(
                new InterventionSpec(site, site, new Collect(), -1, positions, positions, null, null)));
        RunningStats stats = null;
        try (GradMode off = GradMode.off()) {
            for (TokenBatch batch : batches) {
                Tensor rows = reader.run(batch, List.of()).collected(0);
                if (stats == null) stats = new RunningStats(rows.size(1));
                stats.add(rows);
            }
        }
        if (stats == null) throw new IllegalArgumentException("RunningStats.collect: the corpus is empty");
        return stats;
    }
}
