package org.intervene4j.causal.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import org.intervene4j.intervention.training.CounterfactualBatch;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;

/**
 * Counterfactual pairs as token ids, one row per pair: the base prompt, the source prompt, the
 * token the causal model says the base should produce under the intervention (read at the last
 * base token), and the high-level variable the pair intervenes on (an index into the
 * hypothesis' aligned variables; 0 when there is one).
 *
 * @param base      base prompts' token ids, one array per pair
 * @param source    source prompts' token ids
 * @param labels    counterfactual answer token per pair
 * @param variables aligned variable per pair, in {@code [0, variableCount)}
 * @param padId     id used to pad prompts of different lengths (left padding)
 */
public record EncodedPairs(int[][] base, int[][] source, int[] labels, int[] variables, int variableCount, int padId) {
    public EncodedPairs {
        int n = base.length;
        if (source.length != n || labels.length != n || variables.length != n) {
            throw new IllegalArgumentException("encoded pairs: " + n + " bases but " + source.length + " sources, " + labels.length
                    + " labels, " + variables.length + " variables");
        }
        if (variableCount < 1) throw new IllegalArgumentException("encoded pairs: variableCount must be >= 1, got " + variableCount);
        for (int i = 0; i < n; i++) {
            if (variables[i] < 0 || variables[i] >= variableCount) {
                throw new IllegalArgumentException("encoded pairs: pair " + i + " names variable " + variables[i] + " of " + variableCount);
            }
            if (base[i].length == 0 || source[i].length == 0) throw new IllegalArgumentException("encoded pairs: pair " + i + " has an empty prompt");
        }
    }

    public int size() {
        return base.length;
    }

    /** The pairs at {@code rows}, in that order. */
    public EncodedPairs select(int[] rows) {
        int[][] b = new int[rows.length][];
        int[][] s = new int[rows.length][];
        int[] l = new int[rows.length];
        int[] v = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            b[i] = base[rows[i]];
            s[i] = source[rows[i]];
            l[i] = labels[rows[i]];
            v[i] = variables[rows[i]];
        }
        return new EncodedPairs(b, s, l, v, variableCount, padId);
    }

    /** The pairs whose variable passes {@code keep}. */
    public EncodedPairs where(IntPredicate keep) {
        return select(java.util.stream.IntStream.range(0, size()).filter(i -> keep.test(variables[i])).toArray());
    }

    /** Pairs {@code [from, to)}. */
    public EncodedPairs range(int from, int to) {
        return select(java.util.stream.IntStream.range(from, to).toArray());
    }

    /** The shortest prompt, base or source (positions must lie inside every prompt). */
    public int shortestPrompt() {
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < size(); i++) min = Math.min(min, Math.min(base[i].length, source[i].length));
        return min;
    }

    /** Consecutive batches of at most {@code batchSize} pairs, in order. */
    public List<CounterfactualBatch> batches(int batchSize) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        return batches(batchSize, order);
    }

    /** Batches of at most {@code batchSize} pairs in a random order drawn from {@code rng}. */
    public List<CounterfactualBatch> shuffledBatches(int batchSize, Random rng) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return batches(batchSize, order);
    }

    private List<CounterfactualBatch> batches(int batchSize, int[] order) {
        if (batchSize < 1) throw new IllegalArgumentException("encoded pairs: batch size must be >= 1, got " + batchSize);
        List<CounterfactualBatch> out = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
            EncodedPairs part = select(rows);
            TokenBatch b = TokenBatch.padded(part.base, PadSide.LEFT, padId);
            TokenBatch s = TokenBatch.padded(part.source, PadSide.LEFT, padId);
            int[] last = new int[rows.length];
            Arrays.fill(last, -1);
            out.add(new CounterfactualBatch(b, List.of(s), part.labels, last, variableCount > 1 ? part.variables : null));
        }
        return out;
    }
}
