package org.intervene4j.engine;

import org.intervene4j.engine.op.Binary;
import org.intervene4j.engine.op.Conditional;
import org.intervene4j.engine.op.CrossEntropy;
import org.intervene4j.engine.op.FusedAttention;
import org.intervene4j.engine.op.HalfWeightOps;
import org.intervene4j.engine.op.Indexing;
import org.intervene4j.engine.op.MatMul;
import org.intervene4j.engine.op.Norm;
import org.intervene4j.engine.op.PackedWeightOps;
import org.intervene4j.engine.op.Reduce;
import org.intervene4j.engine.op.Rotary;
import org.intervene4j.engine.op.Softmax;
import org.intervene4j.engine.op.Unary;

/** The pure-Java backend: strided fp32 tensors on the heap, Vector API and scalar kernels. */
public final class CpuBackend implements Backend {
    static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return Binary.add(a, b);
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        return Binary.sub(a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return Binary.mul(a, b);
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        return Binary.div(a, b);
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return Unary.scale(x, s);
    }

    @Override
    public Tensor addScalar(Tensor x, float c) {
        return Unary.addScalar(x, c);
    }

    @Override
    public Tensor neg(Tensor x) {
        return Unary.neg(x);
    }

    @Override
    public Tensor exp(Tensor x) {
        return Unary.exp(x);
    }

    @Override
    public Tensor log(Tensor x) {
        return Unary.log(x);
    }

    @Override
    public Tensor sqrt(Tensor x) {
        return Unary.sqrt(x);
    }

    @Override
    public Tensor square(Tensor x) {
        return Unary.square(x);
    }

    @Override
    public Tensor tanh(Tensor x) {
        return Unary.tanh(x);
    }

    @Override
    public Tensor sigmoid(Tensor x) {
        return Unary.sigmoid(x);
    }

    @Override
    public Tensor relu(Tensor x) {
        return Unary.relu(x);
    }

    @Override
    public Tensor gelu(Tensor x) {
        return Unary.gelu(x);
    }

    @Override
    public Tensor geluErf(Tensor x) {
        return Unary.geluErf(x);
    }

    @Override
    public Tensor silu(Tensor x) {
        return Unary.silu(x);
    }

    @Override
    public Tensor clamp(Tensor x, float lo, float hi) {
        return Unary.clamp(x, lo, hi);
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Conditional.where(cond, a, b);
    }

    @Override
    public Tensor maskedFill(Tensor x, Tensor mask, float value) {
        return Conditional.maskedFill(x, mask, value);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return MatMul.matmul(a, b);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return MatMul.linear(x, w, bias);
    }

    @Override
    public Tensor linear(Tensor x, HalfMatrix w, Tensor bias) {
        return HalfWeightOps.linear(x, w, bias);
    }

    @Override
    public Tensor linear(Tensor x, PackedWeight w, Tensor bias) {
        return PackedWeightOps.linear(x, w, bias);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return Softmax.softmax(x);
    }

    @Override
    public Tensor maskedSoftmax(Tensor scores, boolean causal, Tensor keyMask) {
        return Softmax.maskedSoftmax(scores, causal, keyMask);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, float scale, boolean causal, int window, Tensor keyMask) {
        return FusedAttention.attention(q, k, v, scale, causal, window, keyMask);
    }

    @Override
    public Tensor logSoftmax(Tensor x) {
        return Softmax.logSoftmax(x);
    }

    @Override
    public Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        return CrossEntropy.crossEntropy(logits, targets, ignoreIndex);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return Norm.layerNorm(x, gamma, beta, eps);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
        return Norm.rmsNorm(x, gamma, eps);
    }

    @Override
    public Tensor rotary(Tensor x, Tensor cos, Tensor sin) {
        return Rotary.rotary(x, cos, sin);
    }

    @Override
    public Tensor embedding(Tensor weight, int[] ids, int... leading) {
        return Indexing.embedding(weight, ids, leading);
    }

    @Override
    public Tensor embedding(HalfMatrix weight, int[] ids, int... leading) {
        return HalfWeightOps.embedding(weight, ids, leading);
    }

    @Override
    public Tensor indexSelect(Tensor x, int dim, int[] index) {
        return Indexing.indexSelect(x, dim, index);
    }

    @Override
    public Tensor indexCopy(Tensor x, int dim, int[] index, Tensor src) {
        return Indexing.indexCopy(x, dim, index, src);
    }

    @Override
    public Tensor indexAdd(Tensor x, int dim, int[] index, Tensor src) {
        return Indexing.indexAdd(x, dim, index, src);
    }

    @Override
    public Tensor concat(int dim, Tensor... parts) {
        return Indexing.concat(dim, parts);
    }

    @Override
    public Tensor stack(int dim, Tensor... parts) {
        return Indexing.stack(dim, parts);
    }

    @Override
    public Tensor sum(Tensor x) {
        return Reduce.sum(x);
    }

    @Override
    public Tensor sum(Tensor x, int dim, boolean keepDim) {
        return Reduce.sum(x, dim, keepDim);
    }

    @Override
    public Tensor mean(Tensor x) {
        return Reduce.mean(x);
    }

    @Override
    public Tensor mean(Tensor x, int dim, boolean keepDim) {
        return Reduce.mean(x, dim, keepDim);
    }

    @Override
    public Tensor max(Tensor x, int dim, boolean keepDim) {
        return Reduce.max(x, dim, keepDim);
    }
}
