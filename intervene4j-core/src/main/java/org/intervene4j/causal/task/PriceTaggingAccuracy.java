package org.intervene4j.causal.task;

import java.util.List;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.nn.TinyDecoder;

/**
 * Factual accuracy on the price-tagging task with {@link PricePrompt#COMPACT} prompts: an
 * input counts as right when the arg-max over the whole vocabulary at the last prompt position
 * is the right answer token ({@code yes} or {@code no}).
 */
public final class PriceTaggingAccuracy {
    private static final int CHUNK = 500;

    private PriceTaggingAccuracy() {}

    /** Accuracy of a loaded checkpoint (any family) on {@code inputs}. */
    public static double of(CausalLM model, List<PriceInput> inputs) {
        return count(inputs, ids -> model.forward(TokenBatch.padded(ids, PadSide.RIGHT, PriceVocabulary.PAD_ID)));
    }

    /** Accuracy of a {@link TinyDecoder} being trained on {@code inputs}. */
    public static double of(TinyDecoder model, List<PriceInput> inputs) {
        return count(inputs, model::forward);
    }

    private interface Forward {
        Tensor logits(int[][] ids); // [batch, seq, vocab]
    }

    private static double count(List<PriceInput> inputs, Forward forward) {
        if (inputs.isEmpty()) throw new IllegalArgumentException("price-tagging accuracy: no inputs");
        int right = 0;
        try (GradMode off = GradMode.off()) {
            for (int from = 0; from < inputs.size(); from += CHUNK) {
                List<PriceInput> chunk = inputs.subList(from, Math.min(inputs.size(), from + CHUNK));
                int[][] ids = new int[chunk.size()][];
                for (int i = 0; i < ids.length; i++) ids[i] = PriceVocabulary.encode(chunk.get(i));
                try (Arena arena = Arena.open()) {
                    Tensor logits = forward.logits(ids).contiguous(); // [batch, seq, vocab]
                    int vocab = logits.size(2);
                    int seq = logits.size(1);
                    float[] d = logits.data();
                    for (int i = 0; i < ids.length; i++) {
                        int row = logits.offset() + (i * seq + CompactPricePrompt.ANSWER_POSITION) * vocab;
                        if (argmax(d, row, vocab) == PriceVocabulary.answerId(chunk.get(i))) right++;
                    }
                }
            }
        }
        return right / (double) inputs.size();
    }

    static int argmax(float[] d, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) if (d[from + i] > d[from + best]) best = i;
        return best;
    }
}
