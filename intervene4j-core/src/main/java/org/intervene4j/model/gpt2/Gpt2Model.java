package org.intervene4j.model.gpt2;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.layerNorm;
import static org.intervene4j.engine.Ops.scale;
import static org.intervene4j.model.common.WeightMatrix.embedding;
import static org.intervene4j.model.common.WeightMatrix.linear;

import java.util.List;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.KvCache;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.model.WeightFootprint;
import org.intervene4j.model.common.Attention;
import org.intervene4j.model.common.LogitsSelection;
import org.intervene4j.model.common.SiteCatalog;
import org.intervene4j.site.Component;
import org.intervene4j.site.Sites;

/** GPT-2: learned positions, pre-layer-norm blocks, fused q/k/v Conv1D, tied LM head. */
public final class Gpt2Model implements CausalLM {
    private final Gpt2Config config;
    private final Gpt2Weights w;
    private final Attention.Spec attention;

    private Gpt2Model(Gpt2Config config, Gpt2Weights w) {
        this.config = config;
        this.w = w;
        this.attention = new Attention.Spec(config.heads(), config.heads(), config.headDim(), true);
    }

    /** Loads GPT-2 from a checkpoint directory whose config says {@code model_type: gpt2}. */
    public static Gpt2Model load(CheckpointDir dir) {
        Gpt2Config c = Gpt2Config.from(dir.config());
        return new Gpt2Model(c, Gpt2Weights.load(dir, c));
    }

    public Gpt2Config config() {
        return config;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("gpt2", config.layers(), config.dModel(), config.heads(), config.heads(), config.headDim(),
                config.dFf(), config.vocab(), config.positions());
    }

    @Override
    public WeightFootprint weightFootprint() {
        return w.footprint;
    }

    @Override
    public Tensor forward(TokenBatch batch, Sites sites, KvCache cache) {
        int b = batch.batch();
        int s = batch.seq();
        int[][] positions = batch.positions();
        int[] flatPositions = new int[b * s];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < s; t++) {
                if (positions[i][t] >= config.positions()) {
                    throw new IllegalArgumentException("example " + i + " reaches position " + positions[i][t]
                            + " but this GPT-2 has " + config.positions() + " positions (n_positions)");
                }
                flatPositions[i * s + t] = positions[i][t];
            }
        }
        Tensor keyMask = batch.keyMask(cache);
        // token + learned position embeddings
        Tensor x = add(embedding(w.tokenEmbedding, batch.flatIds(), b, s), embedding(w.positionEmbedding, flatPositions, b, s));
        x = sites.at(Component.EMBEDDINGS, x);                                   // [b, s, d]
        int last = config.layers() - 1;
        // one block may drop the rows whose logits are not kept right after its attention: the last,
        // or the one where the hooks end the forward (a source run)
        int cut = LogitsSelection.rowCutLayer(batch, sites, last);
        for (int l = 0; l <= last; l++) x = block(l, x, keyMask, cache, sites, LogitsSelection.cutsAt(l, cut) ? batch : null);
        if (cut < 0) x = LogitsSelection.keep(x, batch);                    // [b, k, d]: only the rows whose logits are kept
        x = sites.at(Component.FINAL_NORM, layerNorm(x, w.lnfGain, w.lnfBias, config.eps()));
        Tensor logits = sites.at(Component.LOGITS, linear(x, w.lmHead, null));   // [b, k, vocab]
        if (cache != null) cache.advance(batch, keyMask);
        return logits;
    }

    private Tensor block(int l, Tensor x, Tensor keyMask, KvCache cache, Sites sites, TokenBatch keepRows) {
        Gpt2Weights.Block p = w.blocks[l];
        int d = config.dModel();
        x = sites.at(l, Component.BLOCK_INPUT, x);
        // attention: ln_1 -> fused q/k/v -> scaled dot-product -> c_proj
        Tensor a = sites.at(l, Component.ATTENTION_INPUT, layerNorm(x, p.ln1Gain, p.ln1Bias, config.eps()));
        Tensor qkv = linear(a, p.qkvWeight, p.qkvBias);                         // [b, s, 3d]
        Tensor q = sites.at(l, Component.QUERY_OUTPUT, qkv.narrow(2, 0, d));
        Tensor k = sites.at(l, Component.KEY_OUTPUT, qkv.narrow(2, d, d));
        Tensor v = sites.at(l, Component.VALUE_OUTPUT, qkv.narrow(2, 2 * d, d));
        if (config.scaleByInverseLayer()) q = scale(q, 1f / (l + 1));
        Tensor ctx = Attention.attend(attention, l, q, k, v, null, null, keyMask, cache, sites);
        if (keepRows != null) {
            ctx = LogitsSelection.keep(ctx, keepRows);                           // [b, k, d]
            x = LogitsSelection.keep(x, keepRows);
        }
        Tensor attnOut = sites.at(l, Component.ATTENTION_OUTPUT, linear(ctx, p.outWeight, p.outBias));
        x = add(x, attnOut);
        // MLP: ln_2 -> c_fc -> activation -> c_proj
        Tensor m = sites.at(l, Component.MLP_INPUT, layerNorm(x, p.ln2Gain, p.ln2Bias, config.eps()));
        Tensor hidden = sites.at(l, Component.MLP_ACTIVATION, activate(linear(m, p.fcWeight, p.fcBias)));
        Tensor mlpOut = sites.at(l, Component.MLP_OUTPUT, linear(hidden, p.projWeight, p.projBias));
        x = add(x, mlpOut);
        return sites.at(l, Component.BLOCK_OUTPUT, x);
    }

    private Tensor activate(Tensor h) {
        return switch (config.activation()) {
            case GELU_TANH -> Ops.gelu(h);
            case GELU_ERF -> Ops.geluErf(h);
            case RELU -> Ops.relu(h);
            case SILU -> Ops.silu(h);
        };
    }

    @Override
    public List<SiteShape> sites() {
        return SiteCatalog.decoder(info());
    }
}
