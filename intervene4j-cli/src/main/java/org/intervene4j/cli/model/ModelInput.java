package org.intervene4j.cli.model;

import java.nio.file.Files;
import java.nio.file.Path;
import org.intervene4j.cli.UserError;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.intervene4j.tokenizer.Tokenizer;
import picocli.CommandLine.Option;

/** The {@code --model DIR} option shared by the model commands, and turning text or ids into tokens. */
public final class ModelInput {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face checkpoint directory (config.json, *.safetensors, tokenizer.json).")
    Path dir;

    /** Loads the checkpoint as a causal LM; errors name the file, tensor or field at fault. */
    public CausalLM load() {
        if (!Files.isDirectory(dir)) throw new UserError("--model " + dir + ": not a directory");
        return Models.loadCausalLM(dir);
    }

    /** The checkpoint's tokenizer (an error naming tokenizer.json when it has none). */
    public Tokenizer tokenizer() {
        return Tokenizer.open(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Token ids from {@code --ids 5,17,42}, checked against the vocabulary. */
    public static int[] parseIds(String text, int vocab) {
        String[] parts = text.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UserError("--ids: '" + parts[i].trim() + "' is not an integer token id");
            }
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new UserError("--ids: token id " + ids[i] + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (ids.length == 0) throw new UserError("--ids: no token ids given");
        return ids;
    }
}
