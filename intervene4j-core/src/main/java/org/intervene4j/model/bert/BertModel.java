package org.intervene4j.model.bert;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.layerNorm;
import static org.intervene4j.model.common.WeightMatrix.embedding;
import static org.intervene4j.model.common.WeightMatrix.linear;

import java.util.ArrayList;
import java.util.List;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.CausalLM.SiteShape;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.model.common.Attention;
import org.intervene4j.model.common.SiteCatalog;
import org.intervene4j.model.common.WeightMatrix;
import org.intervene4j.site.Component;
import org.intervene4j.site.Sites;

/**
 * BERT encoder: word + position + token-type embeddings with a LayerNorm, post-LN blocks with
 * bidirectional attention, and the pooling heads sentence encoders use (CLS pooler, mean).
 */
public final class BertModel {
    private final BertConfig config;
    private final BertWeights w;
    private final Attention.Spec attention;

    public BertModel(BertConfig config, BertWeights w) {
        this.config = config;
        this.w = w;
        this.attention = new Attention.Spec(config.heads(), config.heads(), config.headDim(), false);
    }

    /** Loads a bert checkpoint directory (names with or without {@code bert.}; old gamma/beta LayerNorm names too). */
    public static BertModel load(CheckpointDir dir) {
        BertConfig c = BertConfig.from(dir.config());
        return new BertModel(c, BertWeights.load(new CheckpointSource(dir), c));
    }

    /** Tensors from a checkpoint directory; matrices stored as F16/BF16 stay compact. */
    private record CheckpointSource(CheckpointDir dir) implements BertWeights.Source {
        private static final String[] PREFIXES = {"bert."};

        @Override
        public Tensor get(String name, int[] shape) {
            String stored = stored(name);
            return stored == null ? null : dir.read(stored, shape, PREFIXES);
        }

        @Override
        public WeightMatrix matrix(String name, int[] shape) {
            String stored = stored(name);
            if (stored == null) return null;
            return dir.isHalf(stored, PREFIXES)
                    ? WeightMatrix.of(dir.readHalf(stored, shape, PREFIXES))
                    : WeightMatrix.of(dir.read(stored, shape, PREFIXES));
        }

        /**
         * The name as stored (old checkpoints say LayerNorm gamma/beta); null for an absent
         * optional head (pooler, MLM); a missing required tensor raises the checkpoint's error.
         */
        private String stored(String name) {
            if (dir.has(name, PREFIXES)) return name;
            String legacy = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta");
            if (dir.has(legacy, PREFIXES)) return legacy;
            if (name.startsWith("pooler.") || name.startsWith("cls.")) return null;
            dir.info(name, PREFIXES); // raises the missing-tensor error
            return name;
        }
    }

    public BertConfig config() {
        return config;
    }

    public ModelInfo info() {
        return new ModelInfo("bert", config.layers(), config.dModel(), config.heads(), config.heads(), config.headDim(),
                config.dFf(), config.vocab(), config.maxPositions());
    }

    /**
     * Last hidden states [batch, seq, d]. {@code tokenTypes[i]} gives example i's segment ids
     * (unpadded, same length as its tokens), or null for all zeros.
     */
    public Tensor forward(TokenBatch batch, int[][] tokenTypes, Sites sites) {
        int b = batch.batch();
        int s = batch.seq();
        int[] types = new int[b * s];
        int[] positions = new int[b * s];
        for (int i = 0; i < b; i++) {
            if (batch.length(i) > config.maxPositions()) {
                throw new IllegalArgumentException("example " + i + " has " + batch.length(i) + " tokens but this BERT supports "
                        + config.maxPositions() + " (max_position_embeddings)");
            }
            if (tokenTypes != null && tokenTypes[i].length != batch.length(i)) {
                throw new IllegalArgumentException("token types of example " + i + " have length " + tokenTypes[i].length
                        + " but the example has " + batch.length(i) + " tokens");
            }
            for (int t = 0; t < batch.length(i); t++) {
                int col = i * s + batch.column(i, t);
                positions[col] = t;
                types[col] = tokenTypes == null ? 0 : tokenTypes[i][t];
            }
        }
        Tensor keyMask = batch.keyMask((Tensor) null);
        // word + position + token type, then LayerNorm
        Tensor e = add(add(embedding(w.wordEmbeddings, batch.flatIds(), b, s), embedding(w.positionEmbeddings, positions, b, s)),
                embedding(w.typeEmbeddings, types, b, s));
        Tensor x = sites.at(Component.EMBEDDINGS, layerNorm(e, w.embLnGain, w.embLnBias, config.eps())); // [b, s, d]
        for (int l = 0; l < config.layers(); l++) x = block(l, x, keyMask, sites);
        return x;
    }

