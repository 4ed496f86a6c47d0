package org.intervene4j.engine;

/**
 * Every differentiable op, in one place for {@code import static}. Each op records itself for
 * autograd, accepts strided views, and names itself and the shapes involved in its errors.
 * Each call goes to the active {@link Backend}; the CPU implementations live in
 * {@code org.intervene4j.engine.op}, one file per family.
 */
public final class Ops {
    private static volatile Backend backend = CpuBackend.INSTANCE;

    private Ops() {}

    /** The backend every op runs on. */
    public static Backend backend() {
        return backend;
    }

    /** Installs another backend (for example a future libtorch GPU backend). */
    public static void useBackend(Backend b) {
        if (b == null) throw new IllegalArgumentException("Ops.useBackend: backend is null");
        backend = b;
    }

    // ---- elementwise binary, numpy broadcasting
    public static Tensor add(Tensor a, Tensor b) { return backend().add(a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return backend().sub(a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return backend().mul(a, b); }
    public static Tensor div(Tensor a, Tensor b) { return backend().div(a, b); }

    // ---- elementwise unary
    /** {@code s * x}. */
    public static Tensor scale(Tensor x, float s) { return backend().scale(x, s); }
    /** {@code x + c}. */
    public static Tensor addScalar(Tensor x, float c) { return backend().addScalar(x, c); }
    public static Tensor neg(Tensor x) { return backend().neg(x); }
    public static Tensor exp(Tensor x) { return backend().exp(x); }
    public static Tensor log(Tensor x) { return backend().log(x); }
    public static Tensor sqrt(Tensor x) { return backend().sqrt(x); }
    public static Tensor square(Tensor x) { return backend().square(x); }
    public static Tensor tanh(Tensor x) { return backend().tanh(x); }
    public static Tensor sigmoid(Tensor x) { return backend().sigmoid(x); }
    public static Tensor relu(Tensor x) { return backend().relu(x); }
    /** GELU, tanh approximation (GPT-2's "gelu_new"). */
    public static Tensor gelu(Tensor x) { return backend().gelu(x); }
    /** GELU, exact erf form (BERT's and GPT-NeoX's "gelu"). */
    public static Tensor geluErf(Tensor x) { return backend().geluErf(x); }
    /** {@code x * sigmoid(x)} (Llama's "silu"). */
    public static Tensor silu(Tensor x) { return backend().silu(x); }
    /** Values limited to {@code [lo, hi]}; the gradient is zero outside. */
    public static Tensor clamp(Tensor x, float lo, float hi) { return backend().clamp(x, lo, hi); }

    // ---- selection by mask
    /** {@code cond != 0 ? a : b}, all three broadcast together; cond gets no gradient. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return backend().where(cond, a, b); }
    /** {@code mask != 0 ? value : x}, mask broadcast to x. */
    public static Tensor maskedFill(Tensor x, Tensor mask, float value) { return backend().maskedFill(x, mask, value); }

    // ---- matrix products
    /**
     * {@code a [..., m, k] @ b [..., k, n] -> [..., m, n]}; batch dimensions broadcast (b may be
     * 2-d). Transposed views ({@code b.transpose(-1, -2)}) are read in place, not copied.
     */
    public static Tensor matmul(Tensor a, Tensor b) { return backend().matmul(a, b); }
    /** {@code x [..., in] @ w^T + bias}: w is {@code [out, in]} as in nn.Linear; bias {@code [out]} or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) { return backend().linear(x, w, bias); }
    /**
     * {@code x [..., in] @ w^T + bias} with a frozen half-precision weight {@code w [out, in]}
     * (F16/BF16, widened inside the kernel); gradients flow to x and bias only.
     */
    public static Tensor linear(Tensor x, HalfMatrix w, Tensor bias) { return backend().linear(x, w, bias); }
    /**
     * {@code x [..., in] @ w^T + bias} with a frozen prepacked weight {@code w [out, in]}: the
     * same values as the plain linear, without packing the weight per call; gradients flow to
     * x and bias only.
     */
    public static Tensor linear(Tensor x, PackedWeight w, Tensor bias) { return backend().linear(x, w, bias); }

    // ---- softmax family
    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) { return backend().softmax(x); }
    /**
     * Fused masked softmax over attention scores {@code [batch, heads, q, k]}. With
     * {@code causal}, query i sees keys {@code j <= i + (k - q)} (the last queries align with the
     * last keys, as under a KV cache). {@code keyMask [batch, k]} (1 = attend, 0 = padding) may
     * be null. A row with no visible key yields zeros. The mask gets no gradient.
     */
    public static Tensor maskedSoftmax(Tensor scores, boolean causal, Tensor keyMask) { return backend().maskedSoftmax(scores, causal, keyMask); }
    /**
     * Fused scaled dot-product attention, {@code softmax(scale * q k^T + masks) v} with the heads
     * merged: q {@code [batch, heads, seq, headDim]}, k and v {@code [batch, kvHeads, keys, headDim]}
     * (heads a multiple of kvHeads: grouped-query attention reads kv head {@code i / (heads / kvHeads)}
     * for query head i); any strides with a contiguous last dimension are read in place. With
     * {@code causal}, query i sees keys {@code j <= i + (keys - seq)} (as under a KV cache); with
     * {@code window > 0}, only keys {@code j > i + (keys - seq) - window} (sliding window);
     * {@code keyMask [batch, keys]} (1 = attend) may be null. A query that sees no key gets zeros.
     * Returns {@code [batch, seq, heads * headDim]}. Equals {@link #matmul} + {@link #maskedSoftmax}
     * + {@link #matmul} + merge, without materializing the attention weights (they are kept only
     * when a gradient is needed); the mask gets no gradient.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, float scale, boolean causal, int window, Tensor keyMask) {
        return backend().attention(q, k, v, scale, causal, window, keyMask);
    }
    /** Log-softmax over the last dimension. */
    public static Tensor logSoftmax(Tensor x) { return backend().logSoftmax(x); }
    /** Mean cross-entropy of {@code logits [n, classes]} against {@code targets[n]}, skipping {@code ignoreIndex}. */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) { return backend().crossEntropy(logits, targets, ignoreIndex); }

