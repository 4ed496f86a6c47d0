package org.intervene4j.cli.demo;

import java.util.Arrays;
import java.util.Random;

/**
 * The toy task of the demo: read a string of 1 to {@code maxLength} digits and a separator,
 * then write the digits in reverse order ({@code 3 1 4 | -> 4 1 3}). Because the length varies,
 * the model cannot memorize one fixed permutation of positions: it has to find the separator
 * and mirror around it.
 *
 * <p>Token ids {@code 0 .. digits-1} are the digits, {@code digits} is the separator and
 * {@code digits + 1} pads rows to a common length. A training row is the whole sequence minus
 * its last token, {@code [a b c | c b]} then padding, and the targets are the next tokens;
 * only the positions that predict an output digit (from the separator on) count in the loss,
 * the others hold {@link #IGNORE}. Padding sits after the real tokens, so the causal mask
 * already hides it.
 *
 * <p>About one digit string in five is held out: training never samples it, and
 * {@link #heldOut} draws evaluation strings only from that part.
 */
public final class ReversalTask {
    /** Target value that the loss skips. */
    public static final int IGNORE = -1;

    private final int digits;
    private final int maxLength;

    /**
     * @param digits    size of the digit alphabet (>= 2)
     * @param maxLength longest string (>= 1); lengths are uniform in {@code [1, maxLength]}
     */
    public ReversalTask(int digits, int maxLength) {
        if (digits < 2) throw new IllegalArgumentException("--digits must be at least 2, got " + digits);
        if (maxLength < 1) throw new IllegalArgumentException("--length must be at least 1, got " + maxLength);
        this.digits = digits;
        this.maxLength = maxLength;
    }

    /** A batch: model inputs {@code [batch][seq]} and flattened next-token targets {@code [batch * seq]}. */
    public record Batch(int[][] inputs, int[] targets) {
        public int size() {
            return inputs.length;
        }
    }

    /** Number of token ids (digits, separator, padding). */
    public int vocab() {
        return digits + 2;
    }

    public int separator() {
        return digits;
    }

    public int pad() {
        return digits + 1;
    }

    /** Longest digit string. */
    public int maxLength() {
        return maxLength;
    }

    /** Tokens per row: room for the longest string, the separator and its reversal minus one. */
    public int seq() {
        return 2 * maxLength;
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

    /** Padded rows and their targets for the given digit strings. */
    public Batch batch(int[][] strings) {
        int n = strings.length;
        int seq = seq();
        int[][] inputs = new int[n][seq];
        int[] targets = new int[n * seq];
        Arrays.fill(targets, IGNORE);
        for (int b = 0; b < n; b++) {
            int len = strings[b].length;
            int[] full = sequence(strings[b]);
            Arrays.fill(inputs[b], pad());
            System.arraycopy(full, 0, inputs[b], 0, 2 * len);
            for (int t = len; t < 2 * len; t++) targets[b * seq + t] = full[t + 1];
        }
        return new Batch(inputs, targets);
    }

    /** {@code digits | reversed}: {@code 2 * length + 1} tokens. */
    public int[] sequence(int[] string) {
        int len = string.length;
        int[] full = new int[2 * len + 1];
        System.arraycopy(string, 0, full, 0, len);
        full[len] = separator();
        for (int i = 0; i < len; i++) full[len + 1 + i] = string[len - 1 - i];
        return full;
    }

    /** The reversal of a digit string. */
    public static int[] reversed(int[] string) {
        int[] r = new int[string.length];
        for (int i = 0; i < r.length; i++) r[i] = string[string.length - 1 - i];
        return r;
    }

    /** Whether a digit string belongs to the held-out part (a fixed pseudo-random fifth). */
    public static boolean isHeldOut(int[] string) {
        long h = 0x9E3779B97F4A7C15L ^ string.length;
        for (int d : string) {
            h = (h ^ d) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return Long.remainderUnsigned(h, 5) == 0;
    }

    private int[] sample(Random rng, boolean heldOut) {
        int len = 1 + rng.nextInt(maxLength);
        while (true) {
            int[] s = new int[len];
            for (int i = 0; i < len; i++) s[i] = rng.nextInt(digits);
            if (isHeldOut(s) == heldOut) return s;
        }
    }
}
