package org.intervene4j.engine.kernel;

/**
 * One-dimensional elementwise, selection and reduction kernels over float arrays with offsets.
 * The op layer reduces every layout to calls on rows; operands of binary kernels are either
 * unit-stride rows (stride 1) or one broadcast value (stride 0). Two implementations exist:
 * a vectorized one and a scalar reference; {@link #get()} picks per {@link KernelConfig}.
 */
public interface ElementwiseKernels {

    /** The implementation selected by {@link KernelConfig#vectorized()}. */
    static ElementwiseKernels get() {
        return KernelConfig.vectorized() ? VectorElementwiseKernels.INSTANCE : ScalarElementwiseKernels.INSTANCE;
    }

    /** {@code y[i] = fn(x[i])} for {@code i < n}; {@code p, q} are fn's constants (see {@link UnaryFn}). */
    void unary(UnaryFn fn, float p, float q, float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * {@code dx[i] = g[i] * fn'(...)}, where {@code s} holds the op's output when
     * {@link UnaryFn#backwardFromOutput} and its input otherwise. Not for SCALE, ADD_SCALAR, NEG
     * (their gradient is a plain scaling of g).
     */
    void unaryBackward(UnaryFn fn, float p, float q, float[] s, int sOff, float[] g, int gOff,
                       float[] dx, int dxOff, int n);

    /** {@code out[i] = fn(a[aOff + i*aStride], b[bOff + i*bStride])}; strides are 0 or 1. */
    void binary(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                float[] out, int outOff, int n);

    /** {@code out[i] = c[..] != 0 ? a[..] : b[..]}; strides are 0 or 1. */
    void where(float[] c, int cOff, int cStride, float[] a, int aOff, int aStride,
               float[] b, int bOff, int bStride, float[] out, int outOff, int n);

    /** Sum of {@code x[off .. off+n)} (accumulated at least in float lanes, combined in double). */
    double sum(float[] x, int off, int n);

    /** {@code dst[i] += src[i]} for {@code i < n}. */
    void accumulate(float[] dst, int dOff, float[] src, int sOff, int n);

    /** Index (0-based, relative to off) of the first maximum of {@code x[off .. off+n)}; a NaN counts as the maximum. */
    int argMax(float[] x, int off, int n);
}
