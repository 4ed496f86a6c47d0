package org.intervene4j.model.llama;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.rmsNorm;
import static org.intervene4j.engine.Ops.silu;
import static org.intervene4j.model.common.WeightMatrix.embedding;
import static org.intervene4j.model.common.WeightMatrix.linear;

import java.util.List;
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

/** Llama 2/3, Qwen2 and Mistral: RMS pre-norm, rotary GQA attention, gated SiLU MLP. */
public final class LlamaModel implements CausalLM {
    private final LlamaConfig config;
    private final LlamaWeights w;
    private final Attention.Spec attention;

    private LlamaModel(LlamaConfig config, LlamaWeights w) {
        this.config = config;
        this.w = w;
        this.attention = new Attention.Spec(config.heads(), config.kvHeads(), config.headDim(), true, config.slidingWindow());
    }

    /** Loads a llama, qwen2 or mistral checkpoint directory. */
    public static LlamaModel load(CheckpointDir dir) {
        LlamaConfig c = LlamaConfig.from(dir.config());
        return new LlamaModel(c, LlamaWeights.load(dir, c));
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(config.family(), config.layers(), config.dModel(), config.heads(), config.kvHeads(),
                config.headDim(), config.dFf(), config.vocab(), config.maxPositions());
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
        checkLength(batch, cache);
        Tensor keyMask = batch.keyMask(cache);
        Tensor[] rope = RotaryTables.tables(positions, config.invFreq());                 // cos, sin: [b, s, hd/2]
        Tensor x = sites.at(Component.EMBEDDINGS, embedding(w.embedTokens, batch.flatIds(), b, s)); // [b, s, d]
        int last = config.layers() - 1;
        // one block may drop the rows whose logits are not kept right after its attention: the last,
        // or the one where the hooks end the forward (a source run)
        int cut = LogitsSelection.rowCutLayer(batch, sites, last);
        for (int l = 0; l <= last; l++) x = block(l, x, rope, keyMask, cache, sites, LogitsSelection.cutsAt(l, cut) ? batch : null);
        if (cut < 0) x = LogitsSelection.keep(x, batch);                    // [b, k, d]: only the rows whose logits are kept
        x = sites.at(Component.FINAL_NORM, rmsNorm(x, w.finalNorm, config.eps()));
        Tensor logits = sites.at(Component.LOGITS, linear(x, w.lmHead, null));          // [b, k, vocab]
        if (cache != null) cache.advance(batch, keyMask);
        return logits;
    }

    private Tensor block(int l, Tensor x, Tensor[] rope, Tensor keyMask, KvCache cache, Sites sites, TokenBatch keepRows) {
        LlamaWeights.Block p = w.blocks[l];
        x = sites.at(l, Component.BLOCK_INPUT, x);
        // attention: rms norm -> q/k/v -> rotary GQA attention -> o_proj
        Tensor a = sites.at(l, Component.ATTENTION_INPUT, rmsNorm(x, p.inputNorm, config.eps()));
        Tensor q = sites.at(l, Component.QUERY_OUTPUT, linear(a, p.wq, p.bq));
        Tensor k = sites.at(l, Component.KEY_OUTPUT, linear(a, p.wk, p.bk));
        Tensor v = sites.at(l, Component.VALUE_OUTPUT, linear(a, p.wv, p.bv));
        Tensor ctx = Attention.attend(attention, l, q, k, v, rope[0], rope[1], keyMask, cache, sites);
        if (keepRows != null) {
            ctx = LogitsSelection.keep(ctx, keepRows);                           // [b, k, d]
            x = LogitsSelection.keep(x, keepRows);
        }
        x = add(x, sites.at(l, Component.ATTENTION_OUTPUT, linear(ctx, p.wo, p.bo)));
        // MLP: rms norm -> silu(gate) * up -> down
        Tensor m = sites.at(l, Component.MLP_INPUT, rmsNorm(x, p.postAttentionNorm, config.eps()));
        Tensor hidden = sites.at(l, Component.MLP_ACTIVATION, mul(silu(linear(m, p.gate, p.gateBias)), linear(m, p.up, p.upBias)));
        x = add(x, sites.at(l, Component.MLP_OUTPUT, linear(hidden, p.down, p.downBias)));
        return sites.at(l, Component.BLOCK_OUTPUT, x);
    }

    private void checkLength(TokenBatch batch, KvCache cache) {
        for (int i = 0; i < batch.batch(); i++) {
            int total = batch.past(i) + batch.length(i);
            if (total > config.maxPositions()) {
                throw new IllegalArgumentException("example " + i + " has " + total + " tokens but this " + config.family()
                        + " model supports " + config.maxPositions() + " (max_position_embeddings)");
            }
        }
    }

    @Override
    public List<SiteShape> sites() {
        return SiteCatalog.decoder(info());
    }
}