    private Tensor block(int l, Tensor x, Tensor keyMask, Sites sites) {
        BertWeights.Block p = w.blocks[l];
        x = sites.at(l, Component.BLOCK_INPUT, x);
        // self-attention (bidirectional) -> dense -> residual + LayerNorm
        Tensor a = sites.at(l, Component.ATTENTION_INPUT, x);
        Tensor q = sites.at(l, Component.QUERY_OUTPUT, linear(a, p.wq, p.bq));
        Tensor k = sites.at(l, Component.KEY_OUTPUT, linear(a, p.wk, p.bk));
        Tensor v = sites.at(l, Component.VALUE_OUTPUT, linear(a, p.wv, p.bv));
        Tensor ctx = Attention.attend(attention, l, q, k, v, null, null, keyMask, null, sites);
        Tensor attnOut = sites.at(l, Component.ATTENTION_OUTPUT, linear(ctx, p.wo, p.bo));
        Tensor h = sites.at(l, Component.MLP_INPUT, layerNorm(add(attnOut, x), p.ln1Gain, p.ln1Bias, config.eps()));
        // intermediate (GELU) -> output dense -> residual + LayerNorm
        Tensor act = sites.at(l, Component.MLP_ACTIVATION, activate(linear(h, p.wUp, p.bUp)));
        Tensor mlpOut = sites.at(l, Component.MLP_OUTPUT, linear(act, p.wDown, p.bDown));
        return sites.at(l, Component.BLOCK_OUTPUT, layerNorm(add(mlpOut, h), p.ln2Gain, p.ln2Bias, config.eps()));
    }

    private Tensor activate(Tensor h) {
        return config.geluTanh() ? Ops.gelu(h) : Ops.geluErf(h);
    }

    /** The hidden state of each example's first token ([CLS]): [batch, d]. */
    public Tensor cls(Tensor hidden, TokenBatch batch) {
        int[] cols = new int[batch.batch()];
        Tensor flat = hidden.reshape(batch.batch() * batch.seq(), config.dModel());
        for (int i = 0; i < cols.length; i++) cols[i] = i * batch.seq() + batch.column(i, 0);
        return Ops.indexSelect(flat, 0, cols);
    }

    /** BERT's pooler: tanh(dense(CLS)) [batch, d]; an error when the checkpoint has no pooler. */
    public Tensor pooled(Tensor hidden, TokenBatch batch) {
        if (w.poolerWeight == null) throw new IllegalStateException("this BERT checkpoint has no pooler (pooler.dense.weight)");
        return Ops.tanh(linear(cls(hidden, batch), w.poolerWeight, w.poolerBias));
    }

    /** True when the checkpoint carries the masked-LM head ({@code cls.predictions.*}). */
    public boolean hasMaskedLmHead() {
        return w.mlmDenseWeight != null;
    }

    /** Masked-LM logits [batch, seq, vocab]: LayerNorm(act(dense(h))) @ decoder^T + bias. */
    public Tensor maskedLmLogits(Tensor hidden) {
        if (w.mlmDenseWeight == null) throw new IllegalStateException("this BERT checkpoint has no masked-LM head (cls.predictions.*)");
        Tensor t = layerNorm(activate(linear(hidden, w.mlmDenseWeight, w.mlmDenseBias)), w.mlmLnGain, w.mlmLnBias, config.eps());
        return linear(t, w.mlmDecoder, w.mlmBias);
    }

    /** Mean of each example's real (unpadded) token states: [batch, d]. */
    public Tensor meanPooled(Tensor hidden, TokenBatch batch) {
        int b = batch.batch();
        int s = batch.seq();
        Tensor weights = Tensor.zeros(b, s, 1);
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < batch.length(i); t++) weights.data()[i * s + batch.column(i, t)] = 1f / batch.length(i);
        }
        return Ops.sum(Ops.mul(hidden, weights), 1, false);
    }

    /** Every site, without {@code final_norm} and {@code logits}, which BERT does not have. */
    public List<SiteShape> sites() {
        List<SiteShape> out = new ArrayList<>(SiteCatalog.decoder(info()));
        out.removeIf(s -> s.site().component() == Component.FINAL_NORM || s.site().component() == Component.LOGITS);
        return out;
    }
}
