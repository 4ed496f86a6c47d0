package org.intervene4j.engine.kernel;

/**
 * The per-query-row products of fused attention ({@code Ops.attention}): scores against a head's
 * keys, the probability-weighted sum of its values, and the rank-one updates of the backward.
 * Heads are small (a few dozen to a few thousand keys, head dims of 4 to 256), so these loops
 * work on one query row at a time with the head's operands in cache, instead of handing tiny
 * products to the packed GEMM. Dispatches to the vectorized or the scalar reference
 * implementation per {@link KernelConfig#vectorized()}.
 *
 * <p>Rows of keys and values are {@code hd} contiguous floats at a fixed stride. Keys may also
 * come transposed into a scratch block {@code kt [hd, tPad]} (key j's element d at
 * {@code kt[d * tPad + j]}, {@code tPad} a multiple of {@link #padding()}, columns past the
 * last key zero), which lets the scores of one query be formed a vector of keys at a time.
 */
public final class AttentionRows {
    private AttentionRows() {}

    /** What {@code tPad} of a transposed key block must be a multiple of (the vector length, or 1). */
    public static int padding() {
        return KernelConfig.vectorized() ? AttentionRowsVector.L : 1;
    }

    /**
     * {@code row[j] = scale * sum_d q[qo + d] * kt[d * tPad + j]} for j in [from, to). The
     * vectorized kernel also writes the rest of the vectors that cover [from, to), so
     * {@code row} must hold {@code tPad} floats.
     */
    public static void scoresTransposed(float[] q, int qo, int hd, float[] kt, int tPad, float scale,
                                        float[] row, int from, int to) {
        if (KernelConfig.vectorized()) AttentionRowsVector.scoresTransposed(q, qo, hd, kt, tPad, scale, row, from, to);
        else AttentionRowsScalar.scoresTransposed(q, qo, hd, kt, tPad, scale, row, from, to);
    }

    /** {@code row[j] = scale * (q . k_j)} for j in [from, to), key j at {@code k[ko + j * kStride]}. */
    public static void scoresDots(float[] q, int qo, int hd, float[] k, int ko, int kStride, float scale,
                                  float[] row, int from, int to) {
        if (KernelConfig.vectorized()) AttentionRowsVector.scoresDots(q, qo, hd, k, ko, kStride, scale, row, from, to);
        else AttentionRowsScalar.scoresDots(q, qo, hd, k, ko, kStride, scale, row, from, to);
    }

    /**
     * {@code out[oo .. oo + hd) = sum_{j in [from, to)} p[po + j] * v_j}, value row j at
     * {@code v[vo + j * vStride]}; overwrites out (zeros for an empty range).
     */
    public static void weightedSum(float[] p, int po, int from, int to, float[] v, int vo, int vStride, float[] out, int oo, int hd) {
        if (KernelConfig.vectorized()) AttentionRowsVector.weightedSum(p, po, from, to, v, vo, vStride, out, oo, hd);
        else AttentionRowsScalar.weightedSum(p, po, from, to, v, vo, vStride, out, oo, hd);
    }

    /** {@code y_j += c[co + j] * x} for j in [from, to): row j of y at {@code y[yo + j * yStride]}, x at {@code x[xo]}, hd floats each. */
    public static void addScaledRows(float[] c, int co, int from, int to, float[] x, int xo, float[] y, int yo, int yStride, int hd) {
        if (KernelConfig.vectorized()) AttentionRowsVector.addScaledRows(c, co, from, to, x, xo, y, yo, yStride, hd);
        else AttentionRowsScalar.addScaledRows(c, co, from, to, x, xo, y, yo, yStride, hd);
    }

    /**
     * In-place softmax of {@code row[from, to)} whose length is a multiple of {@link #padding()}
     * (callers pad with -infinity, which gets probability 0); all -infinity gives zeros. Sums in
     * float: rows are attention rows, at most a few thousand terms of at most 1.
     */
    public static void softmaxWhole(float[] row, int from, int to) {
        if (KernelConfig.vectorized()) AttentionRowsVector.softmaxWhole(row, from, to);
        else AttentionRowsScalar.softmaxWhole(row, from, to);
    }

    /**
     * {@link #scoresTransposed} for four query rows at once (row r at {@code q[qo + r * qStride]},
     * its scores at {@code rows[r * tPad + j]}): each key vector loaded serves four queries.
     */
    public static void scoresTransposed4(float[] q, int qo, int qStride, int hd, float[] kt, int tPad, float scale,
                                         float[] rows, int from, int to) {
        if (KernelConfig.vectorized()) AttentionRowsVector.scoresTransposed4(q, qo, qStride, hd, kt, tPad, scale, rows, from, to);
        else AttentionRowsScalar.scoresTransposed4(q, qo, qStride, hd, kt, tPad, scale, rows, from, to);
    }

    /**
     * {@link #weightedSum} for four rows of probabilities at once (row r at {@code p[r * pStride + j]},
     * its output at {@code out[oo + r * oStride]}): each value row loaded serves four queries.
     */
    public static void weightedSum4(float[] p, int from, int to, int pStride, float[] v, int vo, int vStride,
                                    float[] out, int oo, int oStride, int hd) {
        if (KernelConfig.vectorized()) AttentionRowsVector.weightedSum4(p, from, to, pStride, v, vo, vStride, out, oo, oStride, hd);
        else AttentionRowsScalar.weightedSum4(p, from, to, pStride, v, vo, vStride, out, oo, oStride, hd);
    }

    /**
     * Softmax backward over whole vectors: {@code ds = p * (dp - sum(p * dp))} on n elements, n a
     * multiple of {@link #padding()} (rows padded with p = 0, which gives ds = 0 there).
     */
    public static void softmaxBackwardWhole(float[] p, int po, float[] dp, int dpo, float[] ds, int dso, int n) {
        if (KernelConfig.vectorized()) AttentionRowsVector.softmaxBackwardWhole(p, po, dp, dpo, ds, dso, n);
        else AttentionRowsScalar.softmaxBackwardWhole(p, po, dp, dpo, ds, dso, n);
    }

    /**
     * {@link #addScaledRows} for four rows at once: {@code y_j += sum_r c[co + r * cStride + j] * x_r}
     * with {@code x_r} at {@code x[xo + r * xStride]}, so each y row is loaded and stored once.
     */
    public static void addScaledRows4(float[] c, int co, int cStride, int from, int to, float[] x, int xo, int xStride,
                                      float[] y, int yo, int yStride, int hd) {
        if (KernelConfig.vectorized()) AttentionRowsVector.addScaledRows4(c, co, cStride, from, to, x, xo, xStride, y, yo, yStride, hd);
        else AttentionRowsScalar.addScaledRows4(c, co, cStride, from, to, x, xo, xStride, y, yo, yStride, hd);
    }
}
