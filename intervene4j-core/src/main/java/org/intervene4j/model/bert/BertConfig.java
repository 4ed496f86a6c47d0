package org.intervene4j.model.bert;

import java.util.Set;
import org.intervene4j.io.hf.HfConfig;

/**
 * BERT encoder config (post-layer-norm blocks, learned absolute positions, token types).
 *
 * @param vocab        {@code vocab_size}
 * @param dModel       {@code hidden_size}
 * @param dFf          {@code intermediate_size}
 * @param layers       {@code num_hidden_layers}
 * @param heads        {@code num_attention_heads}
 * @param maxPositions {@code max_position_embeddings}
 * @param typeVocab    {@code type_vocab_size}
 * @param eps          {@code layer_norm_eps}
 * @param geluTanh     {@code hidden_act} is a tanh GELU (else the exact erf GELU)
 */
public record BertConfig(int vocab, int dModel, int dFf, int layers, int heads, int maxPositions, int typeVocab,
                         float eps, boolean geluTanh) {
    public static BertConfig from(HfConfig c) {
        c.requireOneOf("model_type", Set.of("bert"));
        int d = c.positiveInt("hidden_size");
        int heads = c.positiveInt("num_attention_heads");
        if (d % heads != 0) throw c.invalid("num_attention_heads", "hidden_size " + d + " is not divisible by " + heads);
        String act = c.string("hidden_act", "gelu");
        boolean tanh = switch (act) {
            case "gelu" -> false;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> true;
            default -> throw c.unsupported("hidden_act", act, "supported: gelu, gelu_new, gelu_pytorch_tanh");
        };
        c.requireOneOf("position_embedding_type", Set.of("absolute"));
        if (c.bool("is_decoder", false)) throw c.unsupported("is_decoder", true, "BERT is loaded as an encoder");
        return new BertConfig(
                c.positiveInt("vocab_size"),
                d,
                c.positiveInt("intermediate_size"),
                c.positiveInt("num_hidden_layers"),
                heads,
                c.positiveInt("max_position_embeddings", 512),
                c.positiveInt("type_vocab_size", 2),
                (float) c.number("layer_norm_eps", 1e-12),
                tanh);
    }

    public int headDim() {
        return dModel / heads;
    }
}
