package org.intervene4j.causal.study;

import java.util.List;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.causal.task.PriceInput;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;

/**
 * A model's factual accuracy on price-tagging prompts: an input counts as right when the
 * arg-max over the whole vocabulary after the prompt is the first token of the right answer
 * (the same criterion IIA uses for counterfactual answers).
 */
final class FactualAccuracy {
    private static final int BATCH = 256;

    private FactualAccuracy() {
    }

    static double of(CausalLM model, PricePromptEncoder encoder, List<PriceInput> inputs) {
        if (inputs.isEmpty()) throw new IllegalArgumentException("factual accuracy: no inputs");
        long right = 0;
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < inputs.size(); from += BATCH) {
                List<PriceInput> chunk = inputs.subList(from, Math.min(inputs.size(), from + BATCH));
                int[][] ids = new int[chunk.size()][];
                for (int i = 0; i < ids.length; i++) ids[i] = encoder.ids(chunk.get(i));
                try (Arena arena = Arena.open()) {
                    TokenBatch batch = TokenBatch.padded(ids, PadSide.LEFT, encoder.padId()).withSharedLogitsAt(-1);
                    Tensor logits = model.forward(batch).contiguous(); // [b, 1, vocab]: the last prompt token only
                    int vocab = logits.size(2);
                    float[] d = logits.data();
                    for (int i = 0; i < ids.length; i++) {
                        int row = logits.offset() + i * vocab;
                        int best = 0;
                        for (int v = 1; v < vocab; v++) if (d[row + v] > d[row + best]) best = v;
                        if (best == encoder.answerId(chunk.get(i), chunk.get(i).inside())) right++;
                    }
                }
            }
        }
        return right / (double) inputs.size();
    }
}
