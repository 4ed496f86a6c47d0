package org.intervene4j.causal.search;

import org.intervene4j.model.ModelInfo;

/**
 * How many alignment cells can train at once in the heap: the model's weights are shared, but
 * every cell keeps its own activations for backward. A cell's step holds, per base token, about
 * the activations of every block (attention in/out, q/k/v, the MLP's hidden layer, norms: ~12
 * d_model + 3 d_ff floats, plus heads x seq attention probabilities) and the logits it keeps;
 * its source forward is freed as it goes. The estimate is deliberately generous (x2) so that a
 * grid that fits does not thrash the garbage collector.
 */
public final class CellMemory {
    private CellMemory() {
    }

    /** Estimated bytes one cell's training step needs for a batch of {@code batch} prompts of {@code seq} tokens. */
    public static long bytesPerCell(ModelInfo info, int batch, int seq) {
        long perToken = (12L * info.dModel() + 3L * info.dFf() + (long) info.heads() * seq) * info.layers() + info.vocab() / seq + 1;
        return 2L * 4L * batch * seq * perToken;
    }

    /**
     * The number of cells to run at once: {@code requested}, lowered so that the cells' estimated
     * activations fit in the part of the heap the weights leave ({@code weightBytes}), at least 1.
     */
    public static int parallelCells(int requested, ModelInfo info, int batch, int seq, long weightBytes, long maxHeap) {
        long free = maxHeap - weightBytes;
        long per = bytesPerCell(info, batch, seq);
        long fit = per <= 0 ? requested : Math.max(1, free / per);
        return (int) Math.max(1, Math.min(requested, fit));
    }
}
