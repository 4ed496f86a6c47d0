package org.intervene4j.engine;

import org.intervene4j.engine.op.Binary;
import org.intervene4j.engine.op.Conditional;
import org.intervene4j.engine.op.CrossEntropy;
import org.intervene4j.engine.op.Indexing;
import org.intervene4j.engine.op.MatMul;
import org.intervene4j.engine.op.Norm;
import org.intervene4j.engine.op.Reduce;
import org.intervene4j.engine.op.Rotary;
import org.intervene4j.engine.op.Softmax;
import org.intervene4j.engine.op.Unary;

/**
 * Every differentiable op, in one place for {@code import static}. Each op records itself for
 * autograd, accepts strided views, and names itself and the shapes involved in its errors.
 * The implementations live in {@code org.intervene4j.engine.op}, one file per family.
 */
public final class Ops {
    private Ops() {}

    // ---- elementwise binary, numpy broadcasting
    public static Tensor add(Tensor a, Tensor b) { return Binary.add(a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return Binary.sub(a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return Binary.mul(a, b); }
    public static Tensor div(Tensor a, Tensor b) { return Binary.div(a, b); }

    // ---- elementwise unary
    /** {@code s * x}. */
    public static Tensor scale(Tensor x, float s) { return Unary.scale(x, s); }
    /** {@code x + c}. */
    public static Tensor addScalar(Tensor x, float c) { return Unary.addScalar(x, c); }
    public static Tensor neg(Tensor x) { return Unary.neg(x); }
    public static Tensor exp(Tensor x) { return Unary.exp(x); }
    public static Tensor log(Tensor x) { return Unary.log(x); }
    public static Tensor sqrt(Tensor x) { return Unary.sqrt(x); }
    public static Tensor square(Tensor x) { return Unary.square(x); }
    public static Tensor tanh(Tensor x) { return Unary.tanh(x); }
    public static Tensor sigmoid(Tensor x) { return Unary.sigmoid(x); }
    public static Tensor relu(Tensor x) { return Unary.relu(x); }
    /** GELU, tanh approximation (GPT-2's "gelu_new"). */
    public static Tensor gelu(Tensor x) { return Unary.gelu(x); }
    /** GELU, exact erf form (BERT's and GPT-NeoX's "gelu"). */
    public static Tensor geluErf(Tensor x) { return Unary.geluErf(x); }
    /** {@code x * sigmoid(x)} (Llama's "silu"). */
    public static Tensor silu(Tensor x) { return Unary.silu(x); }
    /** Values limited to {@code [lo, hi]}; the gradient is zero outside. */
    public static Tensor clamp(Tensor x, float lo, float hi) { return Unary.clamp(x, lo, hi); }

    // ---- selection by mask
    /** {@code cond != 0 ? a : b}, all three broadcast together; cond gets no gradient. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Conditional.where(cond, a, b); }
    /** {@code mask != 0 ? value : x}, mask broadcast to x. */
    public static Tensor maskedFill(Tensor x, Tensor mask, float value) { return Conditional.maskedFill(x, mask, value); }

    // ---- matrix products
    /**
     * {@code a [..., m, k] @ b [..., k, n] -> [..., m, n]}; batch dimensions broadcast (b may be
     * 2-d). Transposed views ({@code b.transpose(-1, -2)}) are read in place, not copied.
     */
    public static Tensor matmul(Tensor a, Tensor b) { return MatMul.matmul(a, b); }
    /** {@code x [..., in] @ w^T + bias}: w is {@code [out, in]} as in nn.Linear; bias {@code [out]} or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) { return MatMul.linear(x, w, bias); }

    // ---- softmax family
    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) { return Softmax.softmax(x); }
    /**
     * Fused masked softmax over attention scores {@code [batch, heads, q, k]}. With
     * {@code causal}, query i sees keys {@code j <= i + (k - q)} (the last queries align with the
     * last keys, as under a KV cache). {@code keyMask [batch, k]} (1 = attend, 0 = padding) may
     * be null. A row with no visible key yields zeros.
     */
    public static Tensor maskedSoftmax(Tensor scores, boolean causal, Tensor keyMask) {
        return Softmax.maskedSoftmax(scores, causal, keyMask);
    }
    /** Log-softmax over the last dimension. */
    public static Tensor logSoftmax(Tensor x) { return Softmax.logSoftmax(x); }
    /** Mean cross-entropy of {@code logits [n, classes]} against {@code targets[n]}, skipping {@code ignoreIndex}. */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        return CrossEntropy.crossEntropy(logits, targets, ignoreIndex);
    }

    // ---- normalization (last dimension)
    /** Layer norm with optional affine {@code gamma, beta [d]} (either may be null). */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) { return Norm.layerNorm(x, gamma, beta, eps); }
    /** RMS norm {@code x / sqrt(mean(x^2) + eps) * gamma}; gamma may be null. */
    public static Tensor rmsNorm(Tensor x, Tensor gamma, float eps) { return Norm.rmsNorm(x, gamma, eps); }

    // ---- rotary position embedding
    /**
     * Rotate-half rotary embedding of {@code x [batch, heads, seq, headDim]} with tables
     * {@code cos, sin [batch, seq, rot/2]}: the first {@code rot} dims are rotated, the rest pass
     * through (partial rotary).
     */
    public static Tensor rotary(Tensor x, Tensor cos, Tensor sin) { return Rotary.rotary(x, cos, sin); }

    // ---- indexing
    /** Rows of {@code weight [vocab, d]} for {@code ids}, shaped {@code [leading..., d]}. */
    public static Tensor embedding(Tensor weight, int[] ids, int... leading) { return Indexing.embedding(weight, ids, leading); }
    /** Slices {@code index[i]} of dimension {@code dim}, stacked along dim (a gather). */
    public static Tensor indexSelect(Tensor x, int dim, int[] index) { return Indexing.indexSelect(x, dim, index); }
    /** x with slices {@code index[i]} of dimension dim replaced by slice i of src (a scatter). */
    public static Tensor indexCopy(Tensor x, int dim, int[] index, Tensor src) { return Indexing.indexCopy(x, dim, index, src); }
    /** x with slice i of src added into slice {@code index[i]} of dimension dim. */
    public static Tensor indexAdd(Tensor x, int dim, int[] index, Tensor src) { return Indexing.indexAdd(x, dim, index, src); }
    /** Joins tensors along {@code dim}; the other dimensions must agree. */
    public static Tensor concat(int dim, Tensor... parts) { return Indexing.concat(dim, parts); }
    /** Stacks equally-shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(int dim, Tensor... parts) { return Indexing.stack(dim, parts); }

    // ---- reductions
    /** Sum of all elements (rank-0). */
    public static Tensor sum(Tensor x) { return Reduce.sum(x); }
    public static Tensor sum(Tensor x, int dim, boolean keepDim) { return Reduce.sum(x, dim, keepDim); }
    /** Mean of all elements (rank-0). */
    public static Tensor mean(Tensor x) { return Reduce.mean(x); }
    public static Tensor mean(Tensor x, int dim, boolean keepDim) { return Reduce.mean(x, dim, keepDim); }
    /** Maximum over {@code dim}; the gradient flows to the (first) arg-max. */
    public static Tensor max(Tensor x, int dim, boolean keepDim) { return Reduce.max(x, dim, keepDim); }
}
