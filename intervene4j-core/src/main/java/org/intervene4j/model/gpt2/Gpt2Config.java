package org.intervene4j.model.gpt2;

import java.util.Set;
import org.intervene4j.io.hf.HfConfig;

/**
 * GPT-2's config.json fields that shape the forward pass.
 *
 * @param vocab          n vocabulary entries ({@code vocab_size})
 * @param positions      learned positions ({@code n_positions})
 * @param dModel         residual width ({@code n_embd})
 * @param layers         blocks ({@code n_layer})
 * @param heads          attention heads ({@code n_head})
 * @param dFf            MLP width ({@code n_inner}, default 4 * n_embd)
 * @param eps            layer norm epsilon ({@code layer_norm_epsilon})
 * @param activation     MLP nonlinearity ({@code activation_function})
 * @param scaleByInverseLayer divide scores by (layer + 1) too ({@code scale_attn_by_inverse_layer_idx})
 */
public record Gpt2Config(int vocab, int positions, int dModel, int layers, int heads, int dFf, float eps,
                         Activation activation, boolean scaleByInverseLayer) {
    /** The MLP nonlinearities GPT-2 checkpoints use. */
    public enum Activation { GELU_TANH, GELU_ERF, RELU, SILU }

    public static Gpt2Config from(HfConfig c) {
        int d = c.positiveInt("n_embd");
        int heads = c.positiveInt("n_head");
        if (d % heads != 0) throw c.invalid("n_head", "n_embd " + d + " is not divisible by n_head " + heads);
        String act = c.string("activation_function", "gelu_new");
        Activation a = switch (act) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
            case "gelu" -> Activation.GELU_ERF;
            case "relu" -> Activation.RELU;
            case "silu", "swish" -> Activation.SILU;
            default -> throw c.unsupported("activation_function", act, "supported: gelu_new, gelu_pytorch_tanh, gelu, relu, silu");
        };
        if (c.bool("add_cross_attention", false)) throw c.unsupported("add_cross_attention", true, "decoder-only GPT-2 only");
        c.requireOneOf("model_type", Set.of("gpt2"));
        return new Gpt2Config(
                c.positiveInt("vocab_size"),
                c.positiveInt("n_positions"),
                d,
                c.positiveInt("n_layer"),
                heads,
                c.has("n_inner") ? c.positiveInt("n_inner") : 4 * d,
                (float) c.number("layer_norm_epsilon", 1e-5),
                a,
                c.bool("scale_attn_by_inverse_layer_idx", false));
    }

    public int headDim() {
        return dModel / heads;
    }
}
