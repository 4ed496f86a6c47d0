package org.intervene4j.model;

import org.intervene4j.engine.Tensor;

/**
 * Keys and values of the tokens seen so far, per layer, for incremental decoding. Keys are
 * stored after rotary, so cached entries never need re-rotating.
 */
public final class KvCache {
    private final Tensor[] keys;   // per layer: [batch, kvHeads, cached, headDim]
    private final Tensor[] values; // per layer: [batch, kvHeads, cached, headDim]
    private Tensor keyMask;        // [batch, cached] (1 = real token), or null when nothing was padded
    private int[] past;            // real tokens cached per example
    private final boolean copies;  // false: keeps the forward's own tensors (valid inside their Arena only)

    public KvCache(int layers) {
        this(layers, true);
    }

    private KvCache(int layers, boolean copies) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
        this.copies = copies;
    }

    /**
     * A cache that keeps the keys and values the forward made instead of copying them out of
     * the step's {@link org.intervene4j.engine.Arena}: for a forward split in parts within one
     * step (prefix, then the rest), never for use after the Arena closes. Cached tensors keep
     * their autograd history.
     */
    public static KvCache withinStep(int layers) {
        return new KvCache(layers, false);
    }

    /** Number of cached columns (0 when empty). */
    public int columns() {
        return keys[0] == null ? 0 : keys[0].size(2);
    }

    /** Real tokens cached for each example, or null when empty. */
    public int[] past() {
        return past == null ? null : past.clone();
    }

    public Tensor keys(int layer) {
        return keys[layer];
    }

    public Tensor values(int layer) {
        return values[layer];
    }

    /** The cached key mask [batch, columns], or null. */
    public Tensor keyMask() {
        return keyMask;
    }

    /** Replaces a layer's cache with the concatenation the forward pass computed. */
    public void update(int layer, Tensor k, Tensor v) {
        keys[layer] = copies ? k.persist() : k;
        values[layer] = copies ? v.persist() : v;
    }

    /** Records the mask and per-example token counts after a forward pass over {@code batch}. */
    public void advance(TokenBatch batch, Tensor fullMask) {
        keyMask = fullMask;
        if (past == null) past = new int[batch.batch()];
        for (int i = 0; i < past.length; i++) past[i] += batch.length(i);
    }
}
