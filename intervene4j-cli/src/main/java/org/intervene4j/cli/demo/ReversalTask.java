package org.intervene4j.cli.demo;

import java.util.Random;

/**
 * The toy task of the demo: read {@code length} digits and a separator, then write the digits
 * in reverse order ({@code 3 1 4 | -> 4 1 3}).
 *
 * <p>Token ids {@code 0 .. digits-1} are the digits and {@code digits} is the separator. A
 * training row is the whole sequence minus its last token, {@code [a b c | c b]}, and the
 * targets are the next tokens; only the positions that predict an output digit (from the
 * separator on) count in the loss, the others hold {@link #IGNORE}.
 *
 * <p>About one digit string in five is held out: training never samples it, and
 * {@link #heldOut} draws evaluation strings only from that part.
 */
public final class ReversalTask {
    /** Target value that the loss skips. */
    public static final int IGNORE = -1;

    private final int digits;
    private final int length;

    public ReversalTask(int digits, int length) {
        if (digits < 2) throw new IllegalArgumentException("--digits must be at least 2, got " + digits);
        if (length < 2) throw new IllegalArgumentException("--length must be at least 2, got " + length);
        this.digits = digits;
        this.length = length;
    }

    /** A batch: model inputs {@code [batch][seq]} and flattened next-token targets {@code [batch * seq]}. */
    public record Batch(int[][] inputs, int[] targets) {
        public int size() {
            return inputs.length;
        }
    }

    /** Number of token ids (digits and the separator). */
    public int vocab() {
        return digits + 1;
    }

    public int separator() {
        return digits;
    }

    /** Digits to reverse. */
    public int length() {
        return length;
    }

    /** Tokens per training row: the digits, the separator and all but the last output digit. */
    public int seq() {
        return 2 * length;
    }

    /** {@code n} training rows; never a held-out digit string. */
    public Batch trainBatch(Random rng, int n) {
        int[][] strings = new int[n][];
        for (int i = 0; i < n; i++) strings[i] = sample(rng, false);
        return batch(strings);
    }

    /** {@code n} held-out digit strings (the evaluation set). */
    public int[][] heldOut(Random rng, int n) {
        int[][] strings = new int[n][];
        for (int i = 0; i < n; i++) strings[i] = sample(rng, true);
        return strings;
    }

    /** Training rows and targets for the given digit strings. */
    public Batch batch(int[][] strings) {
        int n = strings.length;
        int seq = seq();
        int[][] inputs = new int[n][seq];
        int[] targets = new int[n * seq];
        for (int b = 0; b < n; b++) {
            int[] full = sequence(strings[b]);
            System.arraycopy(full, 0, inputs[b], 0, seq);
            for (int t = 0; t < seq; t++) {
                targets[b * seq + t] = t >= length ? full[t + 1] : IGNORE;
            }
        }
        return new Batch(inputs, targets);
    }

    /** {@code digits | reversed}: {@code 2 * length + 1} tokens. */
    public int[] sequence(int[] string) {
        int[] full = new int[2 * length + 1];
        System.arraycopy(string, 0, full, 0, length);
        full[length] = separator();
        for (int i = 0; i < length; i++) full[length + 1 + i] = string[length - 1 - i];
        return full;
    }

    /** Whether a digit string belongs to the held-out part (a fixed pseudo-random fifth). */
    public static boolean isHeldOut(int[] string) {
        long h = 0x9E3779B97F4A7C15L;
        for (int d : string) {
            h = (h ^ d) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return Long.remainderUnsigned(h, 5) == 0;
    }

    private int[] sample(Random rng, boolean heldOut) {
        while (true) {
            int[] s = new int[length];
            for (int i = 0; i < length; i++) s[i] = rng.nextInt(digits);
            if (isHeldOut(s) == heldOut) return s;
        }
    }
}
