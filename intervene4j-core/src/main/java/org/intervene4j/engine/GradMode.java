package org.intervene4j.engine;

/**
 * Whether ops record the graph for autograd on this thread. {@code try (var g = GradMode.off())}
 * opens a no-grad scope: ops inside it build no graph and keep no saved tensors.
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);
    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    /** Opens a no-grad scope (restores the previous mode on close). */
    public static GradMode off() {
        return new GradMode(false);
    }

    /** Opens a scope with graph recording on (inside a no-grad scope, for example). */
    public static GradMode on() {
        return new GradMode(true);
    }

    /** True when ops record the graph on this thread. */
    public static boolean enabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
