package org.intervene4j.train;

import org.intervene4j.engine.kernel.KernelConfig;

/**
 * Element-wise optimizer updates on raw float arrays, each with a vectorized kernel and a
 * scalar reference twin (picked by {@link KernelConfig#vectorized()}; the vector kernels live in
 * {@link VectorUpdateKernels} so this class loads without the Vector API module). All arrays are
 * contiguous runs of {@code n} values starting at the given offsets; state arrays start at 0.
 */
final class UpdateKernels {
    private UpdateKernels() {}

    /**
     * SGD with L2 weight decay and optional (Nesterov) momentum:
     * {@code g = grad + wd p; buf = first ? g : mu buf + g; g = nesterov ? g + mu buf : buf; p -= lr g}.
     * {@code buf} is null when {@code mu == 0}.
     */
    static void sgd(float[] p, int po, float[] grad, int go, float[] buf, int n,
                    float lr, float wd, float mu, boolean nesterov, boolean first) {
        if (KernelConfig.vectorized()) {
            VectorUpdateKernels.sgd(p, po, grad, go, buf, n, lr, wd, mu, nesterov, first);
        } else {
            sgdScalar(p, po, grad, go, buf, 0, n, lr, wd, mu, nesterov, first);
        }
    }

    static void sgdScalar(float[] p, int po, float[] grad, int go, float[] buf, int from, int n,
                          float lr, float wd, float mu, boolean nesterov, boolean first) {
        for (int i = from; i < n; i++) {
            float g = grad[go + i] + wd * p[po + i];
            if (buf != null) {
                float b = first ? g : mu * buf[i] + g;
                buf[i] = b;
                g = nesterov ? g + mu * b : b;
            }
            p[po + i] -= lr * g;
        }
    }

    /**
     * One Adam(W) update: {@code p *= decay} (decoupled decay; 1 for none), {@code g = grad + l2 p},
     * {@code m = b1 m + c1 g}, {@code v = b2 v + c2 g^2} with c1 = 1 - b1 and c2 = 1 - b2 rounded from
     * float64 (1 - 0.999f in float would be off by 1e-5 relative),
     * {@code p -= stepSize m / (sqrt(v) * invSqrtBc2 + eps)} where stepSize = lr / (1 - b1^t) and
     * invSqrtBc2 = 1 / sqrt(1 - b2^t) carry the bias correction.
     */
    static void adam(float[] p, int po, float[] grad, int go, float[] m, float[] v, int n,
                     float decay, float l2, float b1, float c1, float b2, float c2, float stepSize,
                     float invSqrtBc2, float eps) {
        if (KernelConfig.vectorized()) {
            VectorUpdateKernels.adam(p, po, grad, go, m, v, n, decay, l2, b1, c1, b2, c2, stepSize, invSqrtBc2, eps);
        } else {
            adamScalar(p, po, grad, go, m, v, 0, n, decay, l2, b1, c1, b2, c2, stepSize, invSqrtBc2, eps);
        }
    }

    static void adamScalar(float[] p, int po, float[] grad, int go, float[] m, float[] v, int from, int n,
                           float decay, float l2, float b1, float c1, float b2, float c2, float stepSize,
                     float invSqrtBc2, float eps) {
        for (int i = from; i < n; i++) {
            float w = p[po + i];
            float g = grad[go + i] + l2 * w;
            float mi = b1 * m[i] + c1 * g;
            float vi = b2 * v[i] + g * g * c2;
            m[i] = mi;
            v[i] = vi;
            p[po + i] = w * decay - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + eps);
        }
    }
}
