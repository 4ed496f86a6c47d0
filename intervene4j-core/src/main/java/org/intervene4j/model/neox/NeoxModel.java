package org.intervene4j.model.neox;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.layerNorm;
import static org.intervene4j.model.common.WeightMatrix.embedding;
import static org.intervene4j.model.common.WeightMatrix.linear;

import java.util.List;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.op.RotaryTables;
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

/** GPT-NeoX and Pythia: fused per-head q/k/v, partial rotary, parallel or sequential residual. */
public final class NeoxModel implements CausalLM {
    private final NeoxConfig config;
    private final NeoxWeights w;
    private final Attention.Spec attention;

    private NeoxModel(NeoxConfig config, NeoxWeights w) {
        this.config = config;
        this.w = w;
        this.attention = new Attention.Spec(config.heads(), config.heads(), config.headDim(), true);
    }

    /** Loads a gpt_neox checkpoint directory. */
    public static NeoxModel load(CheckpointDir dir) {
        NeoxConfig c = NeoxConfig.from(dir.config());
        return new NeoxModel(c, NeoxWeights.load(dir, c));
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("gpt_neox", config.layers(), config.dModel(), config.heads(), config.heads(), config.headDim(),
                config.dFf(), config.vocab(), config.maxPositions());
    }

    @Override
    public WeightFootprint weightFootprint() {
        return w.footprint;
    }

    @Override
    public Tensor forward(TokenBatch batch, Sites sites, KvCache cache) {
        int b = batch.batch();
        int s = batch.seq();
        for (int i = 0; i < b; i++) {
            int total = batch.past(i) + batch.length(i);
            if (total > config.maxPositions()) {
                throw new IllegalArgumentException("example " + i + " has " + total + " tokens but this GPT-NeoX supports "
                        + config.maxPositions() + " (max_position_embeddings)");
            }
        }
        Tensor keyMask = batch.keyMask(cache);
        Tensor[] rope = RotaryTables.tables(batch.positions(), config.invFreq());        // cos, sin: [b, s, rot/2]
        Tensor x = sites.at(Component.EMBEDDINGS, embedding(w.embedIn, batch.flatIds(), b, s)); // [b, s, d]
        int last = config.layers() - 1;
        // one block may drop the rows whose logits are not kept right after its attention: the last,
        // or the one where the hooks end the forward (a source run)
        int cut = LogitsSelection.rowCutLayer(batch, sites, last);
        for (int l = 0; l <= last; l++) x = block(l, x, rope, keyMask, cache, sites, LogitsSelection.cutsAt(l, cut) ? batch : null);
        if (cut < 0) x = LogitsSelection.keep(x, batch);                    // [b, k, d]: only the rows whose logits are kept
        x = sites.at(Component.FINAL_NORM, layerNorm(x, w.finalGain, w.finalBias, config.eps()));
        Tensor logits = sites.at(Component.LOGITS, linear(x, w.embedOut, null));       // [b, k, vocab]
        if (cache != null) cache.advance(batch, keyMask);
        return logits;
    }

    private Tensor block(int l, Tensor x, Tensor[] rope, Tensor keyMask, KvCache cache, Sites sites, TokenBatch keepRows) {
        NeoxWeights.Block p = w.blocks[l];
        int b = x.size(0);
        int s = x.size(1);
        int d = config.dModel();
        int h = config.heads();
        int hd = config.headDim();
        x = sites.at(l, Component.BLOCK_INPUT, x);
        // attention: ln -> fused q/k/v laid out [heads, 3, headDim] -> rotary attention -> dense
        Tensor a = sites.at(l, Component.ATTENTION_INPUT, layerNorm(x, p.ln1Gain, p.ln1Bias, config.eps()));
        Tensor qkv = linear(a, p.qkvWeight, p.qkvBias).reshape(b, s, h, 3, hd);        // [b, s, h, 3, hd]
        Tensor q = sites.at(l, Component.QUERY_OUTPUT, qkv.select(3, 0).reshape(b, s, d));
        Tensor k = sites.at(l, Component.KEY_OUTPUT, qkv.select(3, 1).reshape(b, s, d));
        Tensor v = sites.at(l, Component.VALUE_OUTPUT, qkv.select(3, 2).reshape(b, s, d));
        Tensor ctx = Attention.attend(attention, l, q, k, v, rope[0], rope[1], keyMask, cache, sites);
        if (keepRows != null) {
            ctx = LogitsSelection.keep(ctx, keepRows);                           // [b, k, d]
            x = LogitsSelection.keep(x, keepRows);
        }
        Tensor attnOut = sites.at(l, Component.ATTENTION_OUTPUT, linear(ctx, p.denseWeight, p.denseBias));
        // MLP: ln -> dense_h_to_4h -> gelu -> dense_4h_to_h, fed from x (parallel) or x + attn (sequential)
        Tensor mlpSource = config.parallelResidual() ? x : add(x, attnOut);
        Tensor m = sites.at(l, Component.MLP_INPUT, layerNorm(mlpSource, p.ln2Gain, p.ln2Bias, config.eps()));
        Tensor hidden = sites.at(l, Component.MLP_ACTIVATION, activate(linear(m, p.upWeight, p.upBias)));
        Tensor mlpOut = sites.at(l, Component.MLP_OUTPUT, linear(hidden, p.downWeight, p.downBias));
        x = add(mlpSource == x ? add(x, attnOut) : mlpSource, mlpOut);
        return sites.at(l, Component.BLOCK_OUTPUT, x);
    }

    private Tensor activate(Tensor h) {
        return config.geluTanh() ? Ops.gelu(h) : Ops.geluErf(h);
    }

    @Override
    public List<SiteShape> sites() {
        return SiteCatalog.decoder(info());
    }
}
