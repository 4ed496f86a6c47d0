package org.intervene4j.engine;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycled float arrays, keyed by exact length. A training loop allocates the same sizes every
 * step, so after the first step an {@link Arena} serves every activation from here instead of
 * the garbage collector. The pool holds at most {@link #CAPACITY_FLOATS} floats.
 */
final class BufferPool {
    /** 1 Gi floats = 4 GiB upper bound on what the pool keeps around. */
    static final long CAPACITY_FLOATS = Long.getLong("intervene4j.bufferPoolFloats", 1L << 30);

    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    private static long held;

    private BufferPool() {}

    /** An array of exactly {@code n} floats with arbitrary contents. */
    static synchronized float[] take(int n) {
        ArrayDeque<float[]> q = FREE.get(n);
        if (q != null && !q.isEmpty()) {
            held -= n;
            return q.pop();
        }
        return new float[n];
    }

    /** Returns an array to the pool (dropped when the pool is full). */
    static synchronized void give(float[] a) {
        if (a.length == 0 || held + a.length > CAPACITY_FLOATS) return;
        FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        held += a.length;
    }

    /** Drops every pooled array. */
    static synchronized void clear() {
        FREE.clear();
        held = 0;
    }

    static synchronized long heldFloats() {
        return held;
    }
}
