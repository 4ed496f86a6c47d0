package org.intervene4j.model.neox;

import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;

/** GPT-NeoX tensors ([out, in] layout); block names with or without {@code gpt_neox.}. */
final class NeoxWeights {
    private static final String[] PREFIX = {"gpt_neox."};

    static final class Block {
        Tensor ln1Gain, ln1Bias;     // [d]
        Tensor ln2Gain, ln2Bias;     // [d]
        Tensor qkvWeight;            // [3d, d], rows grouped per head as [heads, 3, headDim]
        Tensor qkvBias;              // [3d]
        Tensor denseWeight;          // [d, d]
        Tensor denseBias;            // [d]
        Tensor upWeight, upBias;     // [dFf, d], [dFf]
        Tensor downWeight, downBias; // [d, dFf], [d]
    }

    Tensor embedIn;             // [vocab, d]
    Block[] blocks;
    Tensor finalGain, finalBias; // [d]
    Tensor embedOut;            // [vocab, d]

    static NeoxWeights load(CheckpointDir dir, NeoxConfig c) {
        NeoxWeights w = new NeoxWeights();
        int d = c.dModel();
        w.embedIn = dir.read("embed_in.weight", new int[] {c.vocab(), d}, PREFIX);
        w.blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".";
            Block b = new Block();
            b.ln1Gain = dir.read(p + "input_layernorm.weight", new int[] {d}, PREFIX);
            b.ln1Bias = dir.read(p + "input_layernorm.bias", new int[] {d}, PREFIX);
            b.ln2Gain = dir.read(p + "post_attention_layernorm.weight", new int[] {d}, PREFIX);
            b.ln2Bias = dir.read(p + "post_attention_layernorm.bias", new int[] {d}, PREFIX);
            b.qkvWeight = dir.read(p + "attention.query_key_value.weight", new int[] {3 * d, d}, PREFIX);
            b.qkvBias = dir.read(p + "attention.query_key_value.bias", new int[] {3 * d}, PREFIX);
            b.denseWeight = dir.read(p + "attention.dense.weight", new int[] {d, d}, PREFIX);
            b.denseBias = dir.read(p + "attention.dense.bias", new int[] {d}, PREFIX);
            b.upWeight = dir.read(p + "mlp.dense_h_to_4h.weight", new int[] {c.dFf(), d}, PREFIX);
            b.upBias = dir.read(p + "mlp.dense_h_to_4h.bias", new int[] {c.dFf()}, PREFIX);
            b.downWeight = dir.read(p + "mlp.dense_4h_to_h.weight", new int[] {d, c.dFf()}, PREFIX);
            b.downBias = dir.read(p + "mlp.dense_4h_to_h.bias", new int[] {d}, PREFIX);
            w.blocks[l] = b;
        }
        w.finalGain = dir.read("final_layer_norm.weight", new int[] {d}, PREFIX);
        w.finalBias = dir.read("final_layer_norm.bias", new int[] {d}, PREFIX);
        w.embedOut = dir.read("embed_out.weight", new int[] {c.vocab(), d}, PREFIX);
        return w;
    }
}
