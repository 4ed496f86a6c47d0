package org.intervene4j.intervention;

import java.util.Arrays;
import java.util.List;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.model.common.LogitsSelection;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;

/**
 * The rows a source forward keeps in its last block. A source run ends in the block of its last
 * read ({@link IntervenableModel#readSources}); there the other rows are needed only as keys and
 * values. When every read of that block is at a site after the attention and all of them take
 * the same positions, the block keeps just those rows right after its attention (as the last
 * block of a forward with a logits selection does) and skips the output projection and MLP of
 * the rest: for a read at the last of 24 tokens, most of that block's work.
 *
 * <p>Not cut when a read is at the final norm or the logits (the run goes through every block),
 * when the positions differ between the block's reads or in count between examples, when they
 * keep every column, or when a position is outside its example (the uncut run then reports it
 * with its usual message). A model that does not cut hands its hooks whole activations; the
 * reader tells the two apart by the number of columns.
 */
final class SourceRowCut {
    /** The block whose sites after the attention see only the kept rows. */
    final int layer;
    /** The source input, selecting the kept positions (as a logits selection). */
    final TokenBatch batch;
    /** The kept rows as a batch of {@code k} unpadded columns, for {@link RowSelection}. */
    final TokenBatch keptRows;
    /** Columns {@code 0..k-1} of every example of {@link #keptRows}. */
    final Positions keptPositions;

    private SourceRowCut(int layer, TokenBatch batch, int k) {
        this.layer = layer;
        this.batch = batch;
        int[][] rows = new int[batch.batch()][k];
        int[][] positions = new int[batch.batch()][k];
        for (int[] p : positions) Arrays.setAll(p, j -> j);
        this.keptRows = TokenBatch.padded(rows, PadSide.RIGHT, 0);
        this.keptPositions = Positions.perExample(positions);
    }

    /** The cut for the run of source input {@code source} under {@code specs}, or null when it should not be cut. */
    static SourceRowCut of(List<InterventionSpec> specs, int source, TokenBatch input) {
        int layer = -1;
        for (InterventionSpec s : specs) {
            if (!reads(s, source)) continue;
            Site site = s.sourceSite();
            if (!site.component().perLayer) {
                if (site.component() != Component.EMBEDDINGS) return null; // final norm, logits: the run reaches the end
                continue;
            }
            layer = Math.max(layer, site.layer());
        }
        if (layer < 0) return null;
        int[][] kept = null;
        for (InterventionSpec s : specs) {
            if (!reads(s, source) || !s.sourceSite().component().perLayer || s.sourceSite().layer() != layer) continue;
            if (!LogitsSelection.isAfterAttention(s.sourceSite().component())) return null;
            int[][] ps = resolve(s.sourcePositions(), input);
            if (ps == null || (kept != null && !Arrays.deepEquals(kept, ps))) return null;
            kept = ps;
        }
        int k = kept[0].length;
        if (k == 0 || k >= input.seq()) return null;
        for (int[] p : kept) if (p.length != k) return null;
        return new SourceRowCut(layer, input.withLogitsAt(kept), k);
    }

    private static boolean reads(InterventionSpec s, int source) {
        return s.source() == source && s.intervention().needsSource();
    }

    /** {@code positions} per example of {@code input} (unpadded, maybe negative), or null when one is outside its example. */
    private static int[][] resolve(Positions positions, TokenBatch input) {
        int[][] out = new int[input.batch()][];
        for (int i = 0; i < out.length; i++) {
            int len = input.length(i);
            try {
                out[i] = positions.forExample(i, len);
            } catch (IllegalArgumentException e) {
                return null;
            }
            for (int p : out[i]) if (p >= len || p < -len) return null;
        }
        return out;
    }
}
