package org.intervene4j.model;

import java.util.List;
import org.intervene4j.engine.Tensor;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;

/** A decoder-only language model of any family, with every internal site named. */
public interface CausalLM {
    /** Architecture facts. */
    ModelInfo info();

    /**
     * Logits for every column of the batch: [batch, seq, vocab]. Each site in the forward is
     * routed through {@code sites}. With a {@code cache}, earlier tokens are read from it and
     * this batch's keys and values are appended (the batch must be built with
     * {@link TokenBatch#afterPast}).
     *
     * <p>When the batch carries a logits selection ({@link TokenBatch#withLogitsAt},
     * {@link TokenBatch#withSharedLogitsAt}) of {@code k} positions per example, the last hidden
     * state is cut to those rows right before the final norm: the result is
     * {@code [batch, k, vocab]} in selection order, equal to the matching rows of the full logits,
     * and the {@code final_norm} and {@code logits} sites see only those rows
     * ({@code [batch, k, ...]}). Every other site, and the cache, still cover every column. (When
     * no hook watches the last block after its attention weights, that block keeps only the
     * selected rows from its attention output on: nothing could read the others.)
     */
    Tensor forward(TokenBatch batch, Sites sites, KvCache cache);

    /** Logits without hooks or cache. */
    default Tensor forward(TokenBatch batch) {
        return forward(batch, Sites.NONE, null);
    }

    /**
     * Parameters and bytes the loaded weights hold (F16/BF16 checkpoints keep their matrices at
     * 2 bytes per value). Families that do not track it throw UnsupportedOperationException.
     */
    default WeightFootprint weightFootprint() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not report its weight footprint");
    }

    /** Every site this model exposes, in forward order, with its shape for a batch of one token. */
    List<SiteShape> sites();

    /** A site with its activation shape for {@code batch} examples of {@code seq} tokens. */
    record SiteShape(Site site, int[] shapePerToken) {
        /** Human-readable shape, e.g. {@code [batch, seq, 768]}. */
        public String describe() {
            StringBuilder sb = new StringBuilder("[batch, ");
            if (site.component() == org.intervene4j.site.Component.ATTENTION_WEIGHTS) {
                return "[batch, " + shapePerToken[0] + ", seq, seq]";
            }
            sb.append("seq");
            for (int d : shapePerToken) sb.append(", ").append(d);
            return sb.append(']').toString();
        }
    }
}
