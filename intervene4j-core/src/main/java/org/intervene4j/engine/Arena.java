package org.intervene4j.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A scope whose tensors give their memory back when it closes. Wrap one training or
 * evaluation step in an arena and the next step reuses the same buffers:
 *
 * <pre>{@code
 * try (Arena step = Arena.open()) {
 *     Tensor loss = model.loss(batch);
 *     loss.backward();
 *     optimizer.step();
 *     lossValue = loss.item();
 * }
 * }</pre>
 *
 * Parameters, their gradients and optimizer state are always allocated outside any arena.
 * Using a tensor after its arena closed throws an error naming the op that made it. Use
 * {@link Tensor#persist()} to keep a result alive beyond the step.
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Arena> CURRENT = new ThreadLocal<>();

    private final Arena parent;
    private final List<float[]> buffers = new ArrayList<>();
    private boolean closed;

    private Arena(Arena parent) {
        this.parent = parent;
    }

    /** Opens an arena on this thread; arenas nest. */
    public static Arena open() {
        Arena a = new Arena(CURRENT.get());
        CURRENT.set(a);
        return a;
    }

    /** The innermost open arena of this thread, or null. */
    static Arena current() {
        return CURRENT.get();
    }

    /** An array of {@code n} floats with arbitrary contents, owned by the current arena if any. */
    static float[] allocate(int n, boolean zeroed) {
        Arena a = CURRENT.get();
        if (a == null || n < 64) {
            return new float[n];
        }
        float[] buf = BufferPool.take(n);
        if (zeroed) java.util.Arrays.fill(buf, 0f);
        a.buffers.add(buf);
        return buf;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) return;
        if (CURRENT.get() != this) {
            throw new IllegalStateException("arenas must be closed in the reverse order of opening");
        }
        closed = true;
        CURRENT.set(parent);
        for (float[] b : buffers) BufferPool.give(b);
        buffers.clear();
    }
}
