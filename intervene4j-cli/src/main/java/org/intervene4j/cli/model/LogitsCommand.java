package org.intervene4j.cli.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code intervene4j logits}: the logits of every position of one input, as JSON. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits of every position: {\"ids\": [...], \"logits\": [[...vocab...], ...]}.")
public final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelInput model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Text, tokenized with the checkpoint's tokenizer.json.")
        String prompt;

        @Option(names = "--ids", paramLabel = "IDS", description = "Comma-separated token ids (no tokenizer needed).")
        String ids;
    }

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSON file.")
    Path out;

    @Override
    public Integer call() {
        CausalLM lm = model.load();
        int[] ids;
        if (input.ids != null) {
            ids = ModelInput.parseIds(input.ids, lm.info().vocab());
        } else {
            try (Tokenizer tok = model.tokenizer()) {
                ids = tok.encode(input.prompt);
            }
        }
        if (ids.length > lm.info().maxPositions()) {
            throw new IllegalArgumentException("the input has " + ids.length + " tokens but the model supports "
                    + lm.info().maxPositions() + " positions");
        }
        float[][] rows;
        try (GradMode off = GradMode.off()) {
            Tensor logits = lm.forward(TokenBatch.of(ids)).select(0, 0); // [seq, vocab]
            rows = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) rows[t] = logits.select(0, t).toFloatArray();
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ids", ids);
        json.put("logits", rows);
        JsonFiles.write(out, json);
        return 0;
    }
}
