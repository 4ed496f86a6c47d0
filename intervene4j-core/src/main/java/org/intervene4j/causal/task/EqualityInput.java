package org.intervene4j.causal.task;

/**
 * One input of the hierarchical equality task: four objects, given by their indices in a
 * {@link HierarchicalEquality} object table.
 */
public record EqualityInput(int w, int x, int y, int z) {
    /** W == X. */
    public boolean wx() {
        return w == x;
    }

    /** Y == Z. */
    public boolean yz() {
        return y == z;
    }

    /** The task's answer: (W == X) == (Y == Z). */
    public boolean label() {
        return wx() == yz();
    }
}
