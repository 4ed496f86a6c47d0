package org.intervene4j.engine.kernel;

/**
 * Process-wide performance knobs, read once from system properties.
 *
 * <ul>
 *   <li>{@code -Dintervene4j.kernels=vector|scalar} picks the vectorized kernels (default, when
 *       the Vector API module is present) or the scalar reference kernels.</li>
 *   <li>{@code -Dintervene4j.threads=N} sizes the worker pool (default: available processors).</li>
 *   <li>{@code -Dintervene4j.anomaly=true} checks every op's output for NaN or infinity.</li>
 * </ul>
 */
public final class KernelConfig {
    private static final boolean VECTOR_AVAILABLE = detectVectorApi();
    private static volatile boolean useVector =
            VECTOR_AVAILABLE && !"scalar".equalsIgnoreCase(System.getProperty("intervene4j.kernels", "vector"));

    private KernelConfig() {}

    /** True when the vectorized kernels are in use, false for the scalar reference kernels. */
    public static boolean vectorized() {
        return useVector;
    }

    /** True when the {@code jdk.incubator.vector} module was added to this JVM. */
    public static boolean vectorApiAvailable() {
        return VECTOR_AVAILABLE;
    }

    /** Switches between vectorized and scalar kernels (tests compare the two). */
    public static void setVectorized(boolean vector) {
        if (vector && !VECTOR_AVAILABLE) {
            throw new IllegalStateException(
                    "vector kernels need the JVM flag --add-modules jdk.incubator.vector");
        }
        useVector = vector;
    }

    /** The worker count requested by {@code -Dintervene4j.threads}, or the processor count. */
    static int configuredThreads() {
        String value = System.getProperty("intervene4j.threads");
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "-Dintervene4j.threads must be a positive integer, got '" + value + "'");
        }
    }

    private static boolean detectVectorApi() {
        try {
            Class.forName("jdk.incubator.vector.FloatVector");
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        } catch (Throwable t) {
            return false;
        }
    }
}
