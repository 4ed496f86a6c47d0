package org.intervene4j.intervention;

import java.util.ArrayList;
import java.util.List;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Site;

/**
 * The rows one intervention takes out of one activation. A site activation
 * {@code [batch, seq, width]} is viewed as rows {@code [batch * seq, width]} (per position) or
 * {@code [batch * seq * heads, headDim]} (per head); positions are mapped from unpadded token
 * indices to columns through the batch, so padding never shifts a patch.
 */
final class RowSelection {
    final int[] rows;          // flat row indices, in (example, position, head) order
    final List<Fired> fired;   // one record per row
    final int rowWidth;        // width of one row
    final int rowCount;        // rows in the flattened activation

    private RowSelection(int[] rows, List<Fired> fired, int rowWidth, int rowCount) {
        this.rows = rows;
        this.fired = fired;
        this.rowWidth = rowWidth;
        this.rowCount = rowCount;
    }

    /**
     * @param heads     head count of the site's per-head view (ignored for whole-width rows)
     * @param headDim   width of one head
     */
    static RowSelection of(int specIndex, Site site, Positions positions, int[] headsWanted, TokenBatch batch,
                           int[] activationShape, int heads, int headDim) {
        if (activationShape.length != 3) {
            throw new IllegalArgumentException("site " + site + ": interventions act on [batch, seq, width] activations, this one is "
                    + java.util.Arrays.toString(activationShape));
        }
        int b = activationShape[0];
        int s = activationShape[1];
        int width = activationShape[2];
        if (s != batch.seq()) {
            // a logits selection leaves final_norm and logits with fewer columns than the batch
            throw new IllegalArgumentException("intervention " + specIndex + " at " + site + ": the activation has " + s
                    + " columns but the batch has " + batch.seq() + (batch.hasLogitsSelection()
                    ? " (the batch keeps logits at selected positions only; drop the selection to intervene at " + site + ")" : ""));
        }
        int[] hs = null;
        if (site.heads()) {
            if (width != heads * headDim) {
                throw new IllegalStateException("site " + site + ": width " + width + " is not " + heads + " heads x " + headDim);
            }
            hs = headsWanted;
            if (hs == null) {
                hs = new int[heads];
                for (int h = 0; h < heads; h++) hs[h] = h;
            }
            for (int h : hs) {
                if (h < 0 || h >= heads) {
                    throw new IndexOutOfBoundsException("site " + site + ": head " + h + " is out of range (the site has " + heads + " heads)");
                }
            }
        }
        List<Integer> rows = new ArrayList<>();
        List<Fired> fired = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            for (int p : positions.forExample(i, batch.length(i))) {
                int col = batch.column(i, p); // validates the position against example i
                int position = (p < 0 ? p + batch.length(i) : p) + batch.past(i); // in the whole sequence, cache included
                if (hs == null) {
                    rows.add(i * s + col);
                    fired.add(new Fired(specIndex, site.name(), i, position, -1));
                } else {
                    for (int h : hs) {
                        rows.add((i * s + col) * heads + h);
                        fired.add(new Fired(specIndex, site.name(), i, position, h));
                    }
                }
            }
        }
        int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
        return hs == null ? new RowSelection(r, fired, width, b * s) : new RowSelection(r, fired, headDim, b * s * heads);
    }

    /** The selected rows of {@code activation}: [n, rowWidth]. */
    Tensor gather(Tensor activation) {
        return Ops.indexSelect(activation.reshape(rowCount, rowWidth), 0, rows);
    }

    /** {@code activation} with the selected rows replaced by {@code newRows} (same shape as before). */
    Tensor scatter(Tensor activation, Tensor newRows) {
        int[] shape = activation.shape();
        return Ops.indexCopy(activation.reshape(rowCount, rowWidth), 0, rows, newRows).reshape(shape);
    }
}
