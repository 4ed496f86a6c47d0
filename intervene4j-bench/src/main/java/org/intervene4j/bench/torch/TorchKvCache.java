package org.intervene4j.bench.torch;

import org.bytedeco.pytorch.Tensor;

/**
 * Keys and values per layer as whole tensors, {@code [1, kvHeads, cached, headDim]}, replaced by
 * their concatenation with each step's new columns (as Hugging Face's legacy cache does).
 *
 * <p>Memory: a tensor made inside a step's {@code PointerScope} is freed when the scope closes.
 * The cache takes its own reference on each tensor it stores (so it survives the step) and
 * drops the reference on the tensor it replaces (so old caches are freed at once).
 */
public final class TorchKvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private int past;

    public TorchKvCache(int layers) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
    }

    /** Tokens cached so far. */
    public int past() {
        return past;
    }

    /** The cached keys of a layer, or null when empty. */
    public Tensor keys(int layer) {
        return keys[layer];
    }

    /** The cached values of a layer, or null when empty. */
    public Tensor values(int layer) {
        return values[layer];
    }

    /** Replaces a layer's keys and values (both {@code [1, kvHeads, past + s, headDim]}). */
    public void update(int layer, Tensor k, Tensor v) {
        k.retainReference();
        v.retainReference();
        if (keys[layer] != null) {
            keys[layer].releaseReference();
            values[layer].releaseReference();
        }
        keys[layer] = k;
        values[layer] = v;
    }

    /** Records that {@code tokens} more tokens are cached. */
    public void advance(int tokens) {
        past += tokens;
    }

    /** Frees every cached tensor. */
    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l].releaseReference();
                values[l].releaseReference();
                keys[l] = null;
                values[l] = null;
            }
        }
        past = 0;
    }
}
