package org.intervene4j.engine;

import org.intervene4j.engine.kernel.PackedPanels;

/**
 * A frozen nn.Linear weight {@code W [out, in]} (fp32 {@link Tensor} or {@link HalfMatrix})
 * together with a copy of {@code W^T} laid out once in the GEMM kernel's panel order
 * ({@link PackedPanels}), so that {@link Ops#linear(Tensor, PackedWeight, Tensor)} skips the
 * per-call packing of the weight. Inference engines call this prepacking; it pays off for
 * products of many rows (prefill, training batches), where packing a transposed weight on
 * every call costs a fifth of the product or more.
 *
 * <p>The panels are a snapshot: the weight must not change after it is packed (model weights
 * are frozen; a trainable weight uses the plain {@code linear}). Half-precision panels stay in
 * half precision. The source weight is kept for the backward product {@code dx = dy W}.
 */
public final class PackedWeight {
    private final Tensor dense;     // [out, in] or null
    private final HalfMatrix half;  // [out, in] or null
    private final PackedPanels panels; // W^T [in, out]
    /** W itself [out, in] in panel order, for the backward product; made by the first backward. */
    private volatile PackedPanels backwardPanels;

    private PackedWeight(Tensor dense, HalfMatrix half, PackedPanels panels) {
        this.dense = dense;
        this.half = half;
        this.panels = panels;
    }

    /**
     * Packs an fp32 weight {@code [out, in]} (any strides).
     *
     * @throws IllegalArgumentException when w is not 2-d, is empty, or requires a gradient
     */
    public static PackedWeight of(Tensor w) {
        if (w == null || w.dim() != 2 || w.numel() == 0) {
            throw new IllegalArgumentException("PackedWeight.of: needs a non-empty weight [out, in], got "
                    + (w == null ? "null" : Shapes.str(w.shape())));
        }
        if (w.requiresGrad()) {
            throw new IllegalArgumentException("PackedWeight.of: weight " + Shapes.str(w.shape())
                    + " requires a gradient; only frozen weights are packed (use Ops.linear with the tensor)");
        }
        int[] st = w.strides();
        // B = W^T: element (p, j) = W[j, p].
        PackedPanels p = PackedPanels.pack(w.data(), w.offset(), st[1], st[0], w.size(1), w.size(0));
        return new PackedWeight(w, null, p);
    }

    /** Packs a half-precision weight {@code [out, in]} (any view); the panels stay half precision. */
    public static PackedWeight of(HalfMatrix w) {
        if (w == null || w.numel() == 0) {
            throw new IllegalArgumentException("PackedWeight.of: needs a non-empty half weight [out, in], got " + w);
        }
        PackedPanels p = PackedPanels.pack(w.format(), w.bits(), w.offset(), w.colStride(), w.rowStride(), w.cols(), w.rows());
        return new PackedWeight(null, w, p);
    }

    /** Output features ({@code out}). */
    public int outFeatures() {
        return panels.n();
    }

    /** Input features ({@code in}). */
    public int inFeatures() {
        return panels.k();
    }

    /** {@code [out, in]}. */
    public int[] shape() {
        return new int[] {outFeatures(), inFeatures()};
    }

    /** The fp32 source weight, or null when it is half precision. */
    public Tensor dense() {
        return dense;
    }

    /** The half-precision source weight, or null when it is fp32. */
    public HalfMatrix half() {
        return half;
    }

    /** {@code W^T} in panel order. */
    public PackedPanels panels() {
        return panels;
    }

    /**
     * {@code W [out, in]} in panel order, the right operand of the input gradient
     * {@code dx = dy W}: packed on the first call (the first backward through this weight), so
     * a model that is only run forward never holds it.
     */
    public PackedPanels backwardPanels() {
        PackedPanels p = backwardPanels;
        if (p != null) return p;
        synchronized (this) {
            if (backwardPanels == null) {
                if (half != null) {
                    backwardPanels = PackedPanels.pack(half.format(), half.bits(), half.offset(), half.rowStride(), half.colStride(),
                            half.rows(), half.cols());
                } else {
                    int[] st = dense.strides();
                    backwardPanels = PackedPanels.pack(dense.data(), dense.offset(), st[0], st[1], dense.size(0), dense.size(1));
                }
            }
            return backwardPanels;
        }
    }

    /** Bytes of the packed copies made so far (the source weight is counted where it is held). */
    public long packedBytes() {
        PackedPanels b = backwardPanels;
        return panels.bytesHeld() + (b == null ? 0 : b.bytesHeld());
    }

    @Override
    public String toString() {
        return "PackedWeight(" + (half != null ? half.format() + " " : "") + Shapes.str(shape()) + ")";
    }
}
