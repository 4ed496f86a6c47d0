package org.intervene4j.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.intervene4j.bench.model.ModelBench;
import org.intervene4j.bench.model.RandomCheckpoints;
import org.intervene4j.bench.torch.TorchCheckpoint;
import org.intervene4j.bench.torch.TorchSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code model} command: prefill and decode tokens/s of a GPT-2-small-shaped F32 model and a
 * Llama-3.2-1B-shaped BF16 model (random weights, written once to a cache directory), ours
 * against libtorch on the same checkpoint. See {@code README-bench.md}.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Prefill and decode tokens/s of GPT-2-small- and Llama-3.2-1B-shaped random models, "
                + "ours against libtorch (same weights, parity-checked).")
public final class ModelCmd implements Callable<Integer> {
    @Option(names = "--json", description = "write the result to this JSON file")
    File json;
    @Option(names = "--family", defaultValue = "both", description = "gpt2, llama or both (default: both)")
    String family;
    @Option(names = "--prompt-tokens", defaultValue = "128", description = "prompt length of the prefill (default: 128)")
    int promptTokens;
    @Option(names = "--decode-tokens", defaultValue = "32", description = "tokens decoded one by one (default: 32)")
    int decodeTokens;
    @Option(names = "--threads", defaultValue = "2", description = "threads for both engines (default: 2)")
    int threads;
    @Option(names = "--warmup", description = "untimed generations per side, the first giving the parity logits "
            + "(default: 3 for gpt2, 1 for llama: the JIT needs a few GPT-2 rounds, a Llama round is long)")
    Integer warmup;
    @Option(names = "--runs", description = "timed generations per side, the median is kept (default: 5 for gpt2, 3 for llama)")
    Integer runs;
    @Option(names = "--cache-dir", defaultValue = ".bench/models", description = "where the random checkpoints are kept")
    Path cacheDir;
    @Option(names = "--libtorch-dtypes", split = ",",
            description = "libtorch weight dtypes to race, f32 and/or bf16 (default: f32 for the F32 GPT-2, f32,bf16 for the BF16 Llama)")
    List<String> libtorchDtypes;
    @Option(names = "--seed", defaultValue = "42", description = "seed of the random weights and the prompt")
    long seed;
    @Option(names = "--keep-slow-libtorch", description = "keep timing a libtorch dtype that was over 2x slower than "
            + "another in both prefill and decode during the warm-up (by default it is dropped: it cannot be the reference)")
    boolean keepSlowLibtorch;

    @Override
    public Integer call() throws Exception {
        List<String> families = switch (family) {
            case "both" -> List.of("gpt2", "llama");
            case "gpt2", "llama" -> List.of(family);
            default -> throw new IllegalArgumentException("--family must be gpt2, llama or both, got '" + family + "'");
        };
        if (promptTokens < 1 || decodeTokens < 0) throw new IllegalArgumentException("--prompt-tokens must be >= 1 and --decode-tokens >= 0");
        if (promptTokens + decodeTokens + 1 > 1024) {
            throw new IllegalArgumentException("--prompt-tokens + --decode-tokens must stay within GPT-2's 1024 positions");
        }
        BenchMain.checkEnvironment();
        System.out.printf("Java heap limit %.1f GB%n", Runtime.getRuntime().maxMemory() / 1e9);
        Map<String, Object> out = new LinkedHashMap<>();
        List<ModelBench.FamilyResult> results = new ArrayList<>();
        for (String f : families) {
            boolean gpt2 = f.equals("gpt2");
            int w = warmup != null ? warmup : gpt2 ? 3 : 1;
            int n = runs != null ? runs : gpt2 ? 5 : 3;
            ModelBench bench = new ModelBench(promptTokens, decodeTokens, threads, w, n, seed, keepSlowLibtorch);
            Path dir = RandomCheckpoints.ensure(cacheDir, gpt2 ? RandomCheckpoints.gpt2Small() : RandomCheckpoints.llama1B(), seed);
            List<ScalarType> dtypes = new ArrayList<>();
            for (String d : libtorchDtypes != null ? libtorchDtypes : gpt2 ? List.of("f32") : List.of("f32", "bf16")) {
                dtypes.add(TorchCheckpoint.parseDtype(d));
            }
            System.out.printf("%n== %s: prompt %d tokens, decode %d tokens, %d threads, %d warm-up + %d timed runs ==%n",
                    f, promptTokens, decodeTokens, threads, w, n);
            ModelBench.FamilyResult r = bench.run(f, dir, dtypes);
            results.add(r);
            out.put(f, r);
            System.gc(); // drop this family's model before the next one loads
        }
        printTable(results);
        out.put("threads", threads);
        out.put("prompt_tokens", promptTokens);
        out.put("decode_tokens", decodeTokens);
        out.put("libtorch_blas", TorchSupport.blasDescription());
        out.put("load_average", BenchMain.loadAverage());
        BenchMain.writeJson(json, out);
        return 0;
    }

    private static void printTable(List<ModelBench.FamilyResult> results) {
        System.out.printf("%n%-7s %-8s %12s %12s %9s   %-10s %s%n", "model", "phase", "ours tok/s", "libtorch", "speedup",
                "lib dtype", "parity (max |logit diff|)");
        for (ModelBench.FamilyResult r : results) {
            String parity = String.format("%.2e of max |logit| %.2f%s", r.max_abs_logit_diff(), r.max_abs_logit(),
                    r.parity_ok() ? "" : "  PARITY FAILED");
            System.out.printf("%-7s %-8s %12.2f %12.2f %8.2fx   %-10s %s%n", r.family(), "prefill", r.prefill_tokens_per_s(),
                    r.libtorch_prefill_tokens_per_s(), r.prefill_speedup(), r.libtorch_prefill_dtype(), parity);
            System.out.printf("%-7s %-8s %12.2f %12.2f %8.2fx   %-10s%n", "", "decode", r.decode_tokens_per_s(),
                    r.libtorch_decode_tokens_per_s(), r.decode_speedup(), r.libtorch_decode_dtype());
            for (ModelBench.LibtorchRun lr : r.libtorch_runs()) {
                System.out.printf("        libtorch %-8s prefill %.2f tok/s, decode %.2f tok/s, max |logit diff| %.2e, "
                                + "greedy tokens agreeing %d of %d%s%n", lr.dtype(), lr.prefill_tokens_per_s(),
                        lr.decode_tokens_per_s(), lr.max_abs_logit_diff(), lr.greedy_tokens_agreeing(), r.decode_tokens() + 1,
                        lr.timed_runs() == 0 ? " (warm-up round only: dropped as over 2x slower)" : "");
            }
        }
    }
}
