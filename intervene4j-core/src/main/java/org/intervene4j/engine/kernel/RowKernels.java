package org.intervene4j.engine.kernel;

/**
 * Kernels that work on one contiguous row at a time: softmax, log-softmax, log-sum-exp, layer
 * norm and RMS norm, forward and backward. Each call names a row by (array, offset) and its
 * length {@code n}; the op layer loops (in parallel) over rows. Dispatches to the vectorized
 * or the scalar reference implementation per {@link KernelConfig#vectorized()}.
 *
 * <p>Output rows may alias input rows of the same offset (the kernels read each element
 * before writing it), so {@code softmaxRow(y, o, y, o, n)} normalizes in place.
 */
public final class RowKernels {
    private RowKernels() {}

    /**
     * {@code y = softmax(x)} over n elements. Elements equal to -infinity get probability 0; a
     * row whose elements are all -infinity (or n == 0) becomes all zeros.
     */
    public static void softmaxRow(float[] x, int xo, float[] y, int yo, int n) {
        if (KernelConfig.vectorized()) RowKernelsVector.softmaxRow(x, xo, y, yo, n);
        else RowKernelsScalar.softmaxRow(x, xo, y, yo, n);
    }

    /** {@code y = x - logSumExp(x)} over n elements. */
    public static void logSoftmaxRow(float[] x, int xo, float[] y, int yo, int n) {
        if (KernelConfig.vectorized()) RowKernelsVector.logSoftmaxRow(x, xo, y, yo, n);
        else RowKernelsScalar.logSoftmaxRow(x, xo, y, yo, n);
    }

    /**
     * The log-sum-exp of a row in two parts, so callers can form {@code x - max - logSum}
     * without cancellation: writes {@code max(x)} to {@code out[at]} and
     * {@code log(sum(exp(x - max)))} to {@code out[at + 1]}.
     */
    public static void logSumExpRow(float[] x, int xo, int n, float[] out, int at) {
        if (KernelConfig.vectorized()) RowKernelsVector.logSumExpRow(x, xo, n, out, at);
        else RowKernelsScalar.logSumExpRow(x, xo, n, out, at);
    }

    /** {@code y = scale * exp(x - shift1 - shift2)} over n elements (softmax from a saved log-sum-exp). */
    public static void expShiftScaleRow(float[] x, int xo, float shift1, float shift2, float scale,
                                        float[] y, int yo, int n) {
        if (KernelConfig.vectorized()) RowKernelsVector.expShiftScaleRow(x, xo, shift1, shift2, scale, y, yo, n);
        else RowKernelsScalar.expShiftScaleRow(x, xo, shift1, shift2, scale, y, yo, n);
    }

    /** Softmax backward from the saved output y: {@code dx = y * (dy - sum(dy * y))}. */
    public static void softmaxBackwardRow(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        if (KernelConfig.vectorized()) RowKernelsVector.softmaxBackwardRow(y, yo, dy, dyo, dx, dxo, n);
        else RowKernelsScalar.softmaxBackwardRow(y, yo, dy, dyo, dx, dxo, n);
    }

    /** Log-softmax backward from the saved output y: {@code dx = dy - exp(y) * sum(dy)}. */
    public static void logSoftmaxBackwardRow(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        if (KernelConfig.vectorized()) RowKernelsVector.logSoftmaxBackwardRow(y, yo, dy, dyo, dx, dxo, n);
        else RowKernelsScalar.logSoftmaxBackwardRow(y, yo, dy, dyo, dx, dxo, n);
    }

    /**
     * Layer norm of one row: {@code y = (x - mean) * rstd * gamma + beta} (gamma, beta may be
     * null, meaning 1 and 0; both have length n from offset 0). Stores the row's mean (rounded
     * to float) and {@code rstd = 1 / sqrt(var + eps)} (biased variance) at
     * {@code mean[row], rstd[row]}. Centering is corrected for the float rounding of the mean
     * (the mean of {@code x - mean} is subtracted too), so rows whose spread is tiny next to
     * their mean still come out with mean 0; the backward applies the same correction.
     */
    public static void layerNormRow(float[] x, int xo, float[] y, int yo, int n, float[] gamma, float[] beta,
                                    float eps, float[] mean, float[] rstd, int row) {
        if (KernelConfig.vectorized()) RowKernelsVector.layerNormRow(x, xo, y, yo, n, gamma, beta, eps, mean, rstd, row);
        else RowKernelsScalar.layerNormRow(x, xo, y, yo, n, gamma, beta, eps, mean, rstd, row);
    }

    /**
     * Layer norm backward for one row, with {@code xhat = (x - mean) * rstd} (re-centered as in
     * the forward) and
     * {@code g = dy * gamma}: {@code dx = rstd * (g - mean(g) - xhat * mean(g * xhat))} when dx
     * is not null; {@code dgamma += dy * xhat} and {@code dbeta += dy} when those accumulators
     * (length n from offset 0) are not null.
     */
    public static void layerNormBackwardRow(float[] x, int xo, float[] dy, int dyo, int n, float[] gamma,
                                            float mean, float rstd, float[] dx, int dxo,
                                            float[] dgamma, float[] dbeta) {
        if (KernelConfig.vectorized()) {
            RowKernelsVector.layerNormBackwardRow(x, xo, dy, dyo, n, gamma, mean, rstd, dx, dxo, dgamma, dbeta);
        } else {
            RowKernelsScalar.layerNormBackwardRow(x, xo, dy, dyo, n, gamma, mean, rstd, dx, dxo, dgamma, dbeta);
        }
    }

    /**
     * RMS norm of one row: {@code y = x * rstd * gamma}, {@code rstd = 1 / sqrt(mean(x^2) + eps)}
     * (gamma may be null), storing {@code rstd[row]}.
     */
    public static void rmsNormRow(float[] x, int xo, float[] y, int yo, int n, float[] gamma, float eps,
                                  float[] rstd, int row) {
        if (KernelConfig.vectorized()) RowKernelsVector.rmsNormRow(x, xo, y, yo, n, gamma, eps, rstd, row);
        else RowKernelsScalar.rmsNormRow(x, xo, y, yo, n, gamma, eps, rstd, row);
    }

    /**
     * RMS norm backward for one row, with {@code xhat = x * rstd}, {@code g = dy * gamma}:
     * {@code dx = rstd * (g - xhat * mean(g * xhat))} when dx is not null, and
     * {@code dgamma += dy * xhat} when dgamma is not null.
     */
    public static void rmsNormBackwardRow(float[] x, int xo, float[] dy, int dyo, int n, float[] gamma,
                                          float rstd, float[] dx, int dxo, float[] dgamma) {
        if (KernelConfig.vectorized()) RowKernelsVector.rmsNormBackwardRow(x, xo, dy, dyo, n, gamma, rstd, dx, dxo, dgamma);
        else RowKernelsScalar.rmsNormBackwardRow(x, xo, dy, dyo, n, gamma, rstd, dx, dxo, dgamma);
    }
}
