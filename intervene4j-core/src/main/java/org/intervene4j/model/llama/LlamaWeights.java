package org.intervene4j.model.llama;

import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;

/** Llama-family tensors in nn.Linear layout [out, in]; names with or without {@code model.}. */
final class LlamaWeights {
    private static final String[] PREFIX = {"model."};

    static final class Block {
        Tensor inputNorm;            // [d]
        Tensor wq, wk, wv;           // [heads*hd, d], [kv*hd, d], [kv*hd, d]
        Tensor bq, bk, bv;           // biases or null
        Tensor wo;                   // [d, heads*hd]
        Tensor bo;                   // [d] or null
        Tensor postAttentionNorm;    // [d]
        Tensor gate, up;             // [dFf, d]
        Tensor down;                 // [d, dFf]
        Tensor gateBias, upBias, downBias; // or null
    }

    Tensor embedTokens; // [vocab, d]
    Block[] blocks;
    Tensor finalNorm;   // [d]
    Tensor lmHead;      // [vocab, d]; embedTokens when tied

    static LlamaWeights load(CheckpointDir dir, LlamaConfig c) {
        LlamaWeights w = new LlamaWeights();
        int d = c.dModel();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        w.embedTokens = dir.read("embed_tokens.weight", new int[] {c.vocab(), d}, PREFIX);
        w.blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".";
            Block b = new Block();
            b.inputNorm = dir.read(p + "input_layernorm.weight", new int[] {d}, PREFIX);
            b.wq = dir.read(p + "self_attn.q_proj.weight", new int[] {q, d}, PREFIX);
            b.wk = dir.read(p + "self_attn.k_proj.weight", new int[] {kv, d}, PREFIX);
            b.wv = dir.read(p + "self_attn.v_proj.weight", new int[] {kv, d}, PREFIX);
            if (c.qkvBias()) {
                b.bq = dir.read(p + "self_attn.q_proj.bias", new int[] {q}, PREFIX);
                b.bk = dir.read(p + "self_attn.k_proj.bias", new int[] {kv}, PREFIX);
                b.bv = dir.read(p + "self_attn.v_proj.bias", new int[] {kv}, PREFIX);
            }
            b.wo = dir.read(p + "self_attn.o_proj.weight", new int[] {d, q}, PREFIX);
            if (c.outBias()) b.bo = dir.read(p + "self_attn.o_proj.bias", new int[] {d}, PREFIX);
            b.postAttentionNorm = dir.read(p + "post_attention_layernorm.weight", new int[] {d}, PREFIX);
            b.gate = dir.read(p + "mlp.gate_proj.weight", new int[] {c.dFf(), d}, PREFIX);
            b.up = dir.read(p + "mlp.up_proj.weight", new int[] {c.dFf(), d}, PREFIX);
            b.down = dir.read(p + "mlp.down_proj.weight", new int[] {d, c.dFf()}, PREFIX);
            if (c.mlpBias()) {
                b.gateBias = dir.read(p + "mlp.gate_proj.bias", new int[] {c.dFf()}, PREFIX);
                b.upBias = dir.read(p + "mlp.up_proj.bias", new int[] {c.dFf()}, PREFIX);
                b.downBias = dir.read(p + "mlp.down_proj.bias", new int[] {d}, PREFIX);
            }
            w.blocks[l] = b;
        }
        w.finalNorm = dir.read("norm.weight", new int[] {d}, PREFIX);
        if (dir.has("lm_head.weight")) {
            w.lmHead = dir.read("lm_head.weight", new int[] {c.vocab(), d});
        } else if (c.tied()) {
            w.lmHead = w.embedTokens;
        } else {
            throw new org.intervene4j.io.CheckpointException(dir.dir(),
                    "missing tensor 'lm_head.weight' and config.json does not set tie_word_embeddings");
        }
        return w;
    }
}
