package org.intervene4j.bench.model;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.intervene4j.bench.torch.TorchCausalLM;
import org.intervene4j.bench.torch.TorchKvCache;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.KvCache;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Sites;

/**
 * One timed generation (batch 1) with one implementation: a prefill forward over the prompt
 * with a fresh KV cache, then {@code decode} single-token forwards with the cache, each taking
 * the greedy (argmax) token of the previous step. Each forward runs in its own step scope (our
 * {@link Arena} with {@link GradMode#off()}, or a libtorch {@link PointerScope} with
 * {@link InferenceMode}); the argmax is part of the timed step, copying logits out is not. Both
 * sides compute the prefill's logits at the last prompt position only (the LM head is not run
 * on the other prompt positions), as Hugging Face's generate does.
 */
public interface GenerationRunner {
    /** The timings of one generation, and optionally the prefill's last-position logits for the parity check. */
    record Run(double prefillSeconds, double decodeSeconds, float[] prefillLogits, int[] generated) {}

    /** A short label, e.g. "ours" or "libtorch float32". */
    String label();

    /** Generates {@code decode} tokens after {@code prompt}; keeps the prefill logits when asked. */
    Run run(int[] prompt, int decode, boolean keepLogits);

    /** Our model. */
    static GenerationRunner ours(CausalLM model) {
        return new GenerationRunner() {
            @Override
            public String label() {
                return "ours";
            }

            @Override
            public Run run(int[] prompt, int decode, boolean keepLogits) {
                KvCache cache = new KvCache(model.info().layers());
                int[] generated = new int[decode + 1];
                float[] logitsOut = null;
                try (GradMode off = GradMode.off()) {
                    long t0 = System.nanoTime();
                    long copyNs = 0;
                    try (Arena step = Arena.open()) {
                        TokenBatch batch = TokenBatch.of(prompt).withSharedLogitsAt(-1); // LM head on the last position only
                        Tensor logits = model.forward(batch, Sites.NONE, cache);          // [1, 1, vocab]
                        generated[0] = argmaxLastRow(logits);
                        if (keepLogits) {
                            long c0 = System.nanoTime();
                            logitsOut = logits.toFloatArray();
                            copyNs = System.nanoTime() - c0;
                        }
                    }
                    long t1 = System.nanoTime();
                    for (int i = 0; i < decode; i++) {
                        try (Arena step = Arena.open()) {
                            TokenBatch next = TokenBatch.of(generated[i]).afterPast(cache.past());
                            generated[i + 1] = argmaxLastRow(model.forward(next, Sites.NONE, cache));
                        }
                    }
                    long t2 = System.nanoTime();
                    return new Run((t1 - t0 - copyNs) / 1e9, (t2 - t1) / 1e9, logitsOut, generated);
                }
            }
        };
    }

    /** A libtorch model. */
    static GenerationRunner libtorch(TorchCausalLM model) {
        return new GenerationRunner() {
            @Override
            public String label() {
                return "libtorch " + model.dtype();
            }

            @Override
            public Run run(int[] prompt, int decode, boolean keepLogits) {
                long[] ids = new long[prompt.length];
                for (int i = 0; i < ids.length; i++) ids[i] = prompt[i];
                int[] generated = new int[decode + 1];
                float[] logitsOut = null;
                try (TorchKvCache cache = new TorchKvCache(model.layers())) {
                    long t0 = System.nanoTime();
                    long copyNs = 0;
                    try (PointerScope step = new PointerScope()) {
                        new InferenceMode(); // attached to the scope; restored when it closes
                        org.bytedeco.pytorch.Tensor logits = model.forward(ids, cache);  // [1, 1, vocab]: last position
                        generated[0] = (int) logits.select(0, 0).select(0, 0).argmax().item_long();
                        if (keepLogits) {
                            long c0 = System.nanoTime();
                            logitsOut = TorchSupport.toArray(logits.to(ScalarType.Float));
                            copyNs = System.nanoTime() - c0;
                        }
                    }
                    long t1 = System.nanoTime();
                    for (int i = 0; i < decode; i++) {
                        try (PointerScope step = new PointerScope()) {
                            new InferenceMode();
                            org.bytedeco.pytorch.Tensor logits = model.forward(new long[] {generated[i]}, cache);
                            generated[i + 1] = (int) logits.select(0, 0).select(0, 0).argmax().item_long();
                        }
                    }
                    long t2 = System.nanoTime();
                    return new Run((t1 - t0 - copyNs) / 1e9, (t2 - t1) / 1e9, logitsOut, generated);
                }
            }
        };
    }

    /** The argmax over the vocabulary of the last column of {@code logits [1, s, vocab]}. */
    private static int argmaxLastRow(Tensor logits) {
        float[] row = logits.select(0, 0).select(0, logits.size(1) - 1).toFloatArray();
        int best = 0;
        for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
