package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.RowKernels;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Softmax, fused masked softmax for attention, and log-softmax, all over the last dimension.
 * Each saves only its output for backward.
 */
public final class Softmax {
    private Softmax() {}

    /** Softmax over the last dimension of {@code x [..., n]}. */
    public static Tensor softmax(Tensor x) {
        return rowwise("softmax", x, false);
    }

    /** Log-softmax over the last dimension of {@code x [..., n]}. */
    public static Tensor logSoftmax(Tensor x) {
        return rowwise("logSoftmax", x, true);
    }

    private static Tensor rowwise(String op, Tensor x, boolean log) {
        Graph.checkAlive(op, x);
        if (x.dim() == 0) {
            throw new IllegalArgumentException("op '" + op + "': needs at least one dimension, got a scalar");
        }
        int n = x.size(-1);
        int rows = n == 0 ? 0 : x.numel() / n;
        Tensor xc = OpInputs.contiguousNoGrad(x);
        float[] xd = xc.data();
        int xo = xc.offset();
        Tensor out = Tensor.empty(x.shape());
        float[] yd = out.data();
        WorkerPool.global().parallelFor(rows, 8L * n, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (log) RowKernels.logSoftmaxRow(xd, xo + r * n, yd, r * n, n);
                else RowKernels.softmaxRow(xd, xo + r * n, yd, r * n, n);
            }
        });
        return Graph.record(op, out, (grad, needs) -> new Tensor[] {backward(out, grad, log)}, x);
    }

    /**
     * Softmax of attention scores {@code [batch, heads, q, k]} with causal and key-padding masks
     * applied inside the kernel. Query i sees key j when {@code j <= i + (k - q)} (if causal)
     * and {@code keyMask[b, j] != 0} (if keyMask is given); hidden keys get probability 0 and a
     * query that sees no key gets an all-zero row. keyMask gets no gradient.
     */
    public static Tensor maskedSoftmax(Tensor scores, boolean causal, Tensor keyMask) {
        final String op = "maskedSoftmax";
        Graph.checkAlive(op, scores, keyMask);
        if (scores.dim() != 4) {
            throw new IllegalArgumentException("op '" + op + "': scores must be [batch, heads, q, k], got "
                    + Shapes.str(scores.shape()));
        }
        int batch = scores.size(0);
        int heads = scores.size(1);
        int q = scores.size(2);
        int k = scores.size(3);
        if (keyMask != null && !(keyMask.dim() == 2 && keyMask.size(0) == batch && keyMask.size(1) == k)) {
            throw new IllegalArgumentException("op '" + op + "': keyMask must be [batch, k] = [" + batch + ", " + k
                    + "] for scores " + Shapes.str(scores.shape()) + ", got " + Shapes.str(keyMask.shape()));
        }
        boolean[] attend = null;
        if (keyMask != null) {
            float[] m = keyMask.toFloatArray();
            attend = new boolean[m.length];
            for (int i = 0; i < m.length; i++) attend[i] = m[i] != 0f;
        }
        boolean[] visibleKeys = attend;
        Tensor xc = OpInputs.contiguousNoGrad(scores);
        float[] xd = xc.data();
        int xo = xc.offset();
        Tensor out = Tensor.empty(scores.shape());
        float[] yd = out.data();
        int rows = batch * heads * q;
        WorkerPool.global().parallelFor(rows, 8L * k, (from, to) -> {
            for (int r = from; r < to; r++) {
                int i = r % q;
                int b = r / (heads * q);
                // keys [0, limit) pass the causal mask; the rest of the row is zero
                int limit = causal ? Math.max(0, Math.min(k, i + (k - q) + 1)) : k;
                int src = xo + r * k;
                int dst = r * k;
                if (visibleKeys == null) {
                    RowKernels.softmaxRow(xd, src, yd, dst, limit);
                } else {
                    int maskRow = b * k;
                    for (int j = 0; j < limit; j++) {
                        yd[dst + j] = visibleKeys[maskRow + j] ? xd[src + j] : Float.NEGATIVE_INFINITY;
                    }
                    RowKernels.softmaxRow(yd, dst, yd, dst, limit);
                }
                java.util.Arrays.fill(yd, dst + limit, dst + k, 0f);
            }
        });
        return Graph.record(op, out, (grad, needs) -> new Tensor[] {backward(out, grad, false)}, scores);
    }

    /** dx from the saved output y and the output's gradient. */
    private static Tensor backward(Tensor y, Tensor grad, boolean log) {
        int n = y.size(-1);
        int rows = n == 0 ? 0 : y.numel() / n;
        Tensor g = grad.contiguous();
        float[] gd = g.data();
        int go = g.offset();
        float[] yd = y.data();
        Tensor dx = Tensor.empty(y.shape());
        float[] dd = dx.data();
        WorkerPool.global().parallelFor(rows, 4L * n, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (log) RowKernels.logSoftmaxBackwardRow(yd, r * n, gd, go + r * n, dd, r * n, n);
                else RowKernels.softmaxBackwardRow(yd, r * n, gd, go + r * n, dd, r * n, n);
            }
        });
        return dx;
    }
}
