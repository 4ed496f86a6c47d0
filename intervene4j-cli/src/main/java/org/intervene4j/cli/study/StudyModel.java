package org.intervene4j.cli.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.intervene4j.causal.task.PricePrompt;
import org.intervene4j.causal.task.TaskModels;
import org.intervene4j.cli.UserError;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.intervene4j.tokenizer.Tokenizer;
import picocli.CommandLine.Option;

/**
 * The model a study runs on: {@code --model DIR} (a Hugging Face causal LM with a tokenizer),
 * or the embedded price-tagging task model trained here; and the prompt format
 * ({@code --prompt}: the compact word/digit prompt for the task model, the paper's Alpaca
 * template for everything else, unless told otherwise).
 */
public final class StudyModel {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face causal LM checkpoint directory (default: the embedded price-tagging model trained by intervene4j).")
    Path dir;

    @Option(names = "--prompt", paramLabel = "FORMAT", defaultValue = "auto",
            description = "Prompt format: compact (the task model's), alpaca (the paper's template) or auto (default: compact for a task model "
                    + "trained by intervene4j, embedded or from train-task; alpaca otherwise).")
    String prompt;

    /** The checkpoint directory (the embedded one extracted to the cache when no --model). */
    public Path directory() {
        if (dir == null) return TaskModels.priceTagging();
        if (!Files.isDirectory(dir)) throw new UserError("--model " + dir + ": not a directory");
        return dir;
    }

    /** A name for reports: the directory given, or the embedded model's name. */
    public String name() {
        return dir == null ? "intervene4j price-tagging task model (embedded)" : dir.toAbsolutePath().normalize().toString();
    }

    public CausalLM load() {
        return Models.loadCausalLM(directory());
    }

    public Tokenizer tokenizer() {
        return Tokenizer.open(directory());
    }

    /** A checkpoint written by {@code train-task} (its training.json names the task): it reads the compact prompt. */
    static boolean isTaskModel(Path dir) {
        Path meta = dir.resolve("training.json");
        if (!Files.isRegularFile(meta)) return false;
        try {
            return "price-tagging".equals(new ObjectMapper().readTree(meta.toFile()).path("task").asText());
        } catch (IOException e) {
            return false;
        }
    }

    public PricePrompt promptFormat() {
        return switch (prompt) {
            case "compact" -> PricePrompt.COMPACT;
            case "alpaca" -> PricePrompt.ALPACA;
            case "auto" -> dir == null || isTaskModel(dir) ? PricePrompt.COMPACT : PricePrompt.ALPACA;
            default -> throw new UserError("--prompt: unknown format '" + prompt + "' (use compact, alpaca or auto)");
        };
    }
}
