package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.RowKernels;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Fused log-softmax + negative log-likelihood. Saves only each row's log-sum-exp (two floats
 * per row), not the [n, classes] probabilities: backward recomputes them from the logits.
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * Mean over the targets that are not {@code ignoreIndex} of
     * {@code logSumExp(logits[i]) - logits[i, targets[i]]}, as a rank-0 tensor. When every
     * target is ignored the loss is 0 and the gradient is zero.
     *
     * @param logits  {@code [n, classes]}
     * @param targets n class indices in {@code [0, classes)} or {@code ignoreIndex}
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) {
        final String op = "crossEntropy";
        Graph.checkAlive(op, logits);
        if (logits.dim() != 2) {
            throw new IllegalArgumentException("op '" + op + "': logits must be [n, classes], got " + Shapes.str(logits.shape()));
        }
        int n = logits.size(0);
        int classes = logits.size(1);
        if (targets.length != n) {
            throw new IllegalArgumentException("op '" + op + "': " + targets.length + " targets for logits "
                    + Shapes.str(logits.shape()) + " (expected " + n + ")");
        }
        int counted = 0;
        for (int i = 0; i < n; i++) {
            int t = targets[i];
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= classes) {
                throw new IndexOutOfBoundsException("op '" + op + "': target " + t + " at position " + i
                        + " is out of range for " + classes + " classes (logits " + Shapes.str(logits.shape())
                        + ", ignoreIndex " + ignoreIndex + ")");
            }
            counted++;
        }
        int[] tg = targets.clone();
        Tensor xc = OpInputs.contiguousNoGrad(logits);
        float[] xd = xc.data();
        int xo = xc.offset();
        float[] lse = new float[2 * n]; // per row: max, log(sum(exp(x - max)))
        double[] rowLoss = new double[n];
        WorkerPool.global().parallelFor(n, 8L * classes, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (tg[r] == ignoreIndex) continue;
                int row = xo + r * classes;
                RowKernels.logSumExpRow(xd, row, classes, lse, 2 * r);
                rowLoss[r] = ((double) lse[2 * r] - xd[row + tg[r]]) + lse[2 * r + 1];
            }
        });
        double total = 0;
        for (double v : rowLoss) total += v;
        int count = counted;
        Tensor out = Tensor.scalar(count == 0 ? 0f : (float) (total / count));
        return Graph.record(op, out, (grad, needs) -> {
            if (count == 0) return new Tensor[] {Tensor.zeros(n, classes)};
            Tensor dx = Tensor.empty(n, classes);
            float scale = grad.item() / count;
            float[] dd = dx.data();
            WorkerPool.global().parallelFor(n, 4L * classes, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int row = r * classes;
                    if (tg[r] == ignoreIndex) {
                        java.util.Arrays.fill(dd, row, row + classes, 0f);
                        continue;
                    }
                    RowKernels.expShiftScaleRow(xd, xo + row, lse[2 * r], lse[2 * r + 1], scale, dd, row, classes);
                    dd[row + tg[r]] -= scale;
                }
            });
            return new Tensor[] {dx};
        }, logits);
    }
}
