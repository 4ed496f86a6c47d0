package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.ElementwiseKernels;
import org.intervene4j.engine.kernel.RowPlan;

/** Selection by a mask: {@code where} and {@code maskedFill}. A nonzero (or NaN) mask value selects. */
public final class Conditional {
    private Conditional() {}

    /**
     * {@code cond != 0 ? a : b}, all three broadcast together. The condition gets no gradient
     * (it is not an input of the recorded node, so a cond computed by differentiable ops is fine).
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Graph.checkAlive("where", cond, a, b);
        int[] shape = broadcast3(cond.shape(), a.shape(), b.shape());
        Tensor c = cond.detach();
        Tensor out = Tensor.empty(shape);
        select(c, a, b, out);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Graph.record("where", out, (g, needs) -> {
            Tensor zero = Tensor.scalar(0f);
            return new Tensor[] {
                    needs[0] ? Tensor.sumTo(selected(c, g, zero), aShape) : null,
                    needs[1] ? Tensor.sumTo(selected(c, zero, g), bShape) : null};
        }, a, b);
    }

    /** {@code mask != 0 ? value : x}; mask must broadcast to x's shape. */
    public static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        Graph.checkAlive("maskedFill", x, mask);
        int[] xShape = x.shape();
        int[] full = Shapes.broadcast("maskedFill", xShape, mask.shape());
        if (!Shapes.same(full, xShape)) {
            throw new IllegalArgumentException("op 'maskedFill': mask of shape " + Shapes.str(mask.shape())
                    + " does not broadcast to the input shape " + Shapes.str(xShape));
        }
        Tensor m = mask.detach();
        Tensor out = Tensor.empty(xShape);
        select(m, Tensor.scalar(value), x, out);
        return Graph.record("maskedFill", out, (g, needs) ->
                new Tensor[] {selected(m, Tensor.scalar(0f), g)}, x);
    }

    private static int[] broadcast3(int[] c, int[] a, int[] b) {
        try {
            return Shapes.broadcast("where", Shapes.broadcast("where", c, a), b);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("op 'where': cannot broadcast cond " + Shapes.str(c) + ", a "
                    + Shapes.str(a) + " and b " + Shapes.str(b) + " together", e);
        }
    }

    /** {@code cond ? a : b} into a fresh tensor of the broadcast shape (no autograd). */
    private static Tensor selected(Tensor cond, Tensor a, Tensor b) {
        Tensor out = Tensor.empty(broadcast3(cond.shape(), a.shape(), b.shape()));
        select(cond, a, b, out);
        return out;
    }

    /** {@code out = cond ? a : b}; out contiguous with the broadcast shape. */
    private static void select(Tensor cond, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        RowPlan plan = RowPlan.of(shape, out.strides(),
                Shapes.broadcastStrides(cond.shape(), cond.strides(), shape),
                Shapes.broadcastStrides(a.shape(), a.strides(), shape),
                Shapes.broadcastStrides(b.shape(), b.strides(), shape));
        ElementwiseKernels k = ElementwiseKernels.get();
        float[] cd = cond.data();
        float[] ad = a.data();
        float[] bd = b.data();
        float[] od = out.data();
        int cs = plan.innerStride(1);
        int as = plan.innerStride(2);
        int bs = plan.innerStride(3);
        plan.forEach(new int[] {out.offset(), cond.offset(), a.offset(), b.offset()}, 1, (off, n) -> {
            float[] cr = cd;
            float[] ar = ad;
            float[] br = bd;
            int co = off[1];
            int ao = off[2];
            int bo = off[3];
            int cst = cs;
            int ast = as;
            int bst = bs;
            if (!Gathered.direct(cs)) {
                cr = Gathered.row(0, cd, co, cs, n);
                co = 0;
                cst = 1;
            }
            if (!Gathered.direct(as)) {
                ar = Gathered.row(1, ad, ao, as, n);
                ao = 0;
                ast = 1;
            }
            if (!Gathered.direct(bs)) {
                br = Gathered.row(2, bd, bo, bs, n);
                bo = 0;
                bst = 1;
            }
            k.where(cr, co, cst, ar, ao, ast, br, bo, bst, od, off[0], n);
        });
    }
}
