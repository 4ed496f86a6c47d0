package org.intervene4j.model;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.site.Sites;

/**
 * Autoregressive generation with a KV cache: one prefill over the prompt, then one forward per
 * new token. Every forward goes through {@code sites}, so interventions and activation capture
 * see the generated tokens too. Each new token is handed to a listener as soon as it exists.
 */
public final class Generator {
    private Generator() {}

    /**
     * Generates up to {@code maxNewTokens} tokens after {@code prompt}, stopping early at
     * {@code eosId} (which is included in the result) when it is not null. The prefill computes
     * logits at the prompt's last position only (its {@code final_norm} and {@code logits} sites
     * see {@code [1, 1, ...]}); every prompt token still goes through the blocks and the cache.
     *
     * @return the new tokens (the prompt not included)
     */
    public static int[] generate(CausalLM model, int[] prompt, int maxNewTokens, Sampler sampler, Integer eosId,
                                 Sites sites, IntConsumer onToken) {
        return generate(model, prompt, maxNewTokens, sampler, eosId, sites, false, onToken);
    }

    /**
     * As {@link #generate(CausalLM, int[], int, Sampler, Integer, Sites, IntConsumer)}; with
     * {@code prefillAllLogits} the prefill computes logits at every prompt position, for hooks
     * that act on the {@code final_norm} or {@code logits} site of the prompt.
     */
    public static int[] generate(CausalLM model, int[] prompt, int maxNewTokens, Sampler sampler, Integer eosId,
                                 Sites sites, boolean prefillAllLogits, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        if (maxNewTokens < 0) throw new IllegalArgumentException("--max-new-tokens must be >= 0, got " + maxNewTokens);
        int limit = model.info().maxPositions();
        if (prompt.length > limit) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens but the model supports " + limit + " positions");
        }
        int budget = Math.min(maxNewTokens, limit - prompt.length);
        int[] out = new int[budget];
        int produced = 0;
        KvCache cache = new KvCache(model.info().layers());
        try (GradMode off = GradMode.off()) {
            // decode steps have one position; the prefill needs the last one's logits only
            TokenBatch batch = prefillAllLogits ? TokenBatch.of(prompt) : TokenBatch.of(prompt).withSharedLogitsAt(-1);
            while (produced < budget) {
                int next;
                try (Arena step = Arena.open()) {
                    Tensor logits = model.forward(batch, sites, cache);           // [1, k, vocab]: last row = last position
                    next = sampler.next(logits.select(0, 0).select(0, logits.size(1) - 1).toFloatArray());
                }
                out[produced++] = next;
                if (onToken != null) onToken.accept(next);
                if (eosId != null && next == eosId) break;
                batch = TokenBatch.of(next).afterPast(cache.past());
            }
        }
        return Arrays.copyOf(out, produced);
    }
}
