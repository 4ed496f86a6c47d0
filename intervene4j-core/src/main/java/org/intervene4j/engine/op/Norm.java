package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.RowKernels;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Layer norm and RMS norm over the last dimension, fused: forward saves per-row statistics
 * (mean and 1/std) and backward computes dx, dgamma and dbeta in one pass over the rows.
 */
public final class Norm {
    private Norm() {}

    /**
     * Rows of gradient partial sums for gamma/beta: a fixed count (independent of the thread
     * count) so the summation order, and hence the result, is the same on every machine.
     */
    private static final int PARAM_GRAD_BLOCKS = 32;

    /**
     * {@code (x - mean) / sqrt(var + eps) * gamma + beta} per row of {@code x [..., d]};
     * {@code gamma, beta [d]} may each be null (no scale / no shift).
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        final String op = "layerNorm";
        Graph.checkAlive(op, x, gamma, beta);
        int d = lastDim(op, x);
        checkParam(op, "gamma", gamma, d, x);
        checkParam(op, "beta", beta, d, x);
        int rows = d == 0 ? 0 : x.numel() / d;
        Tensor xc = OpInputs.contiguousNoGrad(x);
        float[] xd = xc.data();
        int xo = xc.offset();
        float[] gd = gamma == null ? null : gamma.toFloatArray();
        float[] bd = beta == null ? null : beta.toFloatArray();
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        Tensor out = Tensor.empty(x.shape());
        float[] yd = out.data();
        WorkerPool.global().parallelFor(rows, 4L * d, (from, to) -> {
            for (int r = from; r < to; r++) {
                RowKernels.layerNormRow(xd, xo + r * d, yd, r * d, d, gd, bd, eps, mean, rstd, r);
            }
        });
        return Graph.record(op, out, (grad, needs) -> {
            Tensor g = grad.contiguous();
            float[] dyd = g.data();
            int dyo = g.offset();
            Tensor dx = needs[0] ? Tensor.empty(x.shape()) : null;
            float[] dxd = dx == null ? null : dx.data();
            boolean wantGamma = needs[1];
            boolean wantBeta = needs[2];
            float[][] parts = paramGradBlocks(rows, d, wantGamma, wantBeta, (r, dgamma, dbeta) ->
                    RowKernels.layerNormBackwardRow(xd, xo + r * d, dyd, dyo + r * d, d, gd, mean[r], rstd[r],
                            dxd, r * d, dgamma, dbeta));
            return new Tensor[] {dx, vector(parts[0], d), vector(parts[1], d)};
        }, x, gamma, beta);
    }

    /** {@code x / sqrt(mean(x^2) + eps) * gamma} per row of {@code x [..., d]}; {@code gamma [d]} may be null. */
    public static Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
        final String op = "rmsNorm";
        Graph.checkAlive(op, x, gamma);
        int d = lastDim(op, x);
        checkParam(op, "gamma", gamma, d, x);
        int rows = d == 0 ? 0 : x.numel() / d;
        Tensor xc = OpInputs.contiguousNoGrad(x);
        float[] xd = xc.data();
        int xo = xc.offset();
        float[] gd = gamma == null ? null : gamma.toFloatArray();
        float[] rstd = new float[rows];
        Tensor out = Tensor.empty(x.shape());
        float[] yd = out.data();
        WorkerPool.global().parallelFor(rows, 3L * d, (from, to) -> {
            for (int r = from; r < to; r++) {
                RowKernels.rmsNormRow(xd, xo + r * d, yd, r * d, d, gd, eps, rstd, r);
            }
        });
        return Graph.record(op, out, (grad, needs) -> {
            Tensor g = grad.contiguous();
            float[] dyd = g.data();
            int dyo = g.offset();
            Tensor dx = needs[0] ? Tensor.empty(x.shape()) : null;
            float[] dxd = dx == null ? null : dx.data();
            float[][] parts = paramGradBlocks(rows, d, needs[1], false, (r, dgamma, dbeta) ->
                    RowKernels.rmsNormBackwardRow(xd, xo + r * d, dyd, dyo + r * d, d, gd, rstd[r], dxd, r * d, dgamma));
            return new Tensor[] {dx, vector(parts[0], d)};
        }, x, gamma);
    }

    /** The backward of one row, adding into the block's gamma/beta accumulators (either may be null). */
    @FunctionalInterface
    private interface RowBackward {
        void run(int row, float[] dgamma, float[] dbeta);
    }

    /**
     * Runs {@code body} over all rows in parallel blocks, each block with its own gamma/beta
     * accumulators, then sums the blocks in a fixed order. Returns {dgamma, dbeta} (null where
     * not wanted).
     */
    private static float[][] paramGradBlocks(int rows, int d, boolean wantGamma, boolean wantBeta, RowBackward body) {
        int blocks = Math.max(1, Math.min(rows, PARAM_GRAD_BLOCKS));
        float[][] dg = wantGamma ? new float[blocks][d] : null;
        float[][] db = wantBeta ? new float[blocks][d] : null;
        WorkerPool.global().parallelFor(blocks, (long) (rows / blocks + 1) * 6L * d, (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int r0 = (int) ((long) rows * blk / blocks);
                int r1 = (int) ((long) rows * (blk + 1) / blocks);
                float[] g = dg == null ? null : dg[blk];
                float[] b = db == null ? null : db[blk];
                for (int r = r0; r < r1; r++) body.run(r, g, b);
            }
        });
        return new float[][] {sumBlocks(dg, d), sumBlocks(db, d)};
    }

    private static float[] sumBlocks(float[][] parts, int d) {
        if (parts == null) return null;
        float[] out = parts[0];
        for (int b = 1; b < parts.length; b++) {
            float[] p = parts[b];
            for (int i = 0; i < d; i++) out[i] += p[i];
        }
        return out;
    }

    private static Tensor vector(float[] values, int d) {
        return values == null ? null : Tensor.of(values, d);
    }

    private static int lastDim(String op, Tensor x) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException("op '" + op + "': needs at least one dimension, got a scalar");
        }
        return x.size(-1);
    }

    private static void checkParam(String op, String name, Tensor p, int d, Tensor x) {
        if (p != null && !(p.dim() == 1 && p.size(0) == d)) {
            throw new IllegalArgumentException("op '" + op + "': " + name + " must be [" + d + "] (the last dimension of x "
                    + Shapes.str(x.shape()) + "), got " + Shapes.str(p.shape()));
        }
    }
}
