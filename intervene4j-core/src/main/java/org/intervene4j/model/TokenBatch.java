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

    /**
     * This batch with logits kept at {@code positionsPerExample[i]} of example i (unpadded,
     * negative from the end), the same count {@code k} for every example; the model returns
     * {@code [batch, k, vocab]}.
     *
     * @throws IllegalArgumentException when the lists are not one per example, differ in length,
     *                                  or name a position outside their example
     */
    public TokenBatch withLogitsAt(int[][] positionsPerExample) {
        if (positionsPerExample.length != tokens.length) {
            throw new IllegalArgumentException("logits selection: position lists for " + positionsPerExample.length
                    + " examples, the batch has " + tokens.length);
        }
        int[][] keep = new int[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            if (positionsPerExample[i].length != positionsPerExample[0].length) {
                throw new IllegalArgumentException("logits selection: example " + i + " keeps " + positionsPerExample[i].length
                        + " positions, example 0 keeps " + positionsPerExample[0].length + " (the count must be the same)");
            }
            keep[i] = positionsPerExample[i].clone();
        }
        return withKept(keep);
    }

    /**
     * This batch with no logits at all: the forward runs every block (hooks fire, a KV cache
     * fills) but skips the final norm and LM head, returning {@code [batch, 0, vocab]}.
     */
    public TokenBatch withoutLogits() {
        return new TokenBatch(tokens, side, padId, past, new int[tokens.length][0]);
    }

    /** The kept logits positions of example i as given (unpadded, maybe negative), or null without a selection. */
    public int[] logitsPositions(int i) {
        return keptLogits == null ? null : keptLogits[i].clone();
    }

    /**
     * The tokens in columns {@code [0, column)}: the first part of a forward split at a column
     * (the second is {@link #columnsFrom}). No logits selection is carried over. Every example
     * must keep at least one token, and nothing may be cached before this batch.
     */
    public TokenBatch columnsBefore(int column) {
        checkSplit(column);
        int[][] head = new int[tokens.length][];
        for (int i = 0; i < tokens.length; i++) head[i] = Arrays.copyOf(tokens[i], tokensBefore(i, column));
        return new TokenBatch(head, side, padId, new int[tokens.length]);
    }

    /**
     * The tokens in columns {@code [column, seq)} as the continuation of {@link #columnsBefore}
     * (its past is what that batch holds), with the logits selection moved to the new token
     * indices. Real tokens stay contiguous across the two parts: left padding stays in the first,
     * right padding in the second, so column distance in the joined cache is still token distance.
     */
    public TokenBatch columnsFrom(int column) {
        checkSplit(column);
        int[][] tail = new int[tokens.length][];
        int[] before = new int[tokens.length];
        int[][] keep = keptLogits == null ? null : new int[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            before[i] = tokensBefore(i, column);
            tail[i] = Arrays.copyOfRange(tokens[i], before[i], tokens[i].length);
            if (keep != null) {
                keep[i] = new int[keptLogits[i].length];
                for (int j = 0; j < keep[i].length; j++) {
                    int p = keptLogits[i][j] < 0 ? keptLogits[i][j] + tokens[i].length : keptLogits[i][j];
                    if (p < before[i]) {
                        throw new IllegalArgumentException("split at column " + column + ": example " + i + " keeps logits at position "
                                + keptLogits[i][j] + ", which falls before the split");
                    }
                    keep[i][j] = p - before[i];
                }
            }
        }
        return new TokenBatch(tail, side, padId, before, keep);
    }

    /** Real tokens of example i in columns before {@code column}. */
    private int tokensBefore(int i, int column) {
        int start = column(i, 0);
        return Math.max(0, Math.min(tokens[i].length, column - start));
    }

    /**
     * True when {@link #columnsBefore} and {@link #columnsFrom} accept {@code column}: it falls
     * inside the batch, nothing is cached before it, and every example has tokens on both sides.
     */
    public boolean splitsAt(int column) {
        if (column <= 0 || column >= seq) return false;
        for (int i = 0; i < tokens.length; i++) {
            int before = tokensBefore(i, column);
            if (past[i] != 0 || before == 0 || before == tokens[i].length) return false;
        }
        return true;
    }

    private void checkSplit(int column) {
        if (!splitsAt(column)) {
            throw new IllegalArgumentException("split at column " + column + ": it must fall inside the " + seq + " columns of a batch"
                    + " with nothing cached before it, leaving every example tokens on both sides");
        }
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
        return keyMask(cachedMask, cachedMask == null ? 0 : cachedMask.size(1));
    }

    /**
     * Key mask [batch, past + seq] after a KV cache: its recorded mask, or all ones for its
     * {@link KvCache#columns()} when nothing it holds was padded; null when neither part has padding.
     */
    public Tensor keyMask(KvCache cache) {
        return cache == null ? keyMask((Tensor) null) : keyMask(cache.keyMask(), cache.columns());
    }

    private Tensor keyMask(Tensor cachedMask, int pastCols) {
        if (cachedMask == null && !isPadded()) return null;
        Tensor m = Tensor.zerosPersistent(tokens.length, pastCols + seq);
        float[] d = m.data();
        for (int i = 0; i < tokens.length; i++) {
            for (int c = 0; c < pastCols; c++) d[i * (pastCols + seq) + c] = cachedMask == null ? 1f : cachedMask.get(i, c);
            int start = column(i, 0);
            for (int t = 0; t < tokens[i].length; t++) d[i * (pastCols + seq) + pastCols + start + t] = 1f;
        }
        return m;
    }
}
