package org.intervene4j.causal.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A fixed train / held-out partition of all price-tagging inputs: an input is held out when a
 * hash of {@code (lo, hi, amount)} falls in one bucket of {@link #BUCKETS}. Training draws only
 * the rest, so held-out inputs are never trained on whatever the seeds, and the held-out set
 * follows the task's sampling distribution (rejection sampling keeps it).
 */
public final class PriceSplit {
    /** One input in this many is held out. */
    public static final int BUCKETS = 20;

    private PriceSplit() {}

    /** Whether {@code input} belongs to the held-out part. */
    public static boolean heldOut(PriceInput input) {
        long key = ((long) input.lo() * 1000 + input.hi()) * 1000 + input.amount();
        return Math.floorMod(mix(key), BUCKETS) == 0;
    }

    /** An input of the training part, drawn as the paper draws them. */
    public static PriceInput sampleTraining(Random rng) {
        while (true) {
            PriceInput input = PriceInput.sample(rng);
            if (!heldOut(input)) return input;
        }
    }

    /**
     * An input of the training part where, with probability {@code nearBoundary}, the amount is
     * moved to within {@link #NEAR} cents of lo or hi (either side). Only a few percent of the
     * paper's inputs fall that close to a boundary, yet they are the ones that need every digit
     * compared; showing them more often is what gets a small model past 98%.
     */
    public static PriceInput sampleTraining(Random rng, double nearBoundary) {
        while (true) {
            PriceInput input = PriceInput.sample(rng);
            if (rng.nextDouble() < nearBoundary) {
                int bound = rng.nextBoolean() ? input.lo() : input.hi();
                int amount = bound - NEAR + rng.nextInt(2 * NEAR + 1);
                amount = Math.max(PriceInput.MIN_AMOUNT, Math.min(PriceInput.MAX_AMOUNT, amount));
                input = new PriceInput(input.lo(), input.hi(), amount);
            }
            if (!heldOut(input)) return input;
        }
    }

    /** How far from a boundary {@link #sampleTraining(Random, double)} moves amounts, in cents. */
    public static final int NEAR = 30;

    /** An input of the held-out part, drawn as the paper draws them. */
    public static PriceInput sampleHeldOut(Random rng) {
        while (true) {
            PriceInput input = PriceInput.sample(rng);
            if (heldOut(input)) return input;
        }
    }

    /** {@code count} held-out inputs drawn from {@code seed}. */
    public static List<PriceInput> heldOutSet(long seed, int count) {
        Random rng = new Random(seed);
        List<PriceInput> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(sampleHeldOut(rng));
        return out;
    }

    /** SplitMix64's finalizer: every key bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
