package org.intervene4j.causal.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.intervene4j.nn.Gpt2Export;
import org.intervene4j.nn.TinyDecoder;

/**
 * Writes a trained price-tagging model as a complete Hugging Face checkpoint directory: the
 * GPT-2 weights and config ({@link Gpt2Export}), the word/digit tokenizer
 * ({@link PriceVocabulary#writeTokenizer}), {@code training.json} (how it was made, its
 * held-out accuracy) and a short {@code README.md}. Nothing depends on the clock, so the same
 * settings write the same bytes.
 */
public final class PriceTaggingCheckpoint {
    /** Files of a checkpoint directory, in the order they are written. */
    public static final String[] FILES = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "training.json", "README.md"};

    /** Seed of the held-out inputs scored at export (held out by construction, see {@link PriceSplit}). */
    public static final long HELD_OUT_SEED = 20_240_501L;
    /** Number of held-out inputs scored at export. */
    public static final int HELD_OUT_SIZE = 2000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private PriceTaggingCheckpoint() {}

    /** Scores {@code model} on the export's held-out set and writes the directory; returns the accuracy. */
    public static double write(TinyDecoder model, PriceTaggingTrainer.Settings settings, Path dir) {
        double accuracy = PriceTaggingAccuracy.of(model, PriceSplit.heldOutSet(HELD_OUT_SEED, HELD_OUT_SIZE));
        Gpt2Export.write(model, dir, PriceVocabulary.BOS_ID, PriceVocabulary.EOS_ID,
                // sorted: Map.of's iteration order changes between JVM runs, and the header must not
                new TreeMap<>(Map.of("task", "price-tagging", "seed", Long.toString(settings.seed()))));
        PriceVocabulary.writeTokenizer(dir);
        ObjectNode info = JSON.createObjectNode();
        info.put("task", "price-tagging");
        info.put("prompt", "COMPACT: " + PricePrompt.COMPACT.render(new PriceInput(125, 673, 450))
                + " -> yes | no (answer at position " + CompactPricePrompt.ANSWER_POSITION + ")");
        ObjectNode s = info.putObject("settings");
        s.put("seed", settings.seed());
        s.put("steps", settings.steps());
        s.put("batch", settings.batch());
        s.put("lr", settings.lr());
        s.put("weight_decay", settings.weightDecay());
        s.put("near_boundary", settings.nearBoundary());
        s.put("single_bound", settings.singleBound());
        s.put("d_model", settings.dModel());
        s.put("layers", settings.layers());
        s.put("heads", settings.heads());
        s.put("mlp_hidden", settings.mlpHidden());
        s.put("max_seq", settings.maxSeq());
        info.put("parameters", model.parameterCount());
        info.put("held_out_seed", HELD_OUT_SEED);
        info.put("held_out_size", HELD_OUT_SIZE);
        info.put("held_out_accuracy", accuracy);
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("training.json").toFile(), info);
            Files.writeString(dir.resolve("README.md"), readme(settings, model.parameterCount(), accuracy));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir + ": " + e.getMessage(), e);
        }
        return accuracy;
    }

    private static String readme(PriceTaggingTrainer.Settings s, long parameters, double accuracy) {
        return String.format(Locale.ROOT, """
                # price-tagging task model

                A GPT-2-shaped decoder (d_model %d, %d layers, %d heads, MLP %d, %,d parameters) trained
                from scratch by intervene4j on the price-tagging task of the Boundless DAS paper, with
                prompts like `between 1.25 and 6.73 : 4.50 ?` answered ` yes` / ` no` (word/digit
                tokenizer, 17 tokens per prompt, answer read at position 16).

                Held-out accuracy: %.2f%% on %d inputs (seed %d) that training never draws.

                Training mix: %s

                Reproduce: `./intervene4j train-task --task price-tagging --out DIR --seed %d --steps %d --layers %d --single-bound %s`
                (bit-identical on the same kernels and thread count). Settings: training.json.
                """, s.dModel(), s.layers(), s.heads(), s.mlpHidden(), parameters, 100 * accuracy, HELD_OUT_SIZE,
                HELD_OUT_SEED, mix(s), s.seed(), s.steps(), s.layers(), s.singleBound());
    }

    /** One paragraph on what each batch held. */
    private static String mix(PriceTaggingTrainer.Settings s) {
        int single = s.singleBoundPerBatch();
        if (single == 0) return "`between` prompts only.";
        return String.format(Locale.ROOT, """
                of each batch of %d prompts, %d are `between` prompts and %d are single-bound
                questions, half `above 1.25 : 4.50 ?` (yes when amount >= lo) and half `below 6.73 : 4.50 ?`
                (yes when amount <= hi), so the model learns each boundary test on its own as well as their
                conjunction. Only `between` prompts are scored and studied.""", s.batch(), s.batch() - single, single);
    }
}
