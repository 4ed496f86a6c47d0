package org.intervene4j.model;

import java.nio.file.Path;
import java.util.List;
import org.intervene4j.io.CheckpointException;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.gpt2.Gpt2Model;
import org.intervene4j.model.llama.LlamaModel;
import org.intervene4j.model.neox.NeoxModel;

/** Opens a Hugging Face checkpoint directory as the model family its config names. */
public final class Models {
    /** The {@code model_type} values that load as causal language models. */
    public static final List<String> CAUSAL_FAMILIES = List.of("gpt2", "llama", "qwen2", "mistral", "gpt_neox");

    private Models() {}

    /** Loads a decoder-only checkpoint; errors name the directory, file, tensor or field at fault. */
    public static CausalLM loadCausalLM(Path dir) {
        try (CheckpointDir ckpt = CheckpointDir.open(dir)) {
            String type = ckpt.config().modelType();
            return switch (type) {
                case "gpt2" -> Gpt2Model.load(ckpt);
                case "llama", "qwen2", "mistral" -> LlamaModel.load(ckpt);
                case "gpt_neox" -> NeoxModel.load(ckpt);
                case "bert" -> throw new CheckpointException(ckpt.config().file(),
                        "model_type 'bert' is an encoder, not a causal language model");
                default -> throw ckpt.config().unsupported("model_type", "'" + type + "'", "supported: " + CAUSAL_FAMILIES + " and bert");
            };
        }
    }
}
