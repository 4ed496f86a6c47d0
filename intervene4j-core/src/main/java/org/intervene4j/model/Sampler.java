package org.intervene4j.model;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from a logit row: greedy when temperature is 0, else sampling from
 * softmax(logits / temperature) restricted to the top-k tokens and then to the smallest set
 * whose probability reaches top-p. Seeded, so a run is reproducible.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final float topP;
    private final Random rng;

    /**
     * @param temperature 0 for greedy, else > 0
     * @param topK        keep the k most likely tokens (0 = all)
     * @param topP        keep the smallest set with cumulative probability >= p (1 = all)
     */
    public Sampler(float temperature, int topK, float topP, long seed) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.rng = new Random(seed);
    }

    public static Sampler greedy() {
        return new Sampler(0f, 0, 1f, 0L);
    }

    /** The next token id for a logit row. */
    public int next(float[] logits) {
        if (temperature == 0f) return argmax(logits);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = topK > 0 ? Math.min(topK, logits.length) : logits.length;
        double max = logits[order[0]];
        double[] p = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            total += p[i];
        }
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += p[i] / total;
            if (cumulative >= topP) {
                nucleus = i + 1;
                break;
            }
        }
        double mass = 0;
        for (int i = 0; i < nucleus; i++) mass += p[i];
        double u = rng.nextDouble() * mass;
        for (int i = 0; i < nucleus; i++) {
            u -= p[i];
            if (u <= 0) return order[i];
        }
        return order[nucleus - 1];
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
