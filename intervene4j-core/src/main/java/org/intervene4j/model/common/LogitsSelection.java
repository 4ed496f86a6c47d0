package org.intervene4j.model.common;

import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.TokenBatch;

/**
 * The rows of the last hidden state that go on to the final norm and LM head. Without a logits
 * selection on the batch, all of them; with one, only the kept positions, so the head's cost
 * (a {@code d x vocab} GEMM per row, the largest single matmul of a small model) is paid only
 * where logits are read.
 */
public final class LogitsSelection {
    private LogitsSelection() {}

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
