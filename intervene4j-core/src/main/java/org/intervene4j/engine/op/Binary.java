package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.BinaryFn;
import org.intervene4j.engine.kernel.ElementwiseKernels;
import org.intervene4j.engine.kernel.RowPlan;

/**
 * Elementwise {@code + - * /} with numpy broadcasting. Layout handling: a {@link RowPlan}
 * merges dimensions so that same-shape contiguous operands run as one flat vector kernel and
 * broadcast rows ({@code x [..., n] op b [n]}, {@code x [..., n] op y [..., 1]}) run the vector
 * kernel per row with the broadcast operand as a row or a scalar; other strided rows are
 * gathered first. Division by zero follows IEEE 754.
 */
public final class Binary {
    private Binary() {}

    /** {@code a + b}, broadcast. */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = forward("add", BinaryFn.ADD, a, b);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Graph.record("add", out, (g, needs) -> new Tensor[] {
                needs[0] ? Tensor.sumTo(g, aShape) : null,
                needs[1] ? Tensor.sumTo(g, bShape) : null}, a, b);
    }

    /** {@code a - b}, broadcast. */
    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = forward("sub", BinaryFn.SUB, a, b);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Graph.record("sub", out, (g, needs) -> new Tensor[] {
                needs[0] ? Tensor.sumTo(g, aShape) : null,
                needs[1] ? Unary.neg(Tensor.sumTo(g, bShape)) : null}, a, b);
    }

    /** {@code a * b}, broadcast. */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = forward("mul", BinaryFn.MUL, a, b);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Graph.record("mul", out, (g, needs) -> new Tensor[] {
                needs[0] ? Tensor.sumTo(mul(g, b), aShape) : null,
                needs[1] ? Tensor.sumTo(mul(g, a), bShape) : null}, a, b);
    }

    /** {@code a / b}, broadcast. */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = forward("div", BinaryFn.DIV, a, b);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        // d/da = g / b; d/db = -g a / b^2 = -(g * out) / b (out is saved anyway as this op's result).
        return Graph.record("div", out, (g, needs) -> new Tensor[] {
                needs[0] ? Tensor.sumTo(div(g, b), aShape) : null,
                needs[1] ? Unary.neg(Tensor.sumTo(div(mul(g, out), b), bShape)) : null}, a, b);
    }

    /** Broadcast shape check and the forward computation into a fresh contiguous tensor. */
    static Tensor forward(String op, BinaryFn fn, Tensor a, Tensor b) {
        Graph.checkAlive(op, a, b);
        int[] shape = Shapes.broadcast(op, a.shape(), b.shape());
        Tensor out = Tensor.empty(shape);
        compute(fn, a, b, out);
        return out;
    }

    /** {@code out = fn(a, b)}; out is contiguous with the broadcast shape. */
    static void compute(BinaryFn fn, Tensor a, Tensor b, Tensor out) {
        int[] shape = out.shape();
        RowPlan plan = RowPlan.of(shape, out.strides(),
                Shapes.broadcastStrides(a.shape(), a.strides(), shape),
                Shapes.broadcastStrides(b.shape(), b.strides(), shape));
        ElementwiseKernels k = ElementwiseKernels.get();
        float[] ad = a.data();
        float[] bd = b.data();
        float[] od = out.data();
        int as = plan.innerStride(1);
        int bs = plan.innerStride(2);
        plan.forEach(new int[] {out.offset(), a.offset(), b.offset()}, 1, (off, n) -> {
            float[] ar = ad;
            float[] br = bd;
            int ao = off[1];
            int bo = off[2];
            int ast = as;
            int bst = bs;
            if (!Gathered.direct(as)) {
                ar = Gathered.row(0, ad, ao, as, n);
                ao = 0;
                ast = 1;
            }
            if (!Gathered.direct(bs)) {
                br = Gathered.row(1, bd, bo, bs, n);
                bo = 0;
                bst = 1;
            }
            k.binary(fn, ar, ao, ast, br, bo, bst, od, off[0], n);
        });
    }
}
