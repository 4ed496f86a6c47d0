package org.intervene4j.bench.torch;

import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.gpt2.Gpt2Config;

/**
 * GPT-2 in libtorch ops for batched full-sequence forwards (no KV cache) with one hook on the
 * residual stream after a chosen block: the hook sees the block's output {@code [batch, seq, d]}
 * and returns what the next block reads (the libtorch counterpart of our
 * {@code blocks.L.block_output} site). Same ops as {@link TorchGpt2}: pre-layer-norm blocks,
 * fused q/k/v {@code linear}, causal {@code scaled_dot_product_attention}, tanh-GELU MLP, final
 * layer norm, LM head tied to the token embedding. Weights are frozen (no gradient).
 */
public final class TorchGpt2Hooked implements AutoCloseable {
    private final Gpt2Config c;
    private final TorchGpt2Weights w;

    /** Loads every weight of {@code dir} as {@code weights.dtype()} (use float32). */
    public TorchGpt2Hooked(CheckpointDir dir, TorchCheckpoint weights) {
        this.w = new TorchGpt2Weights(dir, weights);
        this.c = w.c;
    }

    public int dModel() {
        return c.dModel();
    }

    /**
     * Logits {@code [batch, seq, vocab]} of every position.
     *
     * @param ids   token ids {@code [batch, seq]} (int64)
     * @param layer the hook runs on the output of this block (0-based), or -1 for none
     * @param hook  maps the block output {@code [batch, seq, d]} to what the next block reads
     */
    public Tensor forward(Tensor ids, int layer, UnaryOperator<Tensor> hook) {
        long s = ids.size(1);
        Tensor x = w.embed(ids, 0, s);                                    // [b, s, d]
        for (int l = 0; l < w.blocks.length; l++) {
            x = block(l, x);
            if (l == layer) x = hook.apply(x);
        }
        return w.logits(x);                                               // [b, s, vocab]
    }

    /**
     * Logits {@code [batch, vocab]} of the last position only: every block runs over every
     * position, then the final norm and LM head over the last one (what our forward does for a
     * batch with a one-position logits selection, {@code TokenBatch.withLogitsAt}).
     *
     * @param ids   token ids {@code [batch, seq]} (int64)
     * @param layer the hook runs on the output of this block (0-based), or -1 for none
     * @param hook  maps the block output {@code [batch, seq, d]} to what the next block reads
     */
    public Tensor lastPositionLogits(Tensor ids, int layer, UnaryOperator<Tensor> hook) {
        long s = ids.size(1);
        Tensor x = w.embed(ids, 0, s);                                    // [b, s, d]
        for (int l = 0; l < w.blocks.length; l++) {
            x = block(l, x);
            if (l == layer) x = hook.apply(x);
        }
        return w.logits(x.select(1, s - 1));                              // [b, vocab]
    }

    /** The residual stream after block {@code layer} {@code [batch, seq, d]}: blocks after it are not run. */
    public Tensor blockOutput(Tensor ids, int layer) {
        long s = ids.size(1);
        Tensor x = w.embed(ids, 0, s);                                    // [b, s, d]
        for (int l = 0; l <= layer; l++) x = block(l, x);
        return x;
    }

    private Tensor block(int l, Tensor x) {
        long b = x.size(0), s = x.size(1);
        Tensor qkv = w.qkv(l, x, b, s);                                          // [3, b, nh, s, hd]
        Tensor ctx = torch.scaled_dot_product_attention(qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2),
                new TensorOptional(), 0.0, true, new DoubleOptional(), false);   // [b, nh, s, hd]
        return w.finishBlock(l, x, ctx, b, s);
    }

    @Override
    public void close() {
        w.weights.close();
    }
}
