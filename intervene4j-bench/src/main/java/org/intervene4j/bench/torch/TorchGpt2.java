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
    private record Block(TensorOptional ln1W, TensorOptional ln1B, Tensor qkvW, TensorOptional qkvB,
                         Tensor outW, TensorOptional outB, TensorOptional ln2W, TensorOptional ln2B,
                         Tensor fcW, TensorOptional fcB, Tensor projW, TensorOptional projB) {}

    private static final String[] PREFIX = {"transformer."};

    private final Gpt2Config c;
    private final TorchCheckpoint weights;
    private final Tensor wte; // [vocab, d]
    private final Tensor wpe; // [positions, d]
    private final Block[] blocks;
    private final TensorOptional lnfW, lnfB;
    private final Tensor lmHead;
    private final long[] normShape;

    /** Loads every weight of {@code dir} as {@code weights.dtype()}. */
    public TorchGpt2(CheckpointDir dir, TorchCheckpoint weights) {
        this.c = Gpt2Config.from(dir.config());
        this.weights = weights;
        wte = weights.read("wte.weight", PREFIX);
        wpe = weights.read("wpe.weight", PREFIX);
        blocks = new Block[c.layers()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "h." + l + ".";
            blocks[l] = new Block(
                    opt(weights.read(p + "ln_1.weight", PREFIX)), opt(weights.read(p + "ln_1.bias", PREFIX)),
                    weights.readTransposed(p + "attn.c_attn.weight", PREFIX), opt(weights.read(p + "attn.c_attn.bias", PREFIX)),
                    weights.readTransposed(p + "attn.c_proj.weight", PREFIX), opt(weights.read(p + "attn.c_proj.bias", PREFIX)),
                    opt(weights.read(p + "ln_2.weight", PREFIX)), opt(weights.read(p + "ln_2.bias", PREFIX)),
                    weights.readTransposed(p + "mlp.c_fc.weight", PREFIX), opt(weights.read(p + "mlp.c_fc.bias", PREFIX)),
                    weights.readTransposed(p + "mlp.c_proj.weight", PREFIX), opt(weights.read(p + "mlp.c_proj.bias", PREFIX)));
        }
        lnfW = opt(weights.read("ln_f.weight", PREFIX));
        lnfB = opt(weights.read("ln_f.bias", PREFIX));
        lmHead = dir.has("lm_head.weight") ? weights.read("lm_head.weight") : wte;
        normShape = new long[] {c.dModel()};
    }

    @Override
    public Tensor forward(long[] ids, TorchKvCache cache) {
        int s = ids.length;
        int past = cache.past();
        if (past + s > c.positions()) {
            throw new IllegalArgumentException("libtorch GPT-2: " + (past + s) + " tokens exceed n_positions " + c.positions());
        }
        Tensor idT = torch.tensor(ids).reshape(1, s);
        Tensor x = torch.embedding(wte, idT).add(wpe.narrow(0, past, s));   // [1, s, d]
        for (int l = 0; l < blocks.length; l++) x = block(l, x, s, cache);
        x = torch.layer_norm(x, normShape, lnfW, lnfB, c.eps(), false);
        Tensor logits = torch.linear(x, lmHead);                             // [1, s, vocab]
        cache.advance(s);
        return logits;
    }

    private Tensor block(int l, Tensor x, int s, TorchKvCache cache) {
        Block p = blocks[l];
        long d = c.dModel(), nh = c.heads(), hd = c.headDim();
        Tensor h = torch.layer_norm(x, normShape, p.ln1W(), p.ln1B(), c.eps(), false);
        Tensor qkv = torch.linear(h, p.qkvW(), p.qkvB()).view(1, s, 3, nh, hd).permute(2, 0, 3, 1, 4); // [3, 1, nh, s, hd]
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
        Tensor merged = ctx.transpose(1, 2).reshape(1, s, d);
        x = x.add(torch.linear(merged, p.outW(), p.outB()));
        h = torch.layer_norm(x, normShape, p.ln2W(), p.ln2B(), c.eps(), false);
        Tensor up = torch.gelu(torch.linear(h, p.fcW(), p.fcB()), "tanh");
        return x.add(torch.linear(up, p.projW(), p.projB()));
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

    private static TensorOptional opt(Tensor t) {
        return new TensorOptional(t);
    }
}
