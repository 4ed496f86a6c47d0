package org.intervene4j.model.bert;

import org.intervene4j.engine.Tensor;
import org.intervene4j.model.common.WeightMatrix;

/**
 * BERT tensors in nn.Linear layout [out, in], read through a name lookup (safetensors or ONNX).
 * Matrices are {@link WeightMatrix}es (compact when a checkpoint stores them as F16/BF16).
 */
public final class BertWeights {
    /** Finds a tensor by its Hugging Face name (without the {@code bert.} prefix) and expected shape. */
    @FunctionalInterface
    public interface Source {
        /** The tensor, or null when absent (only optional tensors — pooler, MLM head — may be absent). */
        Tensor get(String name, int[] shape);

        /**
         * A weight matrix, or null when absent. This default wraps {@link #get} in fp32; a
         * checkpoint source overrides it to keep F16/BF16 matrices compact.
         */
        default WeightMatrix matrix(String name, int[] shape) {
            Tensor t = get(name, shape);
            return t == null ? null : WeightMatrix.of(t);
        }
    }

    static final class Block {
        WeightMatrix wq, wk, wv;       // [d, d]
        Tensor bq, bk, bv;             // [d]
        WeightMatrix wo;               // attention output dense [d, d]
        Tensor bo;                     // [d]
        Tensor ln1Gain, ln1Bias;       // attention output LayerNorm [d]
        WeightMatrix wUp;              // intermediate dense [dFf, d]
        Tensor bUp;                    // [dFf]
        WeightMatrix wDown;            // output dense [d, dFf]
        Tensor bDown;                  // [d]
        Tensor ln2Gain, ln2Bias;       // output LayerNorm [d]
    }

    WeightMatrix wordEmbeddings;     // [vocab, d]
    WeightMatrix positionEmbeddings; // [maxPositions, d]
    WeightMatrix typeEmbeddings;     // [typeVocab, d]
    Tensor embLnGain, embLnBias; // [d]
    Block[] blocks;
    WeightMatrix poolerWeight;           // [d, d]; null when the checkpoint has no pooler
    Tensor poolerBias;                   // [d]
    WeightMatrix mlmDenseWeight;         // masked-LM transform [d, d]; null without an MLM head
    Tensor mlmDenseBias;                 // [d]
    Tensor mlmLnGain, mlmLnBias;         // [d]
    WeightMatrix mlmDecoder;             // [vocab, d]; the word embeddings when tied
    Tensor mlmBias;                      // [vocab]

    /** Reads every tensor through {@code src}; missing required tensors are errors raised by the source. */
    public static BertWeights load(Source src, BertConfig c) {
        BertWeights w = new BertWeights();
        int d = c.dModel();
        int[] vec = {d};
        int[] sq = {d, d};
        w.wordEmbeddings = src.matrix("embeddings.word_embeddings.weight", new int[] {c.vocab(), d});
        w.positionEmbeddings = src.matrix("embeddings.position_embeddings.weight", new int[] {c.maxPositions(), d});
        w.typeEmbeddings = src.matrix("embeddings.token_type_embeddings.weight", new int[] {c.typeVocab(), d});
        w.embLnGain = src.get("embeddings.LayerNorm.weight", vec);
        w.embLnBias = src.get("embeddings.LayerNorm.bias", vec);
        w.blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            Block b = new Block();
            b.wq = src.matrix(p + "attention.self.query.weight", sq);
            b.bq = src.get(p + "attention.self.query.bias", vec);
            b.wk = src.matrix(p + "attention.self.key.weight", sq);
            b.bk = src.get(p + "attention.self.key.bias", vec);
            b.wv = src.matrix(p + "attention.self.value.weight", sq);
            b.bv = src.get(p + "attention.self.value.bias", vec);
            b.wo = src.matrix(p + "attention.output.dense.weight", sq);
            b.bo = src.get(p + "attention.output.dense.bias", vec);
            b.ln1Gain = src.get(p + "attention.output.LayerNorm.weight", vec);
            b.ln1Bias = src.get(p + "attention.output.LayerNorm.bias", vec);
            b.wUp = src.matrix(p + "intermediate.dense.weight", new int[] {c.dFf(), d});
            b.bUp = src.get(p + "intermediate.dense.bias", new int[] {c.dFf()});
            b.wDown = src.matrix(p + "output.dense.weight", new int[] {d, c.dFf()});
            b.bDown = src.get(p + "output.dense.bias", vec);
            b.ln2Gain = src.get(p + "output.LayerNorm.weight", vec);
            b.ln2Bias = src.get(p + "output.LayerNorm.bias", vec);
            w.blocks[l] = b;
        }
        w.poolerWeight = src.matrix("pooler.dense.weight", sq);
        w.poolerBias = w.poolerWeight == null ? null : src.get("pooler.dense.bias", vec);
        w.mlmDenseWeight = src.matrix("cls.predictions.transform.dense.weight", sq);
        if (w.mlmDenseWeight != null) {
            w.mlmDenseBias = src.get("cls.predictions.transform.dense.bias", vec);
            w.mlmLnGain = src.get("cls.predictions.transform.LayerNorm.weight", vec);
            w.mlmLnBias = src.get("cls.predictions.transform.LayerNorm.bias", vec);
            w.mlmBias = src.get("cls.predictions.bias", new int[] {c.vocab()});
            WeightMatrix decoder = src.matrix("cls.predictions.decoder.weight", new int[] {c.vocab(), d});
            w.mlmDecoder = decoder != null ? decoder : w.wordEmbeddings;
        }
        return w;
    }
}
