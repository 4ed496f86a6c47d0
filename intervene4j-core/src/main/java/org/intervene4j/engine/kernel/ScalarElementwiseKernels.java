package org.intervene4j.engine.kernel;

/** Scalar reference kernels: plain loops, transcendental functions evaluated in double. */
final class ScalarElementwiseKernels implements ElementwiseKernels {
    static final ScalarElementwiseKernels INSTANCE = new ScalarElementwiseKernels();

    private ScalarElementwiseKernels() {}

    @Override
    public void unary(UnaryFn fn, float p, float q, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = apply(fn, p, q, x[xOff + i]);
    }

    static float apply(UnaryFn fn, float p, float q, float v) {
        switch (fn) {
            case SCALE: return p * v;
            case ADD_SCALAR: return v + p;
            case NEG: return -v;
            case EXP: return (float) Math.exp(v);
            case LOG: return (float) Math.log(v);
            case SQRT: return (float) Math.sqrt(v);
            case SQUARE: return v * v;
            case TANH: return (float) Math.tanh(v);
            case SIGMOID: return ScalarMath.sigmoid(v);
            case RELU: return v > 0f ? v : (v == v ? 0f : v); // NaN stays NaN
            case GELU: return ScalarMath.gelu(v);
            case GELU_ERF: return ScalarMath.geluErf(v);
            case SILU: return ScalarMath.silu(v);
            case CLAMP: return Math.min(Math.max(v, p), q);
            default: throw new AssertionError(fn);
        }
    }

    @Override
    public void unaryBackward(UnaryFn fn, float p, float q, float[] s, int sOff, float[] g, int gOff,
                              float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) dx[dxOff + i] = derivative(fn, p, q, s[sOff + i]) * g[gOff + i];
    }

    /** fn' expressed through the saved value s (output or input, per {@link UnaryFn#backwardFromOutput}). */
    private static float derivative(UnaryFn fn, float p, float q, float s) {
        switch (fn) {
            case EXP: return s;
            case LOG: return 1f / s;
            case SQRT: return 0.5f / s;
            case SQUARE: return 2f * s;
            case TANH: return 1f - s * s;
            case SIGMOID: return s * (1f - s);
            case RELU: return s > 0f ? 1f : 0f;
            case GELU: return ScalarMath.geluGrad(s);
            case GELU_ERF: return ScalarMath.geluErfGrad(s);
            case SILU: return ScalarMath.siluGrad(s);
            case CLAMP: return s >= p && s <= q ? 1f : 0f;
            default: throw new IllegalArgumentException("unaryBackward: no derivative kernel for " + fn);
        }
    }

    @Override
    public void binary(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            float x = a[aOff + i * aStride];
            float y = b[bOff + i * bStride];
            out[outOff + i] = apply(fn, x, y);
        }
    }

    static float apply(BinaryFn fn, float x, float y) {
        switch (fn) {
            case ADD: return x + y;
            case SUB: return x - y;
            case MUL: return x * y;
            case DIV: return x / y;
            default: throw new AssertionError(fn);
        }
    }

    @Override
    public void where(float[] c, int cOff, int cStride, float[] a, int aOff, int aStride,
                      float[] b, int bOff, int bStride, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = c[cOff + i * cStride] != 0f ? a[aOff + i * aStride] : b[bOff + i * bStride];
        }
    }

    @Override
    public double sum(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[off + i];
        return s;
    }

    @Override
    public void accumulate(float[] dst, int dOff, float[] src, int sOff, int n) {
        for (int i = 0; i < n; i++) dst[dOff + i] += src[sOff + i];
    }

    @Override
    public int argMax(float[] x, int off, int n) {
        int best = 0;
        float m = x[off];
        for (int i = 1; i < n && m == m; i++) {
            float v = x[off + i];
            if (v > m || v != v) {
                m = v;
                best = i;
            }
        }
        return best;
    }
}
