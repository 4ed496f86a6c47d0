package org.intervene4j.bench.interventions;

import java.util.SplittableRandom;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;

/** Random inputs for the intervention benchmarks. */
final class RandomTokens {
    private RandomTokens() {}

    /** Random token ids {@code [batch][seq]} in {@code [0, vocab)}. */
    static int[][] ids(SplittableRandom rng, int batch, int seq, int vocab) {
        int[][] ids = new int[batch][seq];
        for (int[] row : ids) for (int t = 0; t < seq; t++) row[t] = rng.nextInt(vocab);
        return ids;
    }

    /** A rectangular batch (no padding) of the given ids. */
    static TokenBatch batch(int[][] ids) {
        return TokenBatch.padded(ids, PadSide.RIGHT, 0);
    }
}
