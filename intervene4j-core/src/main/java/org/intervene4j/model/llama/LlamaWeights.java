package org.intervene4j.model.llama;

import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.WeightFootprint;
import org.intervene4j.model.common.WeightLoader;
import org.intervene4j.model.common.WeightMatrix;

/**
 * Llama-family tensors in nn.Linear layout [out, in]; names with or without {@code model.}.
 * Matrices stay in half precision when the checkpoint stores them so; norms and biases are fp32.
 */
final class LlamaWeights {
    private static final String[] PREFIX = {"model."};

    static final class Block {
        Tensor inputNorm;            // [d]
        WeightMatrix wq, wk, wv;     // [heads*hd, d], [kv*hd, d], [kv*hd, d]
        Tensor bq, bk, bv;           // biases or null
        WeightMatrix wo;             // [d, heads*hd]
        Tensor bo;                   // [d] or null
        Tensor postAttentionNorm;    // [d]
        WeightMatrix gate, up;       // [dFf, d]
        WeightMatrix down;           // [d, dFf]
        Tensor gateBias, upBias, downBias; // or null
    }

    WeightMatrix embedTokens; // [vocab, d]
    Block[] blocks;
    Tensor finalNorm;         // [d]
    WeightMatrix lmHead;      // [vocab, d]; embedTokens when tied
    WeightFootprint footprint;

    static LlamaWeights load(CheckpointDir dir, LlamaConfig c) {
        LlamaWeights w = new LlamaWeights();
        WeightLoader in = new WeightLoader(dir);
        int d = c.dModel();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        w.embedTokens = in.matrix("embed_tokens.weight", new int[] {c.vocab(), d}, PREFIX);
        w.blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".";
            Block b = new Block();
            b.inputNorm = in.vector(p + "input_layernorm.weight", new int[] {d}, PREFIX);
            b.wq = in.matrix(p + "self_attn.q_proj.weight", new int[] {q, d}, PREFIX);
            b.wk = in.matrix(p + "self_attn.k_proj.weight", new int[] {kv, d}, PREFIX);
            b.wv = in.matrix(p + "self_attn.v_proj.weight", new int[] {kv, d}, PREFIX);
            if (c.qkvBias()) {
                b.bq = in.vector(p + "self_attn.q_proj.bias", new int[] {q}, PREFIX);
                b.bk = in.vector(p + "self_attn.k_proj.bias", new int[] {kv}, PREFIX);
                b.bv = in.vector(p + "self_attn.v_proj.bias", new int[] {kv}, PREFIX);
            }
            b.wo = in.matrix(p + "self_attn.o_proj.weight", new int[] {d, q}, PREFIX);
            if (c.outBias()) b.bo = in.vector(p + "self_attn.o_proj.bias", new int[] {d}, PREFIX);
            b.postAttentionNorm = in.vector(p + "post_attention_layernorm.weight", new int[] {d}, PREFIX);
            b.gate = in.matrix(p + "mlp.gate_proj.weight", new int[] {c.dFf(), d}, PREFIX);
            b.up = in.matrix(p + "mlp.up_proj.weight", new int[] {c.dFf(), d}, PREFIX);
            b.down = in.matrix(p + "mlp.down_proj.weight", new int[] {d, c.dFf()}, PREFIX);
            if (c.mlpBias()) {
                b.gateBias = in.vector(p + "mlp.gate_proj.bias", new int[] {c.dFf()}, PREFIX);
                b.upBias = in.vector(p + "mlp.up_proj.bias", new int[] {c.dFf()}, PREFIX);
                b.downBias = in.vector(p + "mlp.down_proj.bias", new int[] {d}, PREFIX);
            }
            w.blocks[l] = b;
        }
        w.finalNorm = in.vector("norm.weight", new int[] {d}, PREFIX);
        if (in.has("lm_head.weight")) {
            w.lmHead = in.matrix("lm_head.weight", new int[] {c.vocab(), d});
        } else if (c.tied()) {
            w.lmHead = w.embedTokens;
        } else {
            throw new org.intervene4j.io.CheckpointException(dir.dir(),
                    "missing tensor 'lm_head.weight' and config.json does not set tie_word_embeddings");
        }
        w.footprint = in.footprint();
        return w;
    }
}
