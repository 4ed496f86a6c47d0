package org.intervene4j.engine.kernel;

/** Scalar reference twins of {@link RowKernelsVector}; sums accumulate in double. */
final class RowKernelsScalar {
    private RowKernelsScalar() {}

    static float max(float[] x, int xo, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    static void softmaxRow(float[] x, int xo, float[] y, int yo, int n) {
        float m = max(x, xo, n);
        if (m == Float.NEGATIVE_INFINITY) {
            for (int i = 0; i < n; i++) y[yo + i] = 0f;
            return;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[xo + i] - m);
            y[yo + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) y[yo + i] *= inv;
    }

    static void logSumExpRow(float[] x, int xo, int n, float[] out, int at) {
        float m = max(x, xo, n);
        out[at] = m;
        out[at + 1] = (float) Math.log(sumExpShifted(x, xo, n, m));
    }

    /** {@code sum(exp(x - m))}, 0 when m is -infinity (an empty or all -infinity row). */
    private static double sumExpShifted(float[] x, int xo, int n, float m) {
        if (m == Float.NEGATIVE_INFINITY) return 0;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (float) Math.exp(x[xo + i] - m);
        return sum;
    }

    static void logSoftmaxRow(float[] x, int xo, float[] y, int yo, int n) {
        float m = max(x, xo, n);
        float ls = (float) Math.log(sumExpShifted(x, xo, n, m));
        for (int i = 0; i < n; i++) y[yo + i] = (x[xo + i] - m) - ls;
    }

    static void expShiftScaleRow(float[] x, int xo, float shift1, float shift2, float scale, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = scale * (float) Math.exp((x[xo + i] - shift1) - shift2);
    }

    static void softmaxBackwardRow(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double) y[yo + i] * dy[dyo + i];
        float d = (float) dot;
        for (int i = 0; i < n; i++) dx[dxo + i] = y[yo + i] * (dy[dyo + i] - d);
    }

    static void logSoftmaxBackwardRow(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += dy[dyo + i];
        float s = (float) sum;
        for (int i = 0; i < n; i++) dx[dxo + i] = dy[dyo + i] - (float) Math.exp(y[yo + i]) * s;
    }

    static void layerNormRow(float[] x, int xo, float[] y, int yo, int n, float[] gamma, float[] beta,
                             float eps, float[] mean, float[] rstd, int row) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[xo + i];
        float mu = (float) (sum / n);
        double s1 = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            float c = x[xo + i] - mu;
            s1 += c;
            sq += (double) c * c;
        }
        float shift = (float) (s1 / n); // what rounding mu to float left out of the centering
        float r = (float) (1.0 / Math.sqrt(Math.max(0.0, sq / n - (double) shift * shift) + eps));
        mean[row] = mu;
        rstd[row] = r;
        for (int i = 0; i < n; i++) {
            float v = ((x[xo + i] - mu) - shift) * r;
            if (gamma != null) v *= gamma[i];
            if (beta != null) v += beta[i];
            y[yo + i] = v;
        }
    }

    static void layerNormBackwardRow(float[] x, int xo, float[] dy, int dyo, int n, float[] gamma,
                                     float mean, float rstd, float[] dx, int dxo, float[] dgamma, float[] dbeta) {
        double sumX = 0;
        double sumG = 0;
        double sumGX = 0;
        for (int i = 0; i < n; i++) {
            float xhat = (x[xo + i] - mean) * rstd;
            float g = gamma == null ? dy[dyo + i] : dy[dyo + i] * gamma[i];
            sumX += xhat;
            sumG += g;
            sumGX += (double) g * xhat;
        }
        float shift = (float) (sumX / n); // centers xhat exactly as the forward did
        float meanG = (float) (sumG / n);
        float meanGX = (float) ((sumGX - shift * sumG) / n);
        for (int i = 0; i < n; i++) {
            float xhat = (x[xo + i] - mean) * rstd - shift;
            float d = dy[dyo + i];
            if (dgamma != null) dgamma[i] += d * xhat;
            if (dbeta != null) dbeta[i] += d;
            if (dx != null) {
                float g = gamma == null ? d : d * gamma[i];
                dx[dxo + i] = rstd * (g - meanG - xhat * meanGX);
            }
        }
    }

    static void rmsNormRow(float[] x, int xo, float[] y, int yo, int n, float[] gamma, float eps,
                           float[] rstd, int row) {
        double sq = 0;
        for (int i = 0; i < n; i++) sq += (double) x[xo + i] * x[xo + i];
        float r = (float) (1.0 / Math.sqrt(sq / n + eps));
        rstd[row] = r;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i] * r;
            y[yo + i] = gamma == null ? v : v * gamma[i];
        }
    }

    static void rmsNormBackwardRow(float[] x, int xo, float[] dy, int dyo, int n, float[] gamma,
                                   float rstd, float[] dx, int dxo, float[] dgamma) {
        double sumGX = 0;
        for (int i = 0; i < n; i++) {
            float xhat = x[xo + i] * rstd;
            float d = dy[dyo + i];
            float g = gamma == null ? d : d * gamma[i];
            sumGX += (double) g * xhat;
            if (dgamma != null) dgamma[i] += d * xhat;
        }
        if (dx == null) return;
        float meanGX = (float) (sumGX / n);
        for (int i = 0; i < n; i++) {
            float xhat = x[xo + i] * rstd;
            float g = gamma == null ? dy[dyo + i] : dy[dyo + i] * gamma[i];
            dx[dxo + i] = rstd * (g - xhat * meanGX);
        }
    }
}
