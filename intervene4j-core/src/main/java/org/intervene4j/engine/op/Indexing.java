package org.intervene4j.engine.op;

import java.util.Arrays;
import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Gathers, scatters and joins. Along a dimension {@code dim}, a contiguous tensor is viewed as
 * {@code [outer, size, inner]} (outer = product of the dims before dim, inner = after), so
 * every op below moves whole runs of {@code inner} floats with array copies.
 */
public final class Indexing {
    private Indexing() {}

    /**
     * Rows {@code weight[ids[i]]}, shaped {@code [leading..., d]} ({@code [ids.length, d]} when
     * no leading shape is given). Backward adds each output row's gradient into its weight
     * row; repeated ids accumulate.
     *
     * @param weight {@code [vocab, d]}
     */
    public static Tensor embedding(Tensor weight, int[] ids, int... leading) {
        final String op = "embedding";
        Graph.checkAlive(op, weight);
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("op '" + op + "': weight must be [vocab, d], got " + Shapes.str(weight.shape()));
        }
        int vocab = weight.size(0);
        int d = weight.size(1);
        int[] lead = leading.length == 0 ? new int[] {ids.length} : leading.clone();
        if (Shapes.numel(lead) != ids.length) {
            throw new IllegalArgumentException("op '" + op + "': " + ids.length + " ids cannot have leading shape "
                    + Shapes.str(lead));
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("op '" + op + "': id " + ids[i] + " at position " + i
                        + " is out of range for dimension 0 of size " + vocab + " (weight " + Shapes.str(weight.shape()) + ")");
            }
        }
        int[] idx = ids.clone();
        int[] outShape = Arrays.copyOf(lead, lead.length + 1);
        outShape[lead.length] = d;
        Tensor out = Tensor.empty(outShape);
        float[] od = out.data();
        float[] wd = weight.data();
        int wo = weight.offset();
        int[] ws = weight.strides();
        WorkerPool.global().parallelFor(idx.length, d, (from, to) -> {
            for (int i = from; i < to; i++) {
                int src = wo + idx[i] * ws[0];
                if (ws[1] == 1) {
                    System.arraycopy(wd, src, od, i * d, d);
                } else {
                    for (int c = 0; c < d; c++) od[i * d + c] = wd[src + c * ws[1]];
                }
            }
        });
        return Graph.record(op, out, (grad, needs) -> {
            Tensor g = OpInputs.contiguousNoGrad(grad);
            return new Tensor[] {scatterAddRows(g.data(), g.offset(), idx, vocab, d)};
        }, weight);
    }

    /** {@code dw[ids[i]] += g[i]} into a fresh {@code [vocab, d]}; parallel over column blocks, so repeated ids never race. */
    private static Tensor scatterAddRows(float[] g, int go, int[] ids, int vocab, int d) {
        Tensor dw = Tensor.zeros(vocab, d);
        float[] dd = dw.data();
        int colBlock = 64;
        int blocks = (d + colBlock - 1) / colBlock;
        WorkerPool.global().parallelFor(blocks, (long) ids.length * colBlock, (from, to) -> {
            int c0 = from * colBlock;
            int c1 = Math.min(d, to * colBlock);
            for (int i = 0; i < ids.length; i++) {
                int src = go + i * d;
                int dst = ids[i] * d;
                for (int c = c0; c < c1; c++) dd[dst + c] += g[src + c];
            }
        });
        return dw;
    }

    /**
     * Slices {@code index[i]} of dimension {@code dim} of x, in order, as dimension dim of the
     * result (repeats allowed). Backward adds the gradient back into the selected slices.
     */
    public static Tensor indexSelect(Tensor x, int dim, int[] index) {
        final String op = "indexSelect";
        Graph.checkAlive(op, x);
        int d = Shapes.dim(op, dim, x.dim());
        int[] shape = x.shape();
        checkIndex(op, index, shape, d);
        int[] idx = index.clone();
        Layout lx = new Layout(shape, d);
        Tensor out = Tensor.empty(withDim(shape, d, idx.length));
        Tensor xc = OpInputs.contiguousNoGrad(x);
        gather(xc.data(), xc.offset(), lx, idx, out.data(), 0);
        return Graph.record(op, out, (grad, needs) -> {
            Tensor g = OpInputs.contiguousNoGrad(grad);
            Tensor dx = Tensor.zeros(shape);
            scatter(g.data(), g.offset(), lx, idx, dx.data(), true);
            return new Tensor[] {dx};
        }, x);
    }

    /**
     * A copy of x whose slices {@code index[i]} along dim are replaced by slice i of src
     * (out of place; indices must be distinct). Backward: x's gradient is zero at the replaced
     * slices; src's gradient is the output gradient gathered at index.
     *
     * @param src x's shape with dimension dim of size {@code index.length}
     */
    public static Tensor indexCopy(Tensor x, int dim, int[] index, Tensor src) {
        return scatterOp("indexCopy", x, dim, index, src, false);
    }

    /**
     * A copy of x with slice i of src added into slice {@code index[i]} along dim (repeated
     * indices accumulate). Backward: x's gradient passes through; src's is gathered at index.
     */
    public static Tensor indexAdd(Tensor x, int dim, int[] index, Tensor src) {
        return scatterOp("indexAdd", x, dim, index, src, true);
    }

    private static Tensor scatterOp(String op, Tensor x, int dim, int[] index, Tensor src, boolean add) {
        Graph.checkAlive(op, x, src);
        int d = Shapes.dim(op, dim, x.dim());
        int[] shape = x.shape();
        checkIndex(op, index, shape, d);
        int[] expected = withDim(shape, d, index.length);
        if (!Shapes.same(src.shape(), expected)) {
            throw new IllegalArgumentException("op '" + op + "': src must have shape " + Shapes.str(expected)
                    + " (x " + Shapes.str(shape) + " with dimension " + d + " of size " + index.length + " = index length), got "
                    + Shapes.str(src.shape()));
        }
        if (!add) checkDistinct(op, index);
        int[] idx = index.clone();
        Layout lx = new Layout(shape, d);
        Tensor out = Tensor.empty(shape);
        out.copyFrom(x);
        Tensor sc = OpInputs.contiguousNoGrad(src);
        scatter(sc.data(), sc.offset(), lx, idx, out.data(), add);
        return Graph.record(op, out, (grad, needs) -> {
            Tensor dx = null;
            if (needs[0]) {
                if (add) {
                    dx = grad; // x passes through unchanged
                } else {
                    dx = Tensor.empty(shape);
                    dx.copyFrom(grad);
                    zeroSlices(dx.data(), lx, idx);
                }
            }
            Tensor dsrc = null;
            if (needs[1]) {
                Tensor g = OpInputs.contiguousNoGrad(grad);
                dsrc = Tensor.empty(withDim(shape, d, idx.length));
                gather(g.data(), g.offset(), lx, idx, dsrc.data(), 0);
            }
            return new Tensor[] {dx, dsrc};
        }, x, src);
    }

    /** Joins {@code parts} along dim; all other dimensions must agree. */
    public static Tensor concat(int dim, Tensor... parts) {
        final String op = "concat";
        if (parts.length == 0) throw new IllegalArgumentException("op '" + op + "': needs at least one tensor");
        Graph.checkAlive(op, parts);
        int[] first = parts[0].shape();
        int d = Shapes.dim(op, dim, first.length);
        int total = 0;
        for (int p = 0; p < parts.length; p++) {
            int[] s = parts[p].shape();
            boolean ok = s.length == first.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == d || s[i] == first[i];
            if (!ok) {
                throw new IllegalArgumentException("op '" + op + "': along dimension " + d + ", part " + p + " has shape "
                        + Shapes.str(s) + " but part 0 has shape " + Shapes.str(first)
                        + " (all dimensions except " + d + " must agree)");
            }
            total += s[d];
        }
        return join(op, d, withDim(first, d, total), parts, false);
    }

    /** Stacks equally-shaped parts along a new dimension dim (0 to rank inclusive). */
    public static Tensor stack(int dim, Tensor... parts) {
        final String op = "stack";
        if (parts.length == 0) throw new IllegalArgumentException("op '" + op + "': needs at least one tensor");
        Graph.checkAlive(op, parts);
        int[] first = parts[0].shape();
        int d = Shapes.dim(op, dim, first.length + 1);
        for (int p = 1; p < parts.length; p++) {
            if (!Shapes.same(parts[p].shape(), first)) {
                throw new IllegalArgumentException("op '" + op + "': part " + p + " has shape " + Shapes.str(parts[p].shape())
                        + " but part 0 has shape " + Shapes.str(first) + " (all parts must have the same shape)");
            }
        }
        int[] outShape = new int[first.length + 1];
        for (int i = 0, j = 0; i < outShape.length; i++) outShape[i] = i == d ? parts.length : first[j++];
        return join(op, d, outShape, parts, true);
    }

    /**
     * Copies each part into its range of dimension d of a new tensor of outShape. For stack
     * each part is one slice (its shape lacks dimension d); for concat it spans its size.
     */
    private static Tensor join(String op, int d, int[] outShape, Tensor[] parts, boolean stacked) {
        Tensor out = Tensor.empty(outShape);
        float[] od = out.data();
        Layout lo = new Layout(outShape, d);
        int[] starts = new int[parts.length];
        int[] lengths = new int[parts.length];
        int at = 0;
        for (int p = 0; p < parts.length; p++) {
            starts[p] = at;
            lengths[p] = stacked ? 1 : parts[p].size(d);
            at += lengths[p];
        }
        for (int p = 0; p < parts.length; p++) {
            if (!parts[p].isContiguous()) {
                // one strided pass straight into its slot (a KV cache's keys are views of the fused projection)
                Tensor slot = stacked ? out.select(d, starts[p]) : out.narrow(d, starts[p], lengths[p]);
                slot.copyFrom(parts[p]);
                continue;
            }
            Tensor pc = parts[p];
            float[] pd = pc.data();
            int po = pc.offset();
            int run = lengths[p] * lo.inner;
            int start = starts[p];
            WorkerPool.global().parallelFor(lo.outer, run, (from, to) -> {
                for (int o = from; o < to; o++) {
                    System.arraycopy(pd, po + o * run, od, (o * lo.size + start) * lo.inner, run);
                }
            });
        }
        Tensor[] inputs = parts.clone();
        return Graph.record(op, out, (grad, needs) -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int p = 0; p < inputs.length; p++) {
                if (!needs[p]) continue;
                grads[p] = stacked ? grad.select(d, starts[p]) : grad.narrow(d, starts[p], lengths[p]);
            }
            return grads;
        }, inputs);
    }

    // ------------------------------------------------------------------ [outer, size, inner] kernels

    /** A contiguous shape seen as {@code [outer, size, inner]} around dimension d. */
    private static final class Layout {
        final int outer;
        final int size;
        final int inner;

        Layout(int[] shape, int d) {
            int o = 1;
            for (int i = 0; i < d; i++) o *= shape[i];
            int in = 1;
            for (int i = d + 1; i < shape.length; i++) in *= shape[i];
            outer = o;
            size = shape[d];
            inner = in;
        }
    }

    /** {@code out[o, i, :] = x[o, index[i], :]}; out is {@code [outer, index.length, inner]} from outOff. */
    private static void gather(float[] x, int xo, Layout l, int[] index, float[] out, int outOff) {
        int n = index.length;
        WorkerPool.global().parallelFor(l.outer, (long) n * l.inner, (from, to) -> {
            for (int o = from; o < to; o++) {
                for (int i = 0; i < n; i++) {
                    System.arraycopy(x, xo + (o * l.size + index[i]) * l.inner, out, outOff + (o * n + i) * l.inner, l.inner);
                }
            }
        });
    }

    /**
     * {@code dst[o, index[i], :] (+)= src[o, i, :]}; dst is contiguous {@code [outer, size, inner]}.
     * Parallel over outer only, so repeated indices never race.
     */
    private static void scatter(float[] src, int so, Layout l, int[] index, float[] dst, boolean add) {
        int n = index.length;
        WorkerPool.global().parallelFor(l.outer, (long) n * l.inner, (from, to) -> {
            for (int o = from; o < to; o++) {
                for (int i = 0; i < n; i++) {
                    int s = so + (o * n + i) * l.inner;
                    int t = (o * l.size + index[i]) * l.inner;
                    if (add) {
                        for (int c = 0; c < l.inner; c++) dst[t + c] += src[s + c];
                    } else {
                        System.arraycopy(src, s, dst, t, l.inner);
                    }
                }
            }
        });
    }

    private static void zeroSlices(float[] dst, Layout l, int[] index) {
        for (int o = 0; o < l.outer; o++) {
            for (int i : index) {
                int t = (o * l.size + i) * l.inner;
                Arrays.fill(dst, t, t + l.inner, 0f);
            }
        }
    }

    // ------------------------------------------------------------------ checks and shapes

    private static void checkIndex(String op, int[] index, int[] shape, int d) {
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[d]) {
                throw new IndexOutOfBoundsException("op '" + op + "': index " + index[i] + " at position " + i
                        + " is out of range for dimension " + d + " of size " + shape[d] + " (shape " + Shapes.str(shape) + ")");
            }
        }
    }

    private static void checkDistinct(String op, int[] index) {
        int[] sorted = index.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("op '" + op + "': index " + sorted[i]
                        + " appears more than once; each slice can be replaced only once");
            }
        }
    }

    private static int[] withDim(int[] shape, int d, int size) {
        int[] s = shape.clone();
        s[d] = size;
        return s;
    }
}
