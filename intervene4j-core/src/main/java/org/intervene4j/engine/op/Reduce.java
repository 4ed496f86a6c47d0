package org.intervene4j.engine.op;

import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.ElementwiseKernels;
import org.intervene4j.engine.kernel.UnaryFn;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Reductions: sum and mean (of everything or over one dimension) and max over one dimension.
 * A dimension reduction views the contiguous input as {@code [outer, d, inner]}: with
 * inner = 1 each output is a row reduction, otherwise rows of length inner are accumulated.
 * Sums are accumulated in float vector lanes over short blocks and combined in double.
 */
public final class Reduce {
    /** Column block of a reduction with inner > 1 (one parallel task). */
    private static final int COLUMN_BLOCK = 4096;

    private Reduce() {}

    /** Sum of all elements, as a rank-0 tensor. */
    public static Tensor sum(Tensor x) {
        return total("sum", x, false);
    }

    /** Mean of all elements, as a rank-0 tensor (NaN for an empty tensor). */
    public static Tensor mean(Tensor x) {
        return total("mean", x, true);
    }

    /** Sum over {@code dim}; keeps it as size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        return alongDim("sum", x, dim, keepDim, false);
    }

    /** Mean over {@code dim}; keeps it as size 1 when {@code keepDim}. */
    public static Tensor mean(Tensor x, int dim, boolean keepDim) {
        return alongDim("mean", x, dim, keepDim, true);
    }

