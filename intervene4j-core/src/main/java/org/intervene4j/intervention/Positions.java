package org.intervene4j.intervention;

import java.util.Arrays;

/**
 * Token positions an intervention acts on, per example, in unpadded token indices (negative
 * counts from the example's end). Either one list shared by every example or one per example;
 * null stands for every position of the example.
 */
public final class Positions {
    private final int[] shared;
    private final int[][] perExample;

    private Positions(int[] shared, int[][] perExample) {
        this.shared = shared;
        this.perExample = perExample;
    }

    /** The same positions in every example. */
    public static Positions of(int... positions) {
        return new Positions(positions.clone(), null);
    }

    /** Positions per example ({@code positions[i]} for example i). */
    public static Positions perExample(int[][] positions) {
        int[][] copy = new int[positions.length][];
        for (int i = 0; i < positions.length; i++) copy[i] = positions[i].clone();
        return new Positions(null, copy);
    }

    /** Every position of each example. */
    public static Positions all() {
        return new Positions(null, null);
    }

    /** The positions of example i, which has {@code length} tokens. */
    public int[] forExample(int i, int length) {
        if (shared != null) return shared;
        if (perExample != null) {
            if (i >= perExample.length) {
                throw new IllegalArgumentException("positions are given for " + perExample.length + " examples, but the batch has more");
            }
            return perExample[i];
        }
        int[] every = new int[length];
        for (int t = 0; t < length; t++) every[t] = t;
        return every;
    }

    /** The shared list, or null when positions vary per example. */
    public int[] shared() {
        return shared;
    }

    /** Per-example lists, or null. */
    public int[][] perExampleLists() {
        return perExample;
    }

    @Override
    public String toString() {
        if (shared != null) return Arrays.toString(shared);
        if (perExample != null) return Arrays.deepToString(perExample);
        return "all";
    }
}
