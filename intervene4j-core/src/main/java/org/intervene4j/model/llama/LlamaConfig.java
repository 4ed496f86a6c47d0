package org.intervene4j.model.llama;

import java.util.Set;
import org.intervene4j.io.hf.HfConfig;
import org.intervene4j.model.common.RopeFrequencies;

/**
 * The config of the Llama family (model_type llama, qwen2, mistral): RMS-norm pre-norm blocks,
 * rotary positions, grouped-query attention and a gated SiLU MLP.
 *
 * @param family        {@code model_type}
 * @param vocab         {@code vocab_size}
 * @param dModel        {@code hidden_size}
 * @param dFf           {@code intermediate_size}
 * @param layers        {@code num_hidden_layers}
 * @param heads         {@code num_attention_heads}
 * @param kvHeads       {@code num_key_value_heads} (default: heads)
 * @param headDim       {@code head_dim} (default: hidden_size / heads)
 * @param eps           {@code rms_norm_eps}
 * @param invFreq       rotary inverse frequencies from {@code rope_theta} and {@code rope_scaling}
 * @param maxPositions  {@code max_position_embeddings}
 * @param tied          {@code tie_word_embeddings}
 * @param qkvBias       q/k/v projections have biases (Qwen2 always; Llama's {@code attention_bias})
 * @param outBias       the output projection has a bias (Llama's {@code attention_bias})
 * @param mlpBias       MLP projections have biases (Llama's {@code mlp_bias})
 * @param slidingWindow Mistral's {@code sliding_window}: each query sees that many keys up to itself; 0 when absent
 */
public record LlamaConfig(String family, int vocab, int dModel, int dFf, int layers, int heads, int kvHeads, int headDim,
                          float eps, float[] invFreq, int maxPositions, boolean tied, boolean qkvBias, boolean outBias,
                          boolean mlpBias, int slidingWindow) {
    static final Set<String> FAMILIES = Set.of("llama", "qwen2", "mistral");

    public static LlamaConfig from(HfConfig c) {
        String family = c.modelType();
        if (!FAMILIES.contains(family)) throw c.unsupported("model_type", family, "this loader reads llama, qwen2, mistral");
        int d = c.positiveInt("hidden_size");
        int heads = c.positiveInt("num_attention_heads");
        int kvHeads = c.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw c.invalid("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }
        if (!c.has("head_dim") && d % heads != 0) throw c.invalid("num_attention_heads", "hidden_size " + d + " is not divisible by " + heads);
        int headDim = c.positiveInt("head_dim", d / heads);
        if (headDim % 2 != 0) throw c.invalid("head_dim", headDim + " is odd; rotary needs an even head dimension");
        String act = c.string("hidden_act", "silu");
        if (!act.equals("silu")) throw c.unsupported("hidden_act", act, "the Llama family uses silu");
        if (c.has("partial_rotary_factor") && c.number("partial_rotary_factor") != 1.0) {
            throw c.unsupported("partial_rotary_factor", c.number("partial_rotary_factor"), "Llama-family rotary covers the whole head");
        }
        if (c.bool("use_sliding_window", false)) throw c.unsupported("use_sliding_window", true, "Qwen2 sliding-window layers");
        boolean qwen = family.equals("qwen2");
        boolean attentionBias = c.bool("attention_bias", false);
        int window = family.equals("mistral") ? c.nonNegativeInt("sliding_window", 0) : 0;
        return new LlamaConfig(
                family,
                c.positiveInt("vocab_size"),
                d,
                c.positiveInt("intermediate_size"),
                c.positiveInt("num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                (float) c.number("rms_norm_eps", 1e-6),
                RopeFrequencies.fromConfig(c, headDim, RopeFrequencies.theta(c, null)),
                c.positiveInt("max_position_embeddings", 2048),
                c.bool("tie_word_embeddings", false),
                qwen || attentionBias,
                !qwen && attentionBias,
                c.bool("mlp_bias", false),
                window);
    }
}