    /**
     * Maximum over {@code dim}; the gradient flows to the first arg-max of each slice (NaN
     * counts as the maximum, so a slice with a NaN yields NaN).
     */
    public static Tensor max(Tensor x, int dim, boolean keepDim) {
        Graph.checkAlive("max", x);
        int[] shape = x.shape();
        int d = Shapes.dim("max", dim, shape.length);
        if (shape[d] == 0) {
            throw new IllegalArgumentException("op 'max': cannot take the maximum over empty dimension " + d
                    + " of shape " + Shapes.str(shape));
        }
        Tensor xc = dense(x);
        int outer = prod(shape, 0, d);
        int len = shape[d];
        int inner = prod(shape, d + 1, shape.length);
        Tensor out = Tensor.empty(reducedShape(shape, d, keepDim));
        int[] arg = new int[outer * inner]; // index along dim of each output's maximum
        float[] xd = xc.data();
        int xo = xc.offset();
        float[] od = out.data();
        ElementwiseKernels k = ElementwiseKernels.get();
        WorkerPool.global().parallelFor(outer, (long) len * inner, (from, to) -> {
            for (int o = from; o < to; o++) {
                int base = xo + o * len * inner;
                if (inner == 1) {
                    int a = k.argMax(xd, base, len);
                    arg[o] = a;
                    od[o] = xd[base + a];
                    continue;
                }
                // Column-wise: walk the slices in memory order, keep the first maximum per column.
                int ob = o * inner;
                System.arraycopy(xd, base, od, ob, inner);
                java.util.Arrays.fill(arg, ob, ob + inner, 0);
                for (int j = 1; j < len; j++) {
                    int row = base + j * inner;
                    for (int i = 0; i < inner; i++) {
                        float v = xd[row + i];
                        float m = od[ob + i];
                        if (v > m || (v != v && m == m)) {
                            od[ob + i] = v;
                            arg[ob + i] = j;
                        }
                    }
                }
            }
        });
        return Graph.record("max", out, (g, needs) -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.data();
            int go = gc.offset();
            Tensor dx = Tensor.zeros(shape);
            float[] dd = dx.data();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int j = o * inner + i;
                    dd[(o * len + arg[j]) * inner + i] = gd[go + j];
                }
            }
            return new Tensor[] {dx};
        }, x);
    }

    // ------------------------------------------------------------------ implementation

    private static Tensor total(String op, Tensor x, boolean mean) {
        Graph.checkAlive(op, x);
        Tensor xc = dense(x);
        int n = xc.numel();
        float[] xd = xc.data();
        int xo = xc.offset();
        ElementwiseKernels k = ElementwiseKernels.get();
        int chunks = Math.max(1, (n + 65_535) / 65_536);
        double[] partial = new double[chunks];
        WorkerPool.global().parallelFor(chunks, 65_536, (from, to) -> {
            for (int c = from; c < to; c++) {
                int start = c * 65_536;
                partial[c] = k.sum(xd, xo + start, Math.min(65_536, n - start));
            }
        });
        double s = 0;
        for (double p : partial) s += p;
        Tensor out = Tensor.zeros();
        out.data()[out.offset()] = (float) (mean ? s / n : s);
        int[] shape = x.shape();
        float factor = mean ? 1f / n : 1f;
        return Graph.record(op, out, (g, needs) -> new Tensor[] {Tensor.full(g.item() * factor, shape)}, x);
    }

    private static Tensor alongDim(String op, Tensor x, int dim, boolean keepDim, boolean mean) {
        Graph.checkAlive(op, x);
        int[] shape = x.shape();
        int d = Shapes.dim(op, dim, shape.length);
        Tensor xc = dense(x);
        int outer = prod(shape, 0, d);
        int len = shape[d];
        int inner = prod(shape, d + 1, shape.length);
        float factor = mean ? 1f / len : 1f;
        Tensor out = Tensor.empty(reducedShape(shape, d, keepDim));
        float[] xd = xc.data();
        int xo = xc.offset();
        float[] od = out.data();
        ElementwiseKernels k = ElementwiseKernels.get();
        if (inner == 1) {
            WorkerPool.global().parallelFor(outer, len, (from, to) -> {
                for (int o = from; o < to; o++) od[o] = (float) (k.sum(xd, xo + o * len, len) * factor);
            });
        } else {
            // Tasks are (outer index, column block) pairs, so a reduction over dim 0 of a wide
            // matrix still spreads over the workers.
            int blocks = (inner + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
            WorkerPool.global().parallelFor(outer * blocks, (long) len * Math.min(inner, COLUMN_BLOCK), (from, to) -> {
                for (int t = from; t < to; t++) {
                    int o = t / blocks;
                    int c0 = (t - o * blocks) * COLUMN_BLOCK;
                    int w = Math.min(COLUMN_BLOCK, inner - c0);
                    int ob = o * inner + c0;
                    int base = xo + o * len * inner + c0;
                    java.util.Arrays.fill(od, ob, ob + w, 0f);
                    for (int j = 0; j < len; j++) k.accumulate(od, ob, xd, base + j * inner, w);
                    if (mean) k.unary(UnaryFn.SCALE, factor, 0f, od, ob, od, ob, w);
                }
            });
        }
        return Graph.record(op, out, (g, needs) -> new Tensor[] {spread(g, shape, outer, len, inner, factor)}, x);
    }

    /** The gradient of a reduction over the middle of {@code [outer, len, inner]}: g repeated along it, times factor. */
    private static Tensor spread(Tensor g, int[] shape, int outer, int len, int inner, float factor) {
        Tensor gc = g.contiguous();
        if (factor != 1f) gc = Unary.scale(gc, factor);
        float[] gd = gc.data();
        int go = gc.offset();
        Tensor dx = Tensor.empty(shape);
        float[] dd = dx.data();
        WorkerPool.global().parallelFor(outer, (long) len * inner, (from, to) -> {
            for (int o = from; o < to; o++) {
                for (int j = 0; j < len; j++) {
                    int dst = (o * len + j) * inner;
                    if (inner == 1) {
                        dd[dst] = gd[go + o];
                    } else {
                        System.arraycopy(gd, go + o * inner, dd, dst, inner);
                    }
                }
            }
        });
        return dx;
    }

    /** x itself when contiguous, else a contiguous copy made without recording a graph node. */
    private static Tensor dense(Tensor x) {
        if (x.isContiguous()) return x;
        try (GradMode off = GradMode.off()) {
            return x.contiguous();
        }
    }

    private static int[] reducedShape(int[] shape, int d, boolean keepDim) {
        if (keepDim) {
            int[] s = shape.clone();
            s[d] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) s[j++] = shape[i];
        return s;
    }

    private static int prod(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }
}
