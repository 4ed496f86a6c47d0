package org.intervene4j.model;

import java.util.Arrays;
import org.intervene4j.engine.Tensor;

/**
 * A batch of token sequences, padded to a rectangle. Positions are always per example and in
 * unpadded token indices: {@link #column} maps them to tensor columns, so padding never
 * shifts where an intervention lands.
 *
 * <p>With a KV cache, {@code past[i]} tokens of example i are already cached: new tokens get
 * position ids {@code past[i], past[i] + 1, ...}.
 *
 * <p>A batch may carry a <em>logits selection</em> ({@link #withLogitsAt}, {@link #withSharedLogitsAt}):
 * the same number {@code k} of positions per example whose logits a {@link CausalLM} computes.
 * The model then applies its final norm and LM head to those rows only and returns
 * {@code [batch, k, vocab]}, in the order given; without one it returns every column.
 */
public final class TokenBatch {
    private final int[][] tokens;
    private final PadSide side;
    private final int padId;
    private final int seq;
    private final int[] past;
    private final int[][] keptLogits; // [batch][k] unpadded positions whose logits are kept, or null = every column

    private TokenBatch(int[][] tokens, PadSide side, int padId, int[] past) {
        this(tokens, side, padId, past, null);
    }

    private TokenBatch(int[][] tokens, PadSide side, int padId, int[] past, int[][] keptLogits) {
        this.tokens = tokens;
        this.side = side;
        this.padId = padId;
        this.past = past;
        this.keptLogits = keptLogits;
        int max = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].length == 0) throw new IllegalArgumentException("token batch: example " + i + " has no tokens");
            max = Math.max(max, tokens[i].length);
        }
        this.seq = max;
    }

    /** One example, no padding. */
    public static TokenBatch of(int... ids) {
        return new TokenBatch(new int[][] {ids.clone()}, PadSide.RIGHT, 0, new int[1]);
    }

    /** Several examples padded on {@code side} with {@code padId}. */
    public static TokenBatch padded(int[][] examples, PadSide side, int padId) {
        if (examples.length == 0) throw new IllegalArgumentException("token batch: no examples");
        int[][] copy = new int[examples.length][];
        for (int i = 0; i < examples.length; i++) copy[i] = examples[i].clone();
        return new TokenBatch(copy, side, padId, new int[examples.length]);
    }

    /** The continuation batch for a KV cache that already holds {@code past[i]} tokens of example i. */
    public TokenBatch afterPast(int[] pastLengths) {
        if (pastLengths.length != tokens.length) {
            throw new IllegalArgumentException("token batch: " + pastLengths.length + " past lengths for " + tokens.length + " examples");
        }
        return new TokenBatch(tokens, side, padId, pastLengths.clone(), keptLogits);
    }

    /**
     * This batch with logits kept only at {@code positionPerExample[i]} of example i (unpadded,
     * negative from the end: -1 = last token); the model returns {@code [batch, 1, vocab]}.
     *
     * @throws IllegalArgumentException when the count is not one per example or a position is
     *                                  outside its example (the message names both)
     */
    public TokenBatch withLogitsAt(int[] positionPerExample) {
        if (positionPerExample.length != tokens.length) {
            throw new IllegalArgumentException("logits selection: " + positionPerExample.length + " positions for "
                    + tokens.length + " examples (one per example)");
        }
        int[][] keep = new int[tokens.length][];
        for (int i = 0; i < tokens.length; i++) keep[i] = new int[] {positionPerExample[i]};
        return withKept(keep);
    }

    /**
     * This batch with logits kept at the same {@code positions} of every example (unpadded,
     * negative from the end), in that order; the model returns {@code [batch, positions.length, vocab]}.
     *
     * @throws IllegalArgumentException when no position is given or one is outside some example
     */
    public TokenBatch withSharedLogitsAt(int... positions) {
        if (positions.length == 0) throw new IllegalArgumentException("logits selection: no positions given");
        int[][] keep = new int[tokens.length][];
        for (int i = 0; i < tokens.length; i++) keep[i] = positions.clone();
        return withKept(keep);
    }

    private TokenBatch withKept(int[][] keep) {
        for (int i = 0; i < keep.length; i++) {
            for (int p : keep[i]) {
                int len = tokens[i].length;
                if (p >= len || p < -len) {
                    throw new IllegalArgumentException("logits selection: position " + p + " is outside example " + i
                            + ", which has " + len + " tokens");
                }
            }
        }
        return new TokenBatch(tokens, side, padId, past, keep);
    }

    /** True when this batch keeps logits at selected positions only. */
    public boolean hasLogitsSelection() {
        return keptLogits != null;
    }

    /** Logit rows per example the model returns: the selection's size, or {@link #seq()} without one. */
    public int logitsPerExample() {
        return keptLogits == null ? seq : keptLogits[0].length;
    }

    /**
     * Flat row indices into a {@code [batch * seq, ...]} view of the kept positions, example by
     * example in selection order ({@code i * seq + column}), or null without a selection.
     */
    public int[] keptLogitRows() {
        if (keptLogits == null) return null;
        int k = keptLogits[0].length;
        int[] rows = new int[tokens.length * k];
        for (int i = 0; i < tokens.length; i++) {
            for (int j = 0; j < k; j++) rows[i * k + j] = i * seq + column(i, keptLogits[i][j]);
        }
        return rows;
    }

    public int batch() {
        return tokens.length;
    }

    /** Padded sequence length (columns). */
    public int seq() {
        return seq;
    }

    public PadSide side() {
        return side;
    }

    /** Number of real tokens of example i in this batch (the cache's past not included). */
    public int length(int i) {
        return tokens[i].length;
    }

    /** Tokens already in the KV cache for example i. */
    public int past(int i) {
        return past[i];
    }

    /** The tokens of example i, unpadded (a copy). */
    public int[] tokens(int i) {
        return tokens[i].clone();
    }

    /** Number of padding columns of example i. */
    public int padding(int i) {
        return seq - tokens[i].length;
    }

    /**
     * The column of example i's token at {@code position} (0-based over its real tokens;
     * negative counts from its end, -1 = last). Errors name the example and its length.
     */
    public int column(int i, int position) {
        int len = tokens[i].length;
        int p = position < 0 ? position + len : position;
        if (p < 0 || p >= len) {
            throw new IndexOutOfBoundsException("position " + position + " is outside example " + i + ", which has "
                    + len + " tokens");
        }
        return side == PadSide.LEFT ? padding(i) + p : p;
    }

    /** Padded ids, row-major [batch * seq]. */
    public int[] flatIds() {
        int[] out = new int[tokens.length * seq];
        Arrays.fill(out, padId);
        for (int i = 0; i < tokens.length; i++) {
            System.arraycopy(tokens[i], 0, out, i * seq + column(i, 0), tokens[i].length);
        }
        return out;
    }

    /** Position ids [batch][seq]: past + index for real tokens, 0 for padding. */
    public int[][] positions() {
        int[][] out = new int[tokens.length][seq];
        for (int i = 0; i < tokens.length; i++) {
            int start = column(i, 0);
            for (int t = 0; t < tokens[i].length; t++) out[i][start + t] = past[i] + t;
        }
        return out;
    }

    /** True when some example has padding. */
    public boolean isPadded() {
        for (int[] t : tokens) if (t.length != seq) return true;
        return false;
    }

    /**
     * Key mask [batch, past + seq] over cached and new columns (1 = real token, 0 = padding), or
     * null when nothing is padded. {@code cachedMask} is the mask the cache accumulated so far
     * ([batch, pastColumns]) or null.
     */
    public Tensor keyMask(Tensor cachedMask) {
        int pastCols = cachedMask == null ? 0 : cachedMask.size(1);
        if (cachedMask == null && !isPadded()) return null;
        Tensor m = Tensor.zerosPersistent(tokens.length, pastCols + seq);
        float[] d = m.data();
        for (int i = 0; i < tokens.length; i++) {
            for (int c = 0; c < pastCols; c++) d[i * (pastCols + seq) + c] = cachedMask.get(i, c);
            int start = column(i, 0);
            for (int t = 0; t < tokens[i].length; t++) d[i * (pastCols + seq) + pastCols + start + t] = 1f;
        }
        return m;
    }
}
