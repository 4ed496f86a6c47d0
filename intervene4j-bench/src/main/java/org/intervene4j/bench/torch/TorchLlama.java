package org.intervene4j.bench.torch;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.llama.LlamaConfig;

/**
 * The Llama family in libtorch ops: {@code rms_norm} pre-norm blocks, rotate-half rotary with
 * the config's frequencies (llama3 scaling included: the very {@code invFreq} our
 * {@link LlamaConfig} computes), grouped-query {@code scaled_dot_product_attention}
 * ({@code enable_gqa}), gated SiLU MLP, tied or separate LM head. Weights and activations are in
 * the loader's dtype; rotary tables are computed in double and rounded once to that dtype.
 */
public final class TorchLlama implements TorchCausalLM {
    private record Block(TensorOptional inputNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo,
                         TensorOptional postNorm, Tensor gate, Tensor up, Tensor down) {}

    private static final String[] PREFIX = {"model."};
    /** Rotary tables cover this many positions (the benchmark's prompt + decode stay far below). */
    private static final int TABLE_POSITIONS = 4096;

    private final LlamaConfig c;
    private final TorchCheckpoint weights;
    private final Tensor embed;  // [vocab, d]
    private final Block[] blocks;
    private final TensorOptional finalNorm;
    private final Tensor lmHead; // [vocab, d]
    private final Tensor cos;    // [TABLE_POSITIONS, hd]: each frequency twice (rotate-half layout)
    private final Tensor sin;
    private final long[] normShape;
    private final DoubleOptional eps;

    /** Loads every weight of {@code dir} as {@code weights.dtype()}. */
    public TorchLlama(CheckpointDir dir, TorchCheckpoint weights) {
        this.c = LlamaConfig.from(dir.config());
        if (c.qkvBias() || c.outBias() || c.mlpBias() || c.slidingWindow() > 0) {
            throw new IllegalArgumentException("libtorch Llama: biases and sliding windows are not implemented here");
        }
        this.weights = weights;
        embed = weights.read("embed_tokens.weight", PREFIX);
        blocks = new Block[c.layers()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "layers." + l + ".";
            blocks[l] = new Block(
                    new TensorOptional(weights.read(p + "input_layernorm.weight", PREFIX)),
                    weights.read(p + "self_attn.q_proj.weight", PREFIX),
                    weights.read(p + "self_attn.k_proj.weight", PREFIX),
                    weights.read(p + "self_attn.v_proj.weight", PREFIX),
                    weights.read(p + "self_attn.o_proj.weight", PREFIX),
                    new TensorOptional(weights.read(p + "post_attention_layernorm.weight", PREFIX)),
                    weights.read(p + "mlp.gate_proj.weight", PREFIX),
                    weights.read(p + "mlp.up_proj.weight", PREFIX),
                    weights.read(p + "mlp.down_proj.weight", PREFIX));
        }
        finalNorm = new TensorOptional(weights.read("norm.weight", PREFIX));
        lmHead = dir.has("lm_head.weight") ? weights.read("lm_head.weight") : embed;
        Tensor[] tables = rotaryTables(c.invFreq(), c.headDim());
        cos = weights.own(tables[0].to(weights.dtype()));
        sin = weights.own(tables[1].to(weights.dtype()));
        normShape = new long[] {c.dModel()};
        eps = new DoubleOptional(c.eps());
    }

    /** cos and sin of {@code position * invFreq[j]} in double, as fp32 {@code [positions, hd]} tables. */
    private static Tensor[] rotaryTables(float[] invFreq, int hd) {
        int half = hd / 2;
        float[] cs = new float[TABLE_POSITIONS * hd];
        float[] sn = new float[TABLE_POSITIONS * hd];
        for (int p = 0; p < TABLE_POSITIONS; p++) {
            for (int j = 0; j < half; j++) {
                double a = (double) p * invFreq[j];
                float co = (float) Math.cos(a), si = (float) Math.sin(a);
                cs[p * hd + j] = co;
                cs[p * hd + j + half] = co;
                sn[p * hd + j] = si;
                sn[p * hd + j + half] = si;
            }
        }
        return new Tensor[] {TorchSupport.fromArray(cs, TABLE_POSITIONS, hd), TorchSupport.fromArray(sn, TABLE_POSITIONS, hd)};
    }

    @Override
    public Tensor forward(long[] ids, TorchKvCache cache) {
        int s = ids.length;
        int past = cache.past();
        if (past + s > TABLE_POSITIONS) {
            throw new IllegalArgumentException("libtorch Llama: " + (past + s) + " tokens exceed the rotary table (" + TABLE_POSITIONS + ")");
        }
        Tensor x = torch.embedding(embed, torch.tensor(ids).reshape(1, s));     // [1, s, d]
        Tensor cosS = cos.narrow(0, past, s);                                    // [s, hd]
        Tensor sinS = sin.narrow(0, past, s);
        for (int l = 0; l < blocks.length; l++) x = block(l, x, s, cosS, sinS, cache);
        x = torch.rms_norm(x.narrow(1, s - 1, 1), normShape, finalNorm, eps);  // last position only
        Tensor logits = torch.linear(x, lmHead);                                 // [1, 1, vocab]
        cache.advance(s);
        return logits;
    }

    private Tensor block(int l, Tensor x, int s, Tensor cosS, Tensor sinS, TorchKvCache cache) {
        Block p = blocks[l];
        long h = c.heads(), kvh = c.kvHeads(), hd = c.headDim();
        Tensor a = torch.rms_norm(x, normShape, p.inputNorm(), eps);
        Tensor q = rotate(torch.linear(a, p.wq()).view(1, s, h, hd).transpose(1, 2), cosS, sinS);   // [1, h, s, hd]
        Tensor k = rotate(torch.linear(a, p.wk()).view(1, s, kvh, hd).transpose(1, 2), cosS, sinS); // [1, kvh, s, hd]
        Tensor v = torch.linear(a, p.wv()).view(1, s, kvh, hd).transpose(1, 2);
        if (cache.keys(l) != null) {
            k = torch.cat(new TensorVector(cache.keys(l), k), 2);
            v = torch.cat(new TensorVector(cache.values(l), v), 2);
        } else {
            v = v.contiguous();
        }
        cache.update(l, k, v);
        // causal only over a fresh prompt (s == all keys); a single decoded token sees every key
        Tensor ctx = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, s > 1 && cache.past() == 0,
                new DoubleOptional(), true);                                      // [1, h, s, hd]
        Tensor merged = ctx.transpose(1, 2).reshape(1, s, h * hd);
        x = x.add(torch.linear(merged, p.wo()));
        Tensor m = torch.rms_norm(x, normShape, p.postNorm(), eps);
        Tensor hidden = torch.silu(torch.linear(m, p.gate())).mul(torch.linear(m, p.up()));
        return x.add(torch.linear(hidden, p.down()));
    }

    /** Rotate-half rotary: {@code x cos + [-x2, x1] sin} with tables {@code [s, hd]} broadcast over heads. */
    private static Tensor rotate(Tensor x, Tensor cos, Tensor sin) {
        long half = x.size(3) / 2;
        Tensor x1 = x.narrow(3, 0, half);
        Tensor x2 = x.narrow(3, half, half);
        Tensor rotated = torch.cat(new TensorVector(x2.neg(), x1), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    @Override
    public int layers() {
        return c.layers();
    }

    @Override
    public String dtype() {
        return weights.dtypeName();
    }

    @Override
    public long weightBytes() {
        return weights.bytes();
    }

    @Override
    public void close() {
        weights.close();
    }
}
