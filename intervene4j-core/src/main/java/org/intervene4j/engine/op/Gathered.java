package org.intervene4j.engine.op;

/**
 * Per-thread scratch rows for operands whose innermost stride is neither 1 nor 0 (transposed
 * or sliced views): the row is gathered into a dense buffer so the vector kernels still apply.
 */
final class Gathered {
    private static final int SLOTS = 3;
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);

    private Gathered() {}

    /** Elements {@code src[off + i*stride]}, {@code i < n}, copied to the start of scratch slot {@code slot}. */
    static float[] row(int slot, float[] src, int off, int stride, int n) {
        float[][] b = BUFFERS.get();
        if (b[slot].length < n) b[slot] = new float[Math.max(n, 64)];
        float[] dst = b[slot];
        for (int i = 0; i < n; i++) dst[i] = src[off + i * stride];
        return dst;
    }

    /** True when the kernels can read this stride in place (dense row or one broadcast value). */
    static boolean direct(int stride) {
        return stride == 0 || stride == 1;
    }
}
