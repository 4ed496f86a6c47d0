package org.intervene4j.intervention;

/**
 * An intervention that serves several high-level variables at once, each example of a batch
 * naming the one it intervenes on (Boundless DAS with several variables: each variable owns an
 * interval of the rotated space). Set before each forward; not thread-safe.
 */
public interface PerExampleVariables {
    /** How many variables this intervention aligns. */
    int variables();

    /**
     * The variable each example of the next forwards intervenes on ({@code perExample[i]} for
     * example i of the batch), or null to clear. Rows are matched to examples by order: the
     * rows of one forward come example by example, each example with the same number of rows
     * (positions x heads), so row r belongs to example {@code r / (n / batch)}.
     */
    void setVariables(int[] perExample);
}
