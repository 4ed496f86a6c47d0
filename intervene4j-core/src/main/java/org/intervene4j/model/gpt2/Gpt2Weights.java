package org.intervene4j.model.gpt2;

import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.WeightFootprint;
import org.intervene4j.model.common.WeightLoader;
import org.intervene4j.model.common.WeightMatrix;

/**
 * GPT-2's tensors. Conv1D weights are stored [in, out] and held as [out, in] (fp32: a transposed
 * view; half precision: a transposed copy, see {@link WeightMatrix#transposeForLinear}), so the
 * forward calls linear like every family. Matrices stay in half precision when the checkpoint
 * stores them so. Names are looked up with and without {@code transformer.}.
 */
final class Gpt2Weights {
    private static final String[] PREFIX = {"transformer."};

    /** One block's tensors. */
    static final class Block {
        Tensor ln1Gain, ln1Bias;   // [d]
        WeightMatrix qkvWeight;    // [3d, d]: the stored Conv1D [d, 3d], transposed
        Tensor qkvBias;            // [3d]
        WeightMatrix outWeight;    // [d, d] (transposed)
        Tensor outBias;            // [d]
        Tensor ln2Gain, ln2Bias;   // [d]
        WeightMatrix fcWeight;     // [dFf, d] (transposed)
        Tensor fcBias;             // [dFf]
        WeightMatrix projWeight;   // [d, dFf] (transposed)
        Tensor projBias;           // [d]
    }

    WeightMatrix tokenEmbedding;    // [vocab, d]
    WeightMatrix positionEmbedding; // [positions, d]
    Block[] blocks;
    Tensor lnfGain, lnfBias;  // [d]
    WeightMatrix lmHead;      // [vocab, d]; the token embedding when tied
    WeightFootprint footprint;

    static Gpt2Weights load(CheckpointDir dir, Gpt2Config c) {
        Gpt2Weights w = new Gpt2Weights();
        WeightLoader in = new WeightLoader(dir);
        int d = c.dModel();
        w.tokenEmbedding = in.matrix("wte.weight", new int[] {c.vocab(), d}, PREFIX);
        w.positionEmbedding = in.matrix("wpe.weight", new int[] {c.positions(), d}, PREFIX);
        w.blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "h." + l + ".";
            Block b = new Block();
            b.ln1Gain = in.vector(p + "ln_1.weight", new int[] {d}, PREFIX);
            b.ln1Bias = in.vector(p + "ln_1.bias", new int[] {d}, PREFIX);
            b.qkvWeight = in.matrix(p + "attn.c_attn.weight", new int[] {d, 3 * d}, PREFIX).transposeForLinear();
            b.qkvBias = in.vector(p + "attn.c_attn.bias", new int[] {3 * d}, PREFIX);
            b.outWeight = in.matrix(p + "attn.c_proj.weight", new int[] {d, d}, PREFIX).transposeForLinear();
            b.outBias = in.vector(p + "attn.c_proj.bias", new int[] {d}, PREFIX);
            b.ln2Gain = in.vector(p + "ln_2.weight", new int[] {d}, PREFIX);
            b.ln2Bias = in.vector(p + "ln_2.bias", new int[] {d}, PREFIX);
            b.fcWeight = in.matrix(p + "mlp.c_fc.weight", new int[] {d, c.dFf()}, PREFIX).transposeForLinear();
            b.fcBias = in.vector(p + "mlp.c_fc.bias", new int[] {c.dFf()}, PREFIX);
            b.projWeight = in.matrix(p + "mlp.c_proj.weight", new int[] {c.dFf(), d}, PREFIX).transposeForLinear();
            b.projBias = in.vector(p + "mlp.c_proj.bias", new int[] {d}, PREFIX);
            w.blocks[l] = b;
        }
        w.lnfGain = in.vector("ln_f.weight", new int[] {d}, PREFIX);
        w.lnfBias = in.vector("ln_f.bias", new int[] {d}, PREFIX);
        w.lmHead = in.has("lm_head.weight") ? in.matrix("lm_head.weight", new int[] {c.vocab(), d}) : w.tokenEmbedding;
        w.footprint = in.footprint();
        return w;
    }
}
