package org.intervene4j.cli.model;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Generator;
import org.intervene4j.model.Sampler;
import org.intervene4j.site.Sites;
import org.intervene4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code intervene4j generate}: continue a prompt, streaming text as tokens are produced. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a KV cache (greedy at temperature 0), streaming to the terminal.")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelInput model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "32", paramLabel = "N")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "0 = greedy (default).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "0 = no top-k cut (default).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P", description = "1 = no nucleus cut (default).")
    float topP;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Sampler sampler = new Sampler(temperature, topK, topP, seed);
        if (maxNewTokens < 0) throw new IllegalArgumentException("--max-new-tokens must be >= 0, got " + maxNewTokens);
        try (Tokenizer tok = model.tokenizer()) {
            CausalLM lm = model.load();
            int[] ids = tok.encode(prompt);
            PrintWriter out = spec.commandLine().getOut();
            out.print(prompt);
            out.flush();
            List<Integer> produced = new ArrayList<>();
            String[] shown = {""};
            Generator.generate(lm, ids, maxNewTokens, sampler, tok.eosId(), Sites.NONE, next -> {
                produced.add(next);
                // decode the whole continuation so multi-token characters come out whole
                String text = tok.decode(produced.stream().mapToInt(Integer::intValue).toArray());
                if (text.startsWith(shown[0])) out.print(text.substring(shown[0].length()));
                shown[0] = text;
                out.flush();
            });
            out.println();
            out.flush();
        }
        return 0;
    }
}
