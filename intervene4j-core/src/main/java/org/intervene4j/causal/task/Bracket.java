package org.intervene4j.causal.task;

/**
 * The value of the bracket control variable of price tagging: the whole interval
 * {@code [lo, hi]} (cents) as one value, so intervening on it moves both bounds at once.
 */
public record Bracket(int lo, int hi) {
    /** Whether {@code amount} lies in {@code [lo, hi]}. */
    public boolean contains(int amount) {
        return lo <= amount && amount <= hi;
    }

    /** Whether this is an interval the task can sample (bounds and width within {@link PriceInput}'s ranges). */
    public boolean isTaskInterval() {
        return lo >= PriceInput.MIN_BOUND && hi <= PriceInput.MAX_BOUND && hi - lo >= PriceInput.MIN_WIDTH && hi - lo <= PriceInput.MAX_WIDTH;
    }
}
