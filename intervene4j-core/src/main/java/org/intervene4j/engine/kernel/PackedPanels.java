package org.intervene4j.engine.kernel;

import org.intervene4j.engine.HalfFormat;

/**
 * A frozen right-hand operand {@code B [k, n]} stored once in the order the GEMM micro-kernel
 * reads it, so products with it skip packing B (for a weight used by many products, packing B
 * on every call costs as much as a fifth of the product at 128-256 rows).
 *
 * <p>Layout: panels of {@link #width()} columns over the full depth. Panel q holds, for each
 * depth p in [0, k), the {@code width} values {@code B[p, q*width ..]} (zeros past n) at
 * {@code q*k*width + p*width}. Values are fp32 or half-precision bits (kept compact, widened
 * per cache block as the product runs). Instances never change after construction.
 */
public final class PackedPanels {
    /** Panel width of the vectorized kernel when the Vector API is present; any width works for the scalar kernel. */
    static final int WIDTH = KernelConfig.vectorApiAvailable() ? VectorWidth.NR : 32;

    private final int k;
    private final int n;
    private final int width;
    private final float[] values;    // fp32 panels, or null
    private final short[] bits;      // half-precision panels, or null
    private final HalfFormat format; // of bits, or null

    private PackedPanels(int k, int n, int width, float[] values, short[] bits, HalfFormat format) {
        this.k = k;
        this.n = n;
        this.width = width;
        this.values = values;
        this.bits = bits;
        this.format = format;
    }

    /** Packs fp32 {@code B [k, n]} with element (p, j) at {@code b[off + p*rowStride + j*colStride]}. */
    public static PackedPanels pack(float[] b, int off, int rowStride, int colStride, int k, int n) {
        checkSizes(k, n);
        int w = WIDTH;
        float[] dst = new float[panelCount(n, w) * k * w];
        for (int j = 0; j < n; j++) {
            int d = (j / w) * k * w + j % w;
            int s = off + j * colStride;
            for (int p = 0; p < k; p++) dst[d + p * w] = b[s + p * rowStride];
        }
        return new PackedPanels(k, n, w, dst, null, null);
    }

    /**
     * Packs half-precision {@code B [k, n]} (bits of {@code format}), kept in half precision.
     * BF16 panel rows are stored interleaved: column c of a row's first half at short 2c, of
     * its second half at 2c + 1, so that one full-width load widens to both halves with a
     * shift and a mask (little-endian: the even short is the low half of an int).
     */
    public static PackedPanels pack(HalfFormat format, short[] b, int off, int rowStride, int colStride, int k, int n) {
        if (format == null) throw new IllegalArgumentException("PackedPanels.pack: format is null");
        checkSizes(k, n);
        int w = WIDTH;
        short[] dst = new short[panelCount(n, w) * k * w];
        boolean interleave = format == HalfFormat.BF16;
        for (int j = 0; j < n; j++) {
            int d = (j / w) * k * w + (interleave ? interleavedColumn(j % w, w) : j % w);
            int s = off + j * colStride;
            for (int p = 0; p < k; p++) dst[d + p * w] = b[s + p * rowStride];
        }
        return new PackedPanels(k, n, w, null, dst, format);
    }

    private static void checkSizes(int k, int n) {
        if (k < 1 || n < 1) {
            throw new IllegalArgumentException("PackedPanels.pack: needs k >= 1 and n >= 1, got k=" + k + ", n=" + n);
        }
        if ((long) panelCount(n, WIDTH) * k * WIDTH > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("PackedPanels.pack: [" + k + ", " + n + "] is too large for one array");
        }
    }

    /** Where column c (0 <= c < width) of a BF16 panel row is stored. */
    static int interleavedColumn(int c, int width) {
        int half = width / 2;
        return c < half ? 2 * c : 2 * (c - half) + 1;
    }

    static int panelCount(int n, int width) {
        return (n + width - 1) / width;
    }

    /** Depth: rows of B. */
    public int k() {
        return k;
    }

    /** Columns of B. */
    public int n() {
        return n;
    }

    /** Columns per panel. */
    public int width() {
        return width;
    }

    /** True when the panels hold half-precision bits. */
    public boolean isHalf() {
        return bits != null;
    }

    /** Element (p, j) of B, widened to fp32. */
    public float get(int p, int j) {
        int base = (j / width) * k * width + p * width;
        if (values != null) return values[base + j % width];
        int c = format == HalfFormat.BF16 ? interleavedColumn(j % width, width) : j % width;
        return format.toFloat(bits[base + c]);
    }

    /** Bytes of the panel array (padding included). */
    public long bytesHeld() {
        return values != null ? 4L * values.length : 2L * bits.length;
    }

    float[] values() {
        return values;
    }

    short[] bits() {
        return bits;
    }

    HalfFormat format() {
        return format;
    }

    /**
     * Holds the vectorized kernel's panel width in a class of its own, so reading it loads
     * {@link VectorGemm} (which needs the Vector API module) only when the module is present.
     */
    private static final class VectorWidth {
        static final int NR = VectorGemm.NR;
    }
}