    // ---- normalization (last dimension)
    /** Layer norm with optional affine {@code gamma, beta [d]} (either may be null). */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) { return backend().layerNorm(x, gamma, beta, eps); }
    /** RMS norm {@code x / sqrt(mean(x^2) + eps) * gamma}; gamma may be null. */
    public static Tensor rmsNorm(Tensor x, Tensor gamma, float eps) { return backend().rmsNorm(x, gamma, eps); }

    // ---- rotary position embedding
    /**
     * Rotate-half rotary embedding of {@code x [batch, heads, seq, headDim]} with tables
     * {@code cos, sin [batch, seq, rot/2]}: the first {@code rot} dims are rotated, the rest pass
     * through (partial rotary). The tables may have batch 1 (shared by every example) and get
     * gradients when they require them.
     */
    public static Tensor rotary(Tensor x, Tensor cos, Tensor sin) { return backend().rotary(x, cos, sin); }

    // ---- indexing
    /** Rows of {@code weight [vocab, d]} for {@code ids}, shaped {@code [leading..., d]}. */
    public static Tensor embedding(Tensor weight, int[] ids, int... leading) { return backend().embedding(weight, ids, leading); }
    /** Rows of a frozen half-precision {@code weight [vocab, d]}, widened to fp32; no gradient. */
    public static Tensor embedding(HalfMatrix weight, int[] ids, int... leading) { return backend().embedding(weight, ids, leading); }
    /** Slices {@code index[i]} of dimension {@code dim}, stacked along dim (a gather). */
    public static Tensor indexSelect(Tensor x, int dim, int[] index) { return backend().indexSelect(x, dim, index); }
    /** x with slices {@code index[i]} of dimension dim replaced by slice i of src (a scatter; indices distinct). */
    public static Tensor indexCopy(Tensor x, int dim, int[] index, Tensor src) { return backend().indexCopy(x, dim, index, src); }
    /** x with slice i of src added into slice {@code index[i]} of dimension dim. */
    public static Tensor indexAdd(Tensor x, int dim, int[] index, Tensor src) { return backend().indexAdd(x, dim, index, src); }
    /** Joins tensors along {@code dim}; the other dimensions must agree. */
    public static Tensor concat(int dim, Tensor... parts) { return backend().concat(dim, parts); }
    /** Stacks equally-shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(int dim, Tensor... parts) { return backend().stack(dim, parts); }

    // ---- reductions
    /** Sum of all elements (rank-0). */
    public static Tensor sum(Tensor x) { return backend().sum(x); }
    public static Tensor sum(Tensor x, int dim, boolean keepDim) { return backend().sum(x, dim, keepDim); }
    /** Mean of all elements (rank-0). */
    public static Tensor mean(Tensor x) { return backend().mean(x); }
    public static Tensor mean(Tensor x, int dim, boolean keepDim) { return backend().mean(x, dim, keepDim); }
    /** Maximum over {@code dim}; the gradient flows to the (first) arg-max. */
    public static Tensor max(Tensor x, int dim, boolean keepDim) { return backend().max(x, dim, keepDim); }
}
