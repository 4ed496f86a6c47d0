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

    /** Loads every weight of {@code dir} as {@code weights.dtype()} (use float32). */
    public TorchGpt2Hooked(CheckpointDir dir, TorchCheckpoint weights) {
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
        Tensor x = torch.embedding(wte, ids).add(wpe.narrow(0, 0, s));   // [b, s, d]
        for (int l = 0; l < blocks.length; l++) {
            x = block(l, x);
            if (l == layer) x = hook.apply(x);
        }
        x = torch.layer_norm(x, normShape, lnfW, lnfB, c.eps(), false);
        return torch.linear(x, lmHead);                                   // [b, s, vocab]
    }

    /** The residual stream after block {@code layer} {@code [batch, seq, d]}: blocks after it are not run. */
    public Tensor blockOutput(Tensor ids, int layer) {
        long s = ids.size(1);
        Tensor x = torch.embedding(wte, ids).add(wpe.narrow(0, 0, s));   // [b, s, d]
        for (int l = 0; l <= layer; l++) x = block(l, x);
        return x;
    }

    private Tensor block(int l, Tensor x) {
        Block p = blocks[l];
        long b = x.size(0), s = x.size(1);
        long d = c.dModel(), nh = c.heads(), hd = c.headDim();
        Tensor h = torch.layer_norm(x, normShape, p.ln1W(), p.ln1B(), c.eps(), false);
        Tensor qkv = torch.linear(h, p.qkvW(), p.qkvB()).view(b, s, 3, nh, hd).permute(2, 0, 3, 1, 4); // [3, b, nh, s, hd]
        Tensor ctx = torch.scaled_dot_product_attention(qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2),
                new TensorOptional(), 0.0, true, new DoubleOptional(), false);   // [b, nh, s, hd]
        Tensor merged = ctx.transpose(1, 2).reshape(b, s, d);
        x = x.add(torch.linear(merged, p.outW(), p.outB()));
        h = torch.layer_norm(x, normShape, p.ln2W(), p.ln2B(), c.eps(), false);
        Tensor up = torch.gelu(torch.linear(h, p.fcW(), p.fcB()), "tanh");
        return x.add(torch.linear(up, p.projW(), p.projB()));
    }

    @Override
    public void close() {
        weights.close();
    }

    private static TensorOptional opt(Tensor t) {
        return new TensorOptional(t);
    }
}
