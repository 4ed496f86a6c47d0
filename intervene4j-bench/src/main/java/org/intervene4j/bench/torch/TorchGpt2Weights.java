package org.intervene4j.bench.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.gpt2.Gpt2Config;

/**
 * GPT-2's weights as libtorch tensors, and the ops {@link TorchGpt2} and {@link TorchGpt2Hooked}
 * share around their attention: embeddings, the pre-attention layer norm and fused q/k/v
 * projection, the output projection and MLP after it, the final layer norm and LM head.
 * Conv1D weights are transposed once at load to nn.Linear's {@code [out, in]}, the layout
 * {@code torch.linear} expects.
 */
final class TorchGpt2Weights {
    record Block(TensorOptional ln1W, TensorOptional ln1B, Tensor qkvW, TensorOptional qkvB,
                 Tensor outW, TensorOptional outB, TensorOptional ln2W, TensorOptional ln2B,
                 Tensor fcW, TensorOptional fcB, Tensor projW, TensorOptional projB) {}

    private static final String[] PREFIX = {"transformer."};

    final Gpt2Config c;
    final TorchCheckpoint weights;
    final Block[] blocks;
    private final Tensor wte; // [vocab, d]
    private final Tensor wpe; // [positions, d]
    private final TensorOptional lnfW, lnfB;
    private final Tensor lmHead;
    private final long[] normShape;

    /** Loads every weight of {@code dir} as {@code weights.dtype()}. */
    TorchGpt2Weights(CheckpointDir dir, TorchCheckpoint weights) {
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

    /** Token plus position embeddings {@code [b, s, d]} of {@code ids} [b, s] at positions {@code past..past+s-1}. */
    Tensor embed(Tensor ids, long past, long s) {
        return torch.embedding(wte, ids).add(wpe.narrow(0, past, s));
    }

    /** Block {@code l}'s fused q/k/v of {@code x} [b, s, d], split as {@code [3, b, nh, s, hd]}. */
    Tensor qkv(int l, Tensor x, long b, long s) {
        Block p = blocks[l];
        Tensor h = torch.layer_norm(x, normShape, p.ln1W(), p.ln1B(), c.eps(), false);
        return torch.linear(h, p.qkvW(), p.qkvB()).view(b, s, 3, c.heads(), c.headDim()).permute(2, 0, 3, 1, 4);
    }

    /** The rest of block {@code l} once attention gave {@code ctx} [b, nh, s, hd]: output projection and MLP, both residual. */
    Tensor finishBlock(int l, Tensor x, Tensor ctx, long b, long s) {
        Block p = blocks[l];
        Tensor merged = ctx.transpose(1, 2).reshape(b, s, c.dModel());
        x = x.add(torch.linear(merged, p.outW(), p.outB()));
        Tensor h = torch.layer_norm(x, normShape, p.ln2W(), p.ln2B(), c.eps(), false);
        Tensor up = torch.gelu(torch.linear(h, p.fcW(), p.fcB()), "tanh");
        return x.add(torch.linear(up, p.projW(), p.projB()));
    }

    /** Final layer norm and LM head: logits {@code [b, s, vocab]}. */
    Tensor logits(Tensor x) {
        x = torch.layer_norm(x, normShape, lnfW, lnfB, c.eps(), false);
        return torch.linear(x, lmHead);
    }

    private static TensorOptional opt(Tensor t) {
        return new TensorOptional(t);
    }
}
