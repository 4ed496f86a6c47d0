package org.intervene4j.engine;

/**
 * Opt-in NaN/infinity detection. When on ({@code -Dintervene4j.anomaly=true} or
 * {@link #enable}), every op's output and every gradient is checked, and the first op that
 * produced a non-finite value is named in an {@link ArithmeticException}.
 */
public final class Anomaly {
    private static volatile boolean enabled = Boolean.getBoolean("intervene4j.anomaly");

    private Anomaly() {}

    public static boolean enabled() {
        return enabled;
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    /** Throws if {@code t} holds a NaN or infinity; {@code what} names the op or gradient. */
    static void check(String what, Tensor t, Tensor... inputs) {
        int[] shape = t.shape;
        Tensor c = t.isContiguous() ? t : t.contiguousCopyNoGrad();
        for (int i = 0; i < c.numel(); i++) {
            float v = c.data[c.offset + i];
            if (!Float.isFinite(v)) {
                StringBuilder sb = new StringBuilder();
                sb.append(what).append(" produced ").append(v).append(" at flat index ").append(i)
                        .append(" of its output ").append(Shapes.str(shape));
                if (inputs.length > 0) {
                    sb.append(" (input shapes:");
                    for (Tensor in : inputs) sb.append(' ').append(Shapes.str(in.shape));
                    sb.append(')');
                }
                throw new ArithmeticException(sb.toString());
            }
        }
    }
}
