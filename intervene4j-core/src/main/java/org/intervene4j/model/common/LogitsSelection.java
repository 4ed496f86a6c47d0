package org.intervene4j.model.common;

import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Sites;

/**
 * The rows of the last hidden state that go on to the final norm and LM head. Without a logits
 * selection on the batch, all of them; with one, only the kept positions, so the head's cost
 * (a {@code d x vocab} GEMM per row, the largest single matmul of a small model) is paid only
 * where logits are read.
 */
public final class LogitsSelection {
    /** The sites of a block that come after its attention weights: what a cut after the attention shrinks. */
    private static final Component[] AFTER_ATTENTION = {Component.ATTENTION_VALUE_OUTPUT, Component.ATTENTION_OUTPUT,
            Component.MLP_INPUT, Component.MLP_ACTIVATION, Component.MLP_OUTPUT, Component.BLOCK_OUTPUT};

    private LogitsSelection() {}

    /** True for the sites of a block that come after its attention weights (those a row cut shrinks). */
    public static boolean isAfterAttention(Component c) {
        for (Component a : AFTER_ATTENTION) {
            if (a == c) return true;
        }
        return false;
    }

    /**
     * The block that keeps only the batch's selected rows right after its attention, or -1 for
     * none (the rows are then kept after the last block, before the final norm): the block in
     * which the hooks end the forward ({@link Sites#endingIn}) when they declare one, else the
     * last block when {@link #keepsAfterAttention} allows it.
     */
    public static int rowCutLayer(TokenBatch batch, Sites sites, int last) {
        if (!batch.hasLogitsSelection()) return -1;
        if (sites.endLayer() >= 0) return sites.endLayer();
        return keepsAfterAttention(batch, sites, last) ? last : -1;
    }

    /**
     * True when block {@code layer} is the row-cut block {@code cut}; a forward reaching a block
     * after a cut that was declared as the end of the forward is a broken hook, not a result.
     */
    public static boolean cutsAt(int layer, int cut) {
        if (cut >= 0 && layer > cut) {
            throw new IllegalStateException("the hooks declared that they end this forward in block " + cut
                    + ", but it reached block " + layer + " (its rows were cut to the selected ones there)");
        }
        return layer == cut;
    }

    /**
     * True when the last block ({@code layer}) may keep only the selected rows right after its
     * attention: the batch selects logits and no hook watches that block's later sites. The
     * other rows' keys and values are all that anything still needs of them (the attention, and
     * the cache, have them), so their output projection, MLP and residual are skipped: at 24
     * tokens with the last one kept, three quarters of the last block's work.
     */
    public static boolean keepsAfterAttention(TokenBatch batch, Sites sites, int layer) {
        if (!batch.hasLogitsSelection()) return false;
        for (Component c : AFTER_ATTENTION) {
            if (sites.watches(layer, c)) return false;
        }
        return true;
    }

    /**
     * {@code hidden [b, s, d]} as is when {@code batch} has no selection, else the kept rows
     * {@code [b, k, d]} (a gather, so gradients flow back to the chosen rows only).
     */
    public static Tensor keep(Tensor hidden, TokenBatch batch) {
        int[] rows = batch.keptLogitRows();
        if (rows == null) return hidden;
        int b = hidden.size(0);
        int s = hidden.size(1);
        int d = hidden.size(2);
        Tensor kept = Ops.indexSelect(hidden.reshape(b * s, d), 0, rows);  // [b * k, d]
        return kept.reshape(b, batch.logitsPerExample(), d);
    }
}
