package org.intervene4j.intervention;

import java.util.List;
import org.intervene4j.model.TokenBatch;

/**
 * Where a base forward that carries gradients can be cut in two. In a causal model, the
 * activations of the columns before the earliest one any intervention touches cannot depend on
 * an intervention: they can run as a prefix without hooks or autograd graph, filling a KV cache,
 * and only the remaining columns run with the interventions, their graph and the logits the
 * caller kept. The backward then visits only those columns (for DAS at the last token: one row
 * per example instead of the whole prompt), with the same gradients as the uncut forward.
 *
 * <p>Cut only when the base batch keeps logits at selected positions (all at or after the cut),
 * no spec acts on the final norm or logits, and the prefix holds at least
 * {@link #MIN_PREFIX_SHARE} of the columns: below that, the second pass over the weights that
 * the rest needs costs more than the backward rows it saves.
 */
final class PrefixSplit {
    static final double MIN_PREFIX_SHARE = 0.5;

    /** Columns [0, cut) of the base: no logits. */
    final TokenBatch prefix;
    /** Columns [cut, seq) as the continuation after {@link #prefix}, with the base's logits selection. */
    final TokenBatch rest;
    private final TokenBatch base;

    private PrefixSplit(TokenBatch base, int cut) {
        this.base = base;
        this.prefix = base.columnsBefore(cut).withoutLogits();
        this.rest = base.columnsFrom(cut);
    }

    /** The split for a base forward under {@code specs} (all acting in it), or null when it should not be cut. */
    static PrefixSplit of(List<InterventionSpec> specs, TokenBatch base) {
        if (!base.hasLogitsSelection()) return null;
        int cut = base.seq();
        for (int i = 0; i < base.batch(); i++) {
            cut = Math.min(cut, earliestColumn(Positions.of(base.logitsPositions(i)), base, i));
            for (InterventionSpec s : specs) {
                cut = Math.min(cut, earliestColumn(s.basePositions(), base, i));
                if (s.intervention() instanceof SameRunSource) cut = Math.min(cut, earliestColumn(s.sourcePositions(), base, i));
            }
        }
        if (cut < MIN_PREFIX_SHARE * base.seq() || !base.splitsAt(cut)) return null;
        return new PrefixSplit(base, cut);
    }

    /**
     * The column of example i's earliest position in {@code positions}, or -1 when a position is
     * outside the example (the uncut forward then reports it, with its usual message).
     */
    private static int earliestColumn(Positions positions, TokenBatch base, int i) {
        int len = base.length(i);
        int[] ps;
        try {
            ps = positions.forExample(i, len);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        int first = Integer.MAX_VALUE;
        for (int p : ps) {
            if (p >= len || p < -len) return -1;
            first = Math.min(first, base.column(i, p));
        }
        return first;
    }

    /** {@code positions} of the base, as token indices of {@link #rest}: per example, shifted past the prefix. */
    Positions place(Positions positions) {
        int[][] out = new int[base.batch()][];
        for (int i = 0; i < out.length; i++) {
            int len = base.length(i);
            int[] ps = positions.forExample(i, len);
            out[i] = new int[ps.length];
            for (int j = 0; j < ps.length; j++) out[i][j] = (ps[j] < 0 ? ps[j] + len : ps[j]) - rest.past(i);
        }
        return Positions.perExample(out);
    }
}
