package org.intervene4j.causal.task;

import java.util.Random;

/**
 * One input of the price-tagging task (Boundless DAS paper): the interval {@code [lo, hi]} and
 * the amount, all in whole cents so that comparisons and midpoints are exact.
 *
 * <p>Sampling follows the paper: width ~ U(2.50, 7.50), lo ~ U(0.05, 9.95 - width),
 * hi = lo + width, amount ~ U(0.01, 9.99), each rounded to cents (so every value prints as
 * {@code D.DD}).
 *
 * @param lo     lower bound in cents, 5..745
 * @param hi     upper bound in cents, lo + 250 .. 995
 * @param amount the price in cents, 1..999
 */
public record PriceInput(int lo, int hi, int amount) {
    public static final int MIN_WIDTH = 250;
    public static final int MAX_WIDTH = 750;
    public static final int MIN_BOUND = 5;
    public static final int MAX_BOUND = 995;
    public static final int MIN_AMOUNT = 1;
    public static final int MAX_AMOUNT = 999;

    public PriceInput {
        if (lo < MIN_BOUND || hi > MAX_BOUND || hi - lo < MIN_WIDTH || hi - lo > MAX_WIDTH) {
            throw new IllegalArgumentException("price input: interval [" + dollars(lo) + ", " + dollars(hi)
                    + "] is outside the task's range (bounds 0.05..9.95, width 2.50..7.50)");
        }
        if (amount < MIN_AMOUNT || amount > MAX_AMOUNT) {
            throw new IllegalArgumentException("price input: amount " + amount + " cents is outside 0.01..9.99");
        }
    }

    /** A random input drawn as the paper draws them. */
    public static PriceInput sample(Random rng) {
        int width = MIN_WIDTH + rng.nextInt(MAX_WIDTH - MIN_WIDTH + 1);
        int lo = MIN_BOUND + rng.nextInt(MAX_BOUND - width - MIN_BOUND + 1);
        int amount = MIN_AMOUNT + rng.nextInt(MAX_AMOUNT - MIN_AMOUNT + 1);
        return new PriceInput(lo, lo + width, amount);
    }

    /** {@code 450 -> "4.50"}. */
    public static String dollars(int cents) {
        return (cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + (cents % 100);
    }

    /** The factual answer: lo <= amount <= hi. */
    public boolean inside() {
        return amount >= lo && amount <= hi;
    }

    @Override
    public String toString() {
        return "[" + dollars(lo) + ", " + dollars(hi) + "] " + dollars(amount);
    }
}
