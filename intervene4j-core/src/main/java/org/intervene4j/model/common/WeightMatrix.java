package org.intervene4j.model.common;

import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.PackedWeight;
import org.intervene4j.engine.Tensor;

/**
 * A model's weight matrix as loaded: an fp32 {@link Tensor} (F32 checkpoints) or a compact
 * {@link HalfMatrix} (F16/BF16 checkpoints, widened inside the kernels). Families hold their
 * projections, MLP, embeddings and LM head as these and call the static
 * {@link #linear(Tensor, WeightMatrix, Tensor)} and {@link #embedding(WeightMatrix, int[], int...)},
 * which read like the {@link Ops} they forward to.
 */
public final class WeightMatrix {
    /**
     * Products with at least this many rows (prefill, training batches) read a prepacked copy of
     * the weight ({@link PackedWeight}, made on first use); fewer rows (decoding) stream the
     * weight as stored, so a model used only for generation never holds the copy.
     */
    public static final int PACK_MIN_ROWS = 16;

    private final Tensor dense;    // [rows, cols] or null
    private final HalfMatrix half; // [rows, cols] or null
    /** The prepacked copy for linear, made on first use; null until then. */
    private volatile PackedWeight packed;
    /** Set once the fp32 tensor has been handed out (it may be edited): no packing from then on. */
    private volatile boolean handedOut;

    private WeightMatrix(Tensor dense, HalfMatrix half) {
        this.dense = dense;
        this.half = half;
    }

    /**
     * An fp32 matrix {@code [rows, cols]}. Its values must not change behind this object's back
     * (a product of many rows may read a packed copy): to edit a model's weight, take it with
     * {@link #toTensor()}, which stops packing.
     */
    public static WeightMatrix of(Tensor dense) {
        if (dense == null || dense.dim() != 2) {
            throw new IllegalArgumentException("WeightMatrix.of: needs a 2-d tensor, got "
                    + (dense == null ? "null" : java.util.Arrays.toString(dense.shape())));
        }
        return new WeightMatrix(dense, null);
    }

    /** A half-precision matrix. */
    public static WeightMatrix of(HalfMatrix half) {
        if (half == null) throw new IllegalArgumentException("WeightMatrix.of: half matrix is null");
        return new WeightMatrix(null, half);
    }

    /** {@code x [..., in] @ w^T + bias} for {@code w [out, in]}; bias {@code [out]} or null. */
    public static Tensor linear(Tensor x, WeightMatrix w, Tensor bias) {
        int in = x.dim() == 0 ? 1 : x.size(x.dim() - 1);
        if (x.numel() / Math.max(in, 1) >= PACK_MIN_ROWS) {
            PackedWeight p = w.packedForLinear();
            if (p != null) return Ops.linear(x, p, bias);
        }
        return w.half != null ? Ops.linear(x, w.half, bias) : Ops.linear(x, w.dense, bias);
    }

    /** The prepacked copy (made once, thread-safe), or null when this weight must not be packed. */
    private PackedWeight packedForLinear() {
        // checked on every call: the owner of the fp32 tensor may ask for its gradient after it was packed
        if (dense != null && dense.requiresGrad()) return null;
        PackedWeight p = packed;
        if (p != null || handedOut) return p;
        synchronized (this) {
            if (packed == null && !handedOut) packed = half != null ? PackedWeight.of(half) : PackedWeight.of(dense);
            return packed;
        }
    }

    /** Bytes of the prepacked copy, 0 until a product of {@link #PACK_MIN_ROWS} or more rows made it. */
    public long packedBytes() {
        PackedWeight p = packed;
        return p == null ? 0 : p.packedBytes();
    }

    /** Rows of {@code w [vocab, d]} for {@code ids}, shaped {@code [leading..., d]}. */
    public static Tensor embedding(WeightMatrix w, int[] ids, int... leading) {
        return w.half != null ? Ops.embedding(w.half, ids, leading) : Ops.embedding(w.dense, ids, leading);
    }

    /** The transposed view (no copy): Conv1D weights stored [in, out] become [out, in]. */
    public WeightMatrix transpose() {
        return half != null ? new WeightMatrix(null, half.transpose()) : new WeightMatrix(dense.transpose(0, 1), null);
    }

    /**
     * The transposed matrix in the layout the kernels stream fastest: fp32 stays a view (no
     * copy); half precision is copied into row-major [cols, rows] (same bytes, so memory is
     * unchanged once the stored layout is dropped), which makes one-token decoding read each
     * weight row contiguously.
     */
    public WeightMatrix transposeForLinear() {
        return half != null ? new WeightMatrix(null, half.transpose().contiguous()) : transpose();
    }

    /** {@code [rows, cols]}. */
    public int[] shape() {
        return half != null ? half.shape() : dense.shape();
    }

    /** True when kept in half precision. */
    public boolean isHalf() {
        return half != null;
    }

    /** The half-precision matrix, or null for an fp32 one. */
    public HalfMatrix half() {
        return half;
    }

    /**
     * The fp32 values: the tensor itself (fp32) or a widened copy (half). An fp32 weight handed
     * out here may be edited in place, so its prepacked copy is dropped and never made again.
     */
    public Tensor toTensor() {
        if (half != null) return half.toTensor();
        synchronized (this) {
            handedOut = true;
            packed = null;
        }
        return dense;
    }

    /** Number of values. */
    public long numel() {
        int[] s = shape();
        return (long) s[0] * s[1];
    }

    /** Bytes this matrix keeps alive: 2 per value when half, 4 when fp32. */
    public long bytesHeld() {
        return half != null ? half.bytesHeld() : 4L * dense.numel();
    }
}
