package org.intervene4j.engine;

/**
 * The op interface every compute backend implements. {@link Ops} forwards each call to the
 * active backend; today that is {@link CpuBackend} (pure Java, Vector API kernels). A libtorch
 * (JavaCPP) GPU backend would implement this interface over device-resident tensors and be
 * installed with {@link Ops#useBackend}; model, intervention and analysis code stays unchanged.
 * See {@link Ops} for each op's contract.
 */
public interface Backend {
    /** A short name for messages and benchmark output ("cpu", ...). */
    String name();

    Tensor add(Tensor a, Tensor b);
    Tensor sub(Tensor a, Tensor b);
    Tensor mul(Tensor a, Tensor b);
    Tensor div(Tensor a, Tensor b);
    Tensor scale(Tensor x, float s);
    Tensor addScalar(Tensor x, float c);
    Tensor neg(Tensor x);
    Tensor exp(Tensor x);
    Tensor log(Tensor x);
    Tensor sqrt(Tensor x);
    Tensor square(Tensor x);
    Tensor tanh(Tensor x);
    Tensor sigmoid(Tensor x);
    Tensor relu(Tensor x);
    Tensor gelu(Tensor x);
    Tensor geluErf(Tensor x);
    Tensor silu(Tensor x);
    Tensor clamp(Tensor x, float lo, float hi);
    Tensor where(Tensor cond, Tensor a, Tensor b);
    Tensor maskedFill(Tensor x, Tensor mask, float value);
    Tensor matmul(Tensor a, Tensor b);
    Tensor linear(Tensor x, Tensor w, Tensor bias);
    Tensor softmax(Tensor x);
    Tensor maskedSoftmax(Tensor scores, boolean causal, Tensor keyMask);
    Tensor attention(Tensor q, Tensor k, Tensor v, float scale, boolean causal, int window, Tensor keyMask);
    Tensor logSoftmax(Tensor x);
    Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex);
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);
    Tensor rmsNorm(Tensor x, Tensor gamma, float eps);
    Tensor rotary(Tensor x, Tensor cos, Tensor sin);
    Tensor embedding(Tensor weight, int[] ids, int... leading);
    Tensor indexSelect(Tensor x, int dim, int[] index);
    Tensor indexCopy(Tensor x, int dim, int[] index, Tensor src);
    Tensor indexAdd(Tensor x, int dim, int[] index, Tensor src);
    Tensor concat(int dim, Tensor... parts);
    Tensor stack(int dim, Tensor... parts);
    Tensor sum(Tensor x);
    Tensor sum(Tensor x, int dim, boolean keepDim);
    Tensor mean(Tensor x);
    Tensor mean(Tensor x, int dim, boolean keepDim);
    Tensor max(Tensor x, int dim, boolean keepDim);

    /**
     * {@link Ops#linear(Tensor, HalfMatrix, Tensor)}. This default widens the weight to fp32
     * (correct, not compact); backends with half-precision kernels override it.
     */
    default Tensor linear(Tensor x, HalfMatrix w, Tensor bias) {
        return linear(x, w.toTensor(), bias);
    }

    /**
     * {@link Ops#linear(Tensor, PackedWeight, Tensor)}. This default runs the plain linear on
     * the source weight; backends whose kernels read the packed panels override it.
     */
    default Tensor linear(Tensor x, PackedWeight w, Tensor bias) {
        return w.half() != null ? linear(x, w.half(), bias) : linear(x, w.dense(), bias);
    }

    /** {@link Ops#embedding(HalfMatrix, int[], int...)}; this default widens the weight (see above). */
    default Tensor embedding(HalfMatrix weight, int[] ids, int... leading) {
        return embedding(weight.toTensor(), ids, leading);
    }
}
