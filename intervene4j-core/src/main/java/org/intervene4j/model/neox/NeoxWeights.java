package org.intervene4j.model.neox;

import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.WeightFootprint;
import org.intervene4j.model.common.WeightLoader;
import org.intervene4j.model.common.WeightMatrix;

/**
 * GPT-NeoX tensors ([out, in] layout); block names with or without {@code gpt_neox.}. Matrices
 * stay in half precision when the checkpoint stores them so; norms and biases are fp32.
 */
final class NeoxWeights {
    private static final String[] PREFIX = {"gpt_neox."};

    static final class Block {
        Tensor ln1Gain, ln1Bias;     // [d]
        Tensor ln2Gain, ln2Bias;     // [d]
        WeightMatrix qkvWeight;      // [3d, d], rows grouped per head as [heads, 3, headDim]
        Tensor qkvBias;              // [3d]
        WeightMatrix denseWeight;    // [d, d]
        Tensor denseBias;            // [d]
        WeightMatrix upWeight;       // [dFf, d]
        Tensor upBias;               // [dFf]
        WeightMatrix downWeight;     // [d, dFf]
        Tensor downBias;             // [d]
    }

    WeightMatrix embedIn;       // [vocab, d]
    Block[] blocks;
    Tensor finalGain, finalBias; // [d]
    WeightMatrix embedOut;      // [vocab, d]
    WeightFootprint footprint;

    static NeoxWeights load(CheckpointDir dir, NeoxConfig c) {
        NeoxWeights w = new NeoxWeights();
        WeightLoader in = new WeightLoader(dir);
        int d = c.dModel();
        w.embedIn = in.matrix("embed_in.weight", new int[] {c.vocab(), d}, PREFIX);
        w.blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "layers." + l + ".";
            Block b = new Block();
            b.ln1Gain = in.vector(p + "input_layernorm.weight", new int[] {d}, PREFIX);
            b.ln1Bias = in.vector(p + "input_layernorm.bias", new int[] {d}, PREFIX);
            b.ln2Gain = in.vector(p + "post_attention_layernorm.weight", new int[] {d}, PREFIX);
            b.ln2Bias = in.vector(p + "post_attention_layernorm.bias", new int[] {d}, PREFIX);
            b.qkvWeight = in.matrix(p + "attention.query_key_value.weight", new int[] {3 * d, d}, PREFIX);
            b.qkvBias = in.vector(p + "attention.query_key_value.bias", new int[] {3 * d}, PREFIX);
            b.denseWeight = in.matrix(p + "attention.dense.weight", new int[] {d, d}, PREFIX);
            b.denseBias = in.vector(p + "attention.dense.bias", new int[] {d}, PREFIX);
            b.upWeight = in.matrix(p + "mlp.dense_h_to_4h.weight", new int[] {c.dFf(), d}, PREFIX);
            b.upBias = in.vector(p + "mlp.dense_h_to_4h.bias", new int[] {c.dFf()}, PREFIX);
            b.downWeight = in.matrix(p + "mlp.dense_4h_to_h.weight", new int[] {d, c.dFf()}, PREFIX);
            b.downBias = in.vector(p + "mlp.dense_4h_to_h.bias", new int[] {d}, PREFIX);
            w.blocks[l] = b;
        }
        w.finalGain = in.vector("final_layer_norm.weight", new int[] {d}, PREFIX);
        w.finalBias = in.vector("final_layer_norm.bias", new int[] {d}, PREFIX);
        w.embedOut = in.matrix("embed_out.weight", new int[] {c.vocab(), d}, PREFIX);
        w.footprint = in.footprint();
        return w;
    }
}
