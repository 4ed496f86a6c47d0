package org.intervene4j.bench.torch;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.gpt2.Gpt2Config;

/**
 * GPT-2 in libtorch ops: token + learned position embeddings, pre-layer-norm blocks (fused
 * q/k/v {@code linear}, {@code scaled_dot_product_attention}, tanh-GELU MLP), final layer norm,
 * LM head tied to the token embedding. Conv1D weights are transposed once at load to
 * nn.Linear's {@code [out, in]}, the layout {@code torch.linear} expects.
 */
public final class TorchGpt2 implements TorchCausalLM {
    private final Gpt2Config c;
    private final TorchGpt2Weights w;

    /** Loads every weight of {@code dir} as {@code weights.dtype()}. */
    public TorchGpt2(CheckpointDir dir, TorchCheckpoint weights) {
        this.w = new TorchGpt2Weights(dir, weights);
        this.c = w.c;
    }

    @Override
    public Tensor forward(long[] ids, TorchKvCache cache) {
        int s = ids.length;
        int past = cache.past();
        if (past + s > c.positions()) {
            throw new IllegalArgumentException("libtorch GPT-2: " + (past + s) + " tokens exceed n_positions " + c.positions());
        }
        Tensor idT = torch.tensor(ids).reshape(1, s);
        Tensor x = w.embed(idT, past, s);                                    // [1, s, d]
        for (int l = 0; l < w.blocks.length; l++) x = block(l, x, s, cache);
        Tensor logits = w.logits(x.narrow(1, s - 1, 1));                     // [1, 1, vocab]: last position only
        cache.advance(s);
        return logits;
    }

    private Tensor block(int l, Tensor x, int s, TorchKvCache cache) {
        Tensor qkv = w.qkv(l, x, 1, s);                                      // [3, 1, nh, s, hd]
        Tensor q = qkv.select(0, 0);
        Tensor k = qkv.select(0, 1);
        Tensor v = qkv.select(0, 2);
        if (cache.keys(l) != null) {
            k = torch.cat(new TensorVector(cache.keys(l), k), 2);
            v = torch.cat(new TensorVector(cache.values(l), v), 2);
        } else {
            k = k.contiguous();
            v = v.contiguous();
        }
        cache.update(l, k, v);
        // causal only over a fresh prompt (s == all keys); a single decoded token sees every key
        Tensor ctx = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, s > 1 && cache.past() == 0,
                new DoubleOptional(), false);                                  // [1, nh, s, hd]
        return w.finishBlock(l, x, ctx, 1, s);
    }

    @Override
    public int layers() {
        return c.layers();
    }

    @Override
    public String dtype() {
        return w.weights.dtypeName();
    }

    @Override
    public long weightBytes() {
        return w.weights.bytes();
    }

    @Override
    public void close() {
        w.weights.close();
    }
}
