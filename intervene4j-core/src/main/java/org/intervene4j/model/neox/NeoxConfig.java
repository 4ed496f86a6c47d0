package org.intervene4j.model.neox;

import java.util.Set;
import org.intervene4j.io.hf.HfConfig;
import org.intervene4j.model.common.RopeFrequencies;

/**
 * GPT-NeoX / Pythia config: layer-norm blocks with a fused q/k/v projection, partial rotary,
 * and a parallel or sequential residual.
 *
 * @param vocab            {@code vocab_size}
 * @param dModel           {@code hidden_size}
 * @param dFf              {@code intermediate_size}
 * @param layers           {@code num_hidden_layers}
 * @param heads            {@code num_attention_heads}
 * @param rotaryDims       {@code int(head_dim * rotary_pct)}, rounded down to even
 * @param invFreq          rotary frequencies from {@code rotary_emb_base} (or {@code rope_theta})
 * @param maxPositions     {@code max_position_embeddings}
 * @param eps              {@code layer_norm_eps}
 * @param parallelResidual {@code use_parallel_residual}: x + attn(ln1 x) + mlp(ln2 x)
 * @param geluTanh         {@code hidden_act} is a tanh GELU (else the exact erf GELU)
 */
public record NeoxConfig(int vocab, int dModel, int dFf, int layers, int heads, int rotaryDims, float[] invFreq,
                         int maxPositions, float eps, boolean parallelResidual, boolean geluTanh) {
    public static NeoxConfig from(HfConfig c) {
        c.requireOneOf("model_type", Set.of("gpt_neox"));
        int d = c.positiveInt("hidden_size");
        int heads = c.positiveInt("num_attention_heads");
        if (d % heads != 0) throw c.invalid("num_attention_heads", "hidden_size " + d + " is not divisible by " + heads);
        int headDim = d / heads;
        // rotary fraction: rope_parameters.partial_rotary_factor (v5), partial_rotary_factor, rotary_pct, 0.25
        com.fasterxml.jackson.databind.JsonNode params = c.object("rope_parameters");
        double pct = params != null && params.has("partial_rotary_factor")
                ? params.get("partial_rotary_factor").asDouble()
                : c.number("partial_rotary_factor", c.number("rotary_pct", 0.25));
        if (pct <= 0 || pct > 1) throw c.invalid("rotary_pct", "must be in (0, 1], got " + pct);
        int rot = (int) (headDim * pct);
        rot -= rot % 2;
        if (rot == 0) throw c.invalid("rotary_pct", "leaves no rotary dimensions for head_dim " + headDim);
        double theta = RopeFrequencies.theta(c, "rotary_emb_base");
        String act = c.string("hidden_act", "gelu");
        boolean tanh = switch (act) {
            case "gelu" -> false;
            case "gelu_new", "gelu_fast", "gelu_pytorch_tanh" -> true;
            default -> throw c.unsupported("hidden_act", act, "supported: gelu, gelu_new, gelu_fast, gelu_pytorch_tanh");
        };
        if (!c.bool("attention_bias", true)) throw c.unsupported("attention_bias", false, "GPT-NeoX projections carry biases");
        if (c.bool("tie_word_embeddings", false)) throw c.unsupported("tie_word_embeddings", true, "GPT-NeoX has a separate embed_out");
        return new NeoxConfig(
                c.positiveInt("vocab_size"),
                d,
                c.positiveInt("intermediate_size"),
                c.positiveInt("num_hidden_layers"),
                heads,
                rot,
                RopeFrequencies.fromConfig(c, rot, theta),
                c.positiveInt("max_position_embeddings", 2048),
                (float) c.number("layer_norm_eps", 1e-5),
                c.bool("use_parallel_residual", true),
                tanh);
    }

    public int headDim() {
        return dModel / heads;
    }
}
