package org.intervene4j.engine;

import org.intervene4j.engine.kernel.HalfWiden;

/**
 * A frozen weight matrix kept in half precision (F16 or BF16 bits in a {@code short[]}, 2 bytes
 * per value): the kernels widen values to fp32 as they read them, so a checkpoint stored in
 * half precision stays half the size of fp32 in memory. Like a {@link Tensor} it is a strided
 * view: element (r, c) is {@code bits[offset + r * rowStride + c * colStride]}, so
 * {@link #transpose()} is free (GPT-2's Conv1D weights are stored [in, out] and used as the
 * transposed view [out, in]).
 *
 * <p>Ops take it where they take a weight: {@link Ops#linear(Tensor, HalfMatrix, Tensor)} and
 * {@link Ops#embedding(HalfMatrix, int[], int...)}. It never requires a gradient; for a
 * trainable (or editable) copy, widen it with {@link #toTensor()}.
 */
public final class HalfMatrix {
    private final HalfFormat format;
    private final short[] bits;
    private final int rows;
    private final int cols;
    private final int offset;
    private final int rowStride;
    private final int colStride;

    private HalfMatrix(HalfFormat format, short[] bits, int rows, int cols, int offset, int rowStride, int colStride) {
        this.format = format;
        this.bits = bits;
        this.rows = rows;
        this.cols = cols;
        this.offset = offset;
        this.rowStride = rowStride;
        this.colStride = colStride;
    }

    /**
     * Wraps row-major {@code bits} (not copied) as a {@code [rows, cols]} matrix.
     *
     * @throws IllegalArgumentException when the array does not hold exactly rows * cols values
     */
    public static HalfMatrix of(HalfFormat format, short[] bits, int rows, int cols) {
        if (format == null) throw new IllegalArgumentException("HalfMatrix.of: format is null");
        if (rows < 0 || cols < 0 || (long) rows * cols != bits.length) {
            throw new IllegalArgumentException("HalfMatrix.of: " + bits.length + " values cannot be a [" + rows + ", " + cols + "] matrix");
        }
        return new HalfMatrix(format, bits, rows, cols, 0, cols, 1);
    }

    /** {@code t [rows, cols]} rounded to {@code format} (round to nearest even), row-major. */
    public static HalfMatrix round(Tensor t, HalfFormat format) {
        if (t.dim() != 2) {
            throw new IllegalArgumentException("HalfMatrix.round: needs a 2-d tensor, got " + Shapes.str(t.shape()));
        }
        float[] v = t.toFloatArray();
        short[] b = new short[v.length];
        for (int i = 0; i < v.length; i++) b[i] = format.fromFloat(v[i]);
        return of(format, b, t.size(0), t.size(1));
    }

    public HalfFormat format() {
        return format;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** {@code [rows, cols]}. */
    public int[] shape() {
        return new int[] {rows, cols};
    }

    /** Number of values in this view. */
    public long numel() {
        return (long) rows * cols;
    }

    /** The transposed view {@code [cols, rows]}, sharing the bits. */
    public HalfMatrix transpose() {
        return new HalfMatrix(format, bits, cols, rows, offset, colStride, rowStride);
    }

    /**
     * This matrix laid out row-major in its own array: {@code this} when it already is, else a
     * copy (a transposed view becomes a transposed copy, e.g. Conv1D weights turned into
     * nn.Linear layout, whose one-row products stream each weight row contiguously).
     */
    public HalfMatrix contiguous() {
        if (offset == 0 && colStride == 1 && rowStride == cols && bits.length == rows * cols) return this;
        short[] out = new short[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[r * cols + c] = bits[offset + r * rowStride + c * colStride];
        }
        return of(format, out, rows, cols);
    }

    /** Element (r, c) widened to float. */
    public float get(int r, int c) {
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("HalfMatrix.get: (" + r + ", " + c + ") is outside [" + rows + ", " + cols + "]");
        }
        return format.toFloat(bits[offset + r * rowStride + c * colStride]);
    }

    /** A widened fp32 copy of this view (exact: every half value is an fp32 value), outside any arena. */
    public Tensor toTensor() {
        Tensor t = Tensor.zerosPersistent(rows, cols);
        float[] d = t.data();
        for (int r = 0; r < rows; r++) {
            HalfWiden.widen(format, bits, offset + r * rowStride, colStride, d, r * cols, cols);
        }
        return t;
    }

    /** Bytes of the backing array (shared by every view of it). */
    public long bytesHeld() {
        return 2L * bits.length;
    }

    /**
     * Half-precision weights are frozen: asking for a gradient is an error.
     *
     * @throws UnsupportedOperationException when {@code value} is true
     */
    public HalfMatrix requiresGrad(boolean value) {
        if (value) {
            throw new UnsupportedOperationException("a HalfMatrix " + format + " [" + rows + ", " + cols + "] is frozen: ops 'linear' and "
                    + "'embedding' compute no gradient for half-precision weights; train a widened copy (toTensor()) instead");
        }
        return this;
    }

    /** False: half-precision weights never get gradients. */
    public boolean requiresGrad() {
        return false;
    }

    // ---- the raw layout, for kernels

    /** The backing array (shared, never modify it). */
    public short[] bits() {
        return bits;
    }

    public int offset() {
        return offset;
    }

    public int rowStride() {
        return rowStride;
    }

    public int colStride() {
        return colStride;
    }

    @Override
    public String toString() {
        return "HalfMatrix(" + format + " [" + rows + ", " + cols + "]" + (colStride != 1 ? ", transposed view" : "") + ")";
    }
}
