package org.intervene4j.nn;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/**
 * Multi-head causal self-attention: separate query, key and value projections, scaled
 * dot-product attention per head (each position sees itself and earlier positions), and an
 * output projection that mixes the heads.
 */
public final class CausalSelfAttention extends Module {
    private final int dim;
    private final int heads;
    private final int headDim;
    private final Linear query;  // [dim, dim]
    private final Linear key;    // [dim, dim]
    private final Linear value;  // [dim, dim]
    private final Linear output; // [dim, dim]

    public CausalSelfAttention(int dim, int heads, Random rng) {
        if (heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("CausalSelfAttention: d_model " + dim + " is not divisible by " + heads + " heads");
        }
        this.dim = dim;
        this.heads = heads;
        this.headDim = dim / heads;
        this.query = child("query", new Linear(dim, dim, rng));
        this.key = child("key", new Linear(dim, dim, rng));
        this.value = child("value", new Linear(dim, dim, rng));
        this.output = child("output", new Linear(dim, dim, rng));
    }

    /**
     * {@code x [batch, seq, dim] -> [batch, seq, dim]}.
     *
     * @param keyMask {@code [batch, seq]}, 1 where a position may be attended to and 0 for
     *                padding; null when every position is real
     */
    public Tensor forward(Tensor x, Tensor keyMask) {
        int batch = x.size(0);
        int seq = x.size(1);
        Tensor q = splitHeads(query.forward(x), batch, seq);                    // [batch, heads, seq, headDim]
        Tensor k = splitHeads(key.forward(x), batch, seq);                      // [batch, heads, seq, headDim]
        Tensor v = splitHeads(value.forward(x), batch, seq);                    // [batch, heads, seq, headDim]
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Tensor merged = Ops.attention(q, k, v, scale, true, 0, keyMask);         // [batch, seq, dim]
        return output.forward(merged);                                          // [batch, seq, dim]
    }

    /** {@code [batch, seq, dim] -> [batch, heads, seq, headDim]} (a view). */
    private Tensor splitHeads(Tensor t, int batch, int seq) {
        return t.reshape(batch, seq, heads, headDim).transpose(1, 2);
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }
}
