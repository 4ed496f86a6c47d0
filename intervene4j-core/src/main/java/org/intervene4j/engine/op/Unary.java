package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.ElementwiseKernels;
import org.intervene4j.engine.kernel.RowPlan;
import org.intervene4j.engine.kernel.UnaryFn;

/**
 * Elementwise unary functions. The output is contiguous; strided inputs are read row by row
 * (gathered when the inner stride is not 1). Backward saves the output for exp, sqrt, tanh,
 * sigmoid and relu and the input for the others; scale, addScalar and neg save nothing.
 */
public final class Unary {
    private Unary() {}

    /** {@code s * x}. */
    public static Tensor scale(Tensor x, float s) {
        Tensor out = forward("scale", UnaryFn.SCALE, s, 0f, x);
        return Graph.record("scale", out, (g, needs) -> new Tensor[] {scale(g, s)}, x);
    }

    /** {@code x + c}. */
    public static Tensor addScalar(Tensor x, float c) {
        Tensor out = forward("addScalar", UnaryFn.ADD_SCALAR, c, 0f, x);
        return Graph.record("addScalar", out, (g, needs) -> new Tensor[] {g}, x);
    }

    /** {@code -x}. */
    public static Tensor neg(Tensor x) {
        Tensor out = forward("neg", UnaryFn.NEG, 0f, 0f, x);
        return Graph.record("neg", out, (g, needs) -> new Tensor[] {neg(g)}, x);
    }

    /** {@code e^x}. */
    public static Tensor exp(Tensor x) {
        return withDerivative("exp", UnaryFn.EXP, 0f, 0f, x);
    }

    /** Natural logarithm (IEEE: log 0 = -inf, log of a negative = NaN). */
    public static Tensor log(Tensor x) {
        return withDerivative("log", UnaryFn.LOG, 0f, 0f, x);
    }

    public static Tensor sqrt(Tensor x) {
        return withDerivative("sqrt", UnaryFn.SQRT, 0f, 0f, x);
    }

    /** {@code x^2}. */
    public static Tensor square(Tensor x) {
        return withDerivative("square", UnaryFn.SQUARE, 0f, 0f, x);
    }

    public static Tensor tanh(Tensor x) {
        return withDerivative("tanh", UnaryFn.TANH, 0f, 0f, x);
    }

    /** {@code 1 / (1 + e^-x)}. */
    public static Tensor sigmoid(Tensor x) {
        return withDerivative("sigmoid", UnaryFn.SIGMOID, 0f, 0f, x);
    }

    /** {@code max(x, 0)}; the gradient at 0 is 0. */
    public static Tensor relu(Tensor x) {
        return withDerivative("relu", UnaryFn.RELU, 0f, 0f, x);
    }

    /** GELU, tanh approximation: {@code 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))}. */
    public static Tensor gelu(Tensor x) {
        return withDerivative("gelu", UnaryFn.GELU, 0f, 0f, x);
    }

    /** GELU, exact: {@code 0.5x(1 + erf(x / sqrt 2))}. */
    public static Tensor geluErf(Tensor x) {
        return withDerivative("geluErf", UnaryFn.GELU_ERF, 0f, 0f, x);
    }

    /** {@code x * sigmoid(x)}. */
    public static Tensor silu(Tensor x) {
        return withDerivative("silu", UnaryFn.SILU, 0f, 0f, x);
    }

    /** {@code min(max(x, lo), hi)}; the gradient passes where {@code lo <= x <= hi}. */
    public static Tensor clamp(Tensor x, float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("op 'clamp': lower bound " + lo + " must not exceed upper bound "
                    + hi + " (input shape " + Shapes.str(x.shape()) + ")");
        }
        return withDerivative("clamp", UnaryFn.CLAMP, lo, hi, x);
    }

    /** Forward plus a backward that applies the kernel derivative to the saved input or output. */
    private static Tensor withDerivative(String op, UnaryFn fn, float p, float q, Tensor x) {
        Tensor out = forward(op, fn, p, q, x);
        Tensor saved = fn.backwardFromOutput ? out : x;
        return Graph.record(op, out, (g, needs) -> new Tensor[] {derivative(fn, p, q, saved, g)}, x);
    }

    /** {@code dx = g * fn'(.)} from the saved tensor, both made contiguous. */
    private static Tensor derivative(UnaryFn fn, float p, float q, Tensor saved, Tensor g) {
        Tensor s = saved.contiguous();
        Tensor gc = g.contiguous();
        Tensor dx = Tensor.empty(s.shape());
        ElementwiseKernels k = ElementwiseKernels.get();
        float[] sd = s.data();
        float[] gd = gc.data();
        float[] dd = dx.data();
        int so = s.offset();
        int go = gc.offset();
        RowPlan.flat(dx.numel(), cost(fn), (from, n) ->
                k.unaryBackward(fn, p, q, sd, so + from, gd, go + from, dd, from, n));
        return dx;
    }

    /** {@code out = fn(x)} into a fresh contiguous tensor. */
    static Tensor forward(String op, UnaryFn fn, float p, float q, Tensor x) {
        Graph.checkAlive(op, x);
        int[] shape = x.shape();
        Tensor out = Tensor.empty(shape);
        ElementwiseKernels k = ElementwiseKernels.get();
        float[] xd = x.data();
        float[] od = out.data();
        RowPlan plan = RowPlan.of(shape, out.strides(), x.strides());
        int xs = plan.innerStride(1);
        plan.forEach(new int[] {out.offset(), x.offset()}, cost(fn), (off, n) -> {
            if (xs == 1) {
                k.unary(fn, p, q, xd, off[1], od, off[0], n);
            } else {
                k.unary(fn, p, q, Gathered.row(0, xd, off[1], xs, n), 0, od, off[0], n);
            }
        });
        return out;
    }

    /** Relative cost per element, for the decision to parallelize. */
    private static int cost(UnaryFn fn) {
        switch (fn) {
            case SCALE: case ADD_SCALAR: case NEG: case SQUARE: case RELU: case CLAMP:
                return 1;
            default:
                return 8;
        }
    }
}
