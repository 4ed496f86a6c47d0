package org.intervene4j.bench;

/**
 * The benchmark stack's forward pass written out in float64 loops, straight from the
 * definition (no views, no batching tricks), to check both the libtorch and our implementation.
 */
final class ReferenceStack {
    private ReferenceStack() {}

    /** The output residual stream {@code [batch * seq * d]} for the weights' input. */
    static double[] forward(StackWeights w) {
        StackConfig c = w.config;
        int n = c.batch() * c.seq();
        int d = c.dModel();
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) x[i] = w.input[i];
        for (int l = 0; l < c.layers(); l++) {
            StackWeights.Block b = w.blocks[l];
            double[] h = layerNorm(x, n, d, b.ln1Gamma, b.ln1Beta, c.eps());
            double[] qkv = linear(h, n, d, b.wQkv, b.bQkv, 3 * d);
            double[] ctx = attention(qkv, c);
            addInto(x, linear(ctx, n, d, b.wOut, b.bOut, d));
            h = layerNorm(x, n, d, b.ln2Gamma, b.ln2Beta, c.eps());
            double[] up = linear(h, n, d, b.wFc, b.bFc, c.dMlp());
            for (int i = 0; i < up.length; i++) up[i] = geluTanh(up[i]);
            addInto(x, linear(up, n, c.dMlp(), b.wProj, b.bProj, d));
            if (l + 1 == c.interventionAfter()) x = timesT(x, n, d, w.t);
        }
        return x;
    }

    /** Row-wise layer norm of {@code x [n, d]} with biased variance, then affine. */
    static double[] layerNorm(double[] x, int n, int d, float[] gamma, float[] beta, double eps) {
        double[] y = new double[n * d];
        for (int r = 0; r < n; r++) {
            double mean = 0;
            for (int j = 0; j < d; j++) mean += x[r * d + j];
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) var += (x[r * d + j] - mean) * (x[r * d + j] - mean);
            var /= d;
            double inv = 1 / Math.sqrt(var + eps);
            for (int j = 0; j < d; j++) y[r * d + j] = (x[r * d + j] - mean) * inv * gamma[j] + beta[j];
        }
        return y;
    }

    /** {@code x [n, in] @ w^T + b} with {@code w [out, in]}. */
    static double[] linear(double[] x, int n, int in, float[] w, float[] b, int out) {
        double[] y = new double[n * out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
                y[r * out + o] = s;
            }
        }
        return y;
    }

    /** Causal multi-head attention over {@code qkv [batch, seq, 3d]} (q, k, v; head-major inside each). */
    static double[] attention(double[] qkv, StackConfig c) {
        int s = c.seq(), d = c.dModel(), hd = c.headDim();
        double[] ctx = new double[c.batch() * s * d];
        double scale = 1 / Math.sqrt(hd);
        for (int b = 0; b < c.batch(); b++) {
            for (int h = 0; h < c.heads(); h++) {
                for (int i = 0; i < s; i++) {
                    double[] p = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int e = 0; e < hd; e++) {
                            dot += qkv[(b * s + i) * 3 * d + h * hd + e] * qkv[(b * s + j) * 3 * d + d + h * hd + e];
                        }
                        p[j] = dot * scale;
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) sum += p[j] = Math.exp(p[j] - max);
                    for (int e = 0; e < hd; e++) {
                        double v = 0;
                        for (int j = 0; j <= i; j++) v += p[j] / sum * qkv[(b * s + j) * 3 * d + 2 * d + h * hd + e];
                        ctx[(b * s + i) * d + h * hd + e] = v;
                    }
                }
            }
        }
        return ctx;
    }

    /** GPT-2's tanh approximation of GELU. */
    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** {@code x [n, d] @ t [d, d]}. */
    static double[] timesT(double[] x, int n, int d, float[] t) {
        double[] y = new double[n * d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int i = 0; i < d; i++) s += x[r * d + i] * t[i * d + j];
                y[r * d + j] = s;
            }
        }
        return y;
    }

    private static void addInto(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }
}
