package org.intervene4j.model.gpt2;

import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;

/**
 * GPT-2's tensors, as stored: Conv1D weights are [in, out] (the forward reads them transposed
 * in place). Names are looked up with and without the {@code transformer.} prefix.
 */
final class Gpt2Weights {
    private static final String[] PREFIX = {"transformer."};

    /** One block's tensors. */
    static final class Block {
        Tensor ln1Gain, ln1Bias;   // [d]
        Tensor qkvWeight;          // [d, 3d]
        Tensor qkvBias;            // [3d]
        Tensor outWeight;          // [d, d]
        Tensor outBias;            // [d]
        Tensor ln2Gain, ln2Bias;   // [d]
        Tensor fcWeight;           // [d, dFf]
        Tensor fcBias;             // [dFf]
        Tensor projWeight;         // [dFf, d]
        Tensor projBias;           // [d]
    }

    Tensor tokenEmbedding;    // [vocab, d]
    Tensor positionEmbedding; // [positions, d]
    Block[] blocks;
    Tensor lnfGain, lnfBias;  // [d]
    Tensor lmHead;            // [vocab, d]; the token embedding when tied

    static Gpt2Weights load(CheckpointDir dir, Gpt2Config c) {
        Gpt2Weights w = new Gpt2Weights();
        int d = c.dModel();
        w.tokenEmbedding = dir.read("wte.weight", new int[] {c.vocab(), d}, PREFIX);
        w.positionEmbedding = dir.read("wpe.weight", new int[] {c.positions(), d}, PREFIX);
        w.blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "h." + l + ".";
            Block b = new Block();
            b.ln1Gain = dir.read(p + "ln_1.weight", new int[] {d}, PREFIX);
            b.ln1Bias = dir.read(p + "ln_1.bias", new int[] {d}, PREFIX);
            b.qkvWeight = dir.read(p + "attn.c_attn.weight", new int[] {d, 3 * d}, PREFIX);
            b.qkvBias = dir.read(p + "attn.c_attn.bias", new int[] {3 * d}, PREFIX);
            b.outWeight = dir.read(p + "attn.c_proj.weight", new int[] {d, d}, PREFIX);
            b.outBias = dir.read(p + "attn.c_proj.bias", new int[] {d}, PREFIX);
            b.ln2Gain = dir.read(p + "ln_2.weight", new int[] {d}, PREFIX);
            b.ln2Bias = dir.read(p + "ln_2.bias", new int[] {d}, PREFIX);
            b.fcWeight = dir.read(p + "mlp.c_fc.weight", new int[] {d, c.dFf()}, PREFIX);
            b.fcBias = dir.read(p + "mlp.c_fc.bias", new int[] {c.dFf()}, PREFIX);
            b.projWeight = dir.read(p + "mlp.c_proj.weight", new int[] {c.dFf(), d}, PREFIX);
            b.projBias = dir.read(p + "mlp.c_proj.bias", new int[] {d}, PREFIX);
            w.blocks[l] = b;
        }
        w.lnfGain = dir.read("ln_f.weight", new int[] {d}, PREFIX);
        w.lnfBias = dir.read("ln_f.bias", new int[] {d}, PREFIX);
        w.lmHead = dir.has("lm_head.weight") ? dir.read("lm_head.weight", new int[] {c.vocab(), d}) : w.tokenEmbedding;
        return w;
    }
}
