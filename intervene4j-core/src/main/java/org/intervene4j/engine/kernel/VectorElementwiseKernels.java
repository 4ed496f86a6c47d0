package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized kernels ({@link FloatVector#SPECIES_PREFERRED}). Every loop is written out per
 * function and layout with nothing but Vector API intrinsics inside (a vector passed to a
 * helper that C2 does not inline gets boxed); transcendental functions go through the
 * block-wise passes of {@link VectorFloatMath}. Tails run the same vector code under a mask,
 * or, for exact IEEE arithmetic (+ - * /), a scalar loop that rounds identically.
 */
final class VectorElementwiseKernels implements ElementwiseKernels {
    static final VectorElementwiseKernels INSTANCE = new VectorElementwiseKernels();
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Block length of float-lane partial sums before they are folded into a double. */
    private static final int SUM_BLOCK = 1024;

    private VectorElementwiseKernels() {}

    // ------------------------------------------------------------------ unary forward

    @Override
    public void unary(UnaryFn fn, float p, float q, float[] x, int xOff, float[] y, int yOff, int n) {
        switch (fn) {
            case SCALE: scale(p, q, x, xOff, y, yOff, n); return;
            case ADD_SCALAR: addScalar(p, q, x, xOff, y, yOff, n); return;
            case NEG: neg(p, q, x, xOff, y, yOff, n); return;
            case LOG: log(p, q, x, xOff, y, yOff, n); return;
            case SQRT: sqrt(p, q, x, xOff, y, yOff, n); return;
            case SQUARE: square(p, q, x, xOff, y, yOff, n); return;
            case RELU: relu(p, q, x, xOff, y, yOff, n); return;
            case CLAMP: clamp(p, q, x, xOff, y, yOff, n); return;
            case EXP: VectorFloatMath.apply(VectorFloatMath.Fn.EXP, x, xOff, null, 0, y, yOff, n); return;
            case TANH: VectorFloatMath.apply(VectorFloatMath.Fn.TANH, x, xOff, null, 0, y, yOff, n); return;
            case SIGMOID: VectorFloatMath.apply(VectorFloatMath.Fn.SIGMOID, x, xOff, null, 0, y, yOff, n); return;
            case GELU: VectorFloatMath.apply(VectorFloatMath.Fn.GELU, x, xOff, null, 0, y, yOff, n); return;
            case GELU_ERF: VectorFloatMath.apply(VectorFloatMath.Fn.GELU_ERF, x, xOff, null, 0, y, yOff, n); return;
            case SILU: VectorFloatMath.apply(VectorFloatMath.Fn.SILU, x, xOff, null, 0, y, yOff, n); return;
            default: throw new AssertionError(fn);
        }
    }

    private static void scale(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(p).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.mul(p).intoArray(y, yo + i, m);
        }
    }

    private static void addScalar(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.add(p).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.add(p).intoArray(y, yo + i, m);
        }
    }

    private static void neg(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.neg().intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.neg().intoArray(y, yo + i, m);
        }
    }

    private static void log(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.lanewise(VectorOperators.LOG).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.lanewise(VectorOperators.LOG).intoArray(y, yo + i, m);
        }
    }

    private static void sqrt(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.sqrt().intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.sqrt().intoArray(y, yo + i, m);
        }
    }

    private static void square(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(v).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.mul(v).intoArray(y, yo + i, m);
        }
    }

    private static void relu(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.max(0f).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.max(0f).intoArray(y, yo + i, m);
        }
    }

    private static void clamp(float p, float q, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.max(p).min(q).intoArray(y, yo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, m);
            v.max(p).min(q).intoArray(y, yo + i, m);
        }
    }

    // ------------------------------------------------------------------ unary backward

    @Override
    public void unaryBackward(UnaryFn fn, float p, float q, float[] s, int sOff, float[] g, int gOff,
                              float[] dx, int dxOff, int n) {
        switch (fn) {
            case EXP: expGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case LOG: logGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case SQRT: sqrtGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case SQUARE: squareGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case TANH: tanhGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case SIGMOID: sigmoidGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case RELU: reluGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case CLAMP: clampGrad(p, q, s, sOff, g, gOff, dx, dxOff, n); return;
            case GELU: VectorFloatMath.apply(VectorFloatMath.Fn.GELU_GRAD, s, sOff, g, gOff, dx, dxOff, n); return;
            case GELU_ERF: VectorFloatMath.apply(VectorFloatMath.Fn.GELU_ERF_GRAD, s, sOff, g, gOff, dx, dxOff, n); return;
            case SILU: VectorFloatMath.apply(VectorFloatMath.Fn.SILU_GRAD, s, sOff, g, gOff, dx, dxOff, n); return;
            default: throw new IllegalArgumentException("unaryBackward: no derivative kernel for " + fn);
        }
    }

    private static void expGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            gv.mul(s).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            gv.mul(s).intoArray(dx, dxo + i, m);
        }
    }

    private static void logGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            gv.div(s).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            gv.div(s).intoArray(dx, dxo + i, m);
        }
    }

    private static void sqrtGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            gv.mul(0.5f).div(s).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            gv.mul(0.5f).div(s).intoArray(dx, dxo + i, m);
        }
    }

    private static void squareGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            gv.mul(s.mul(2f)).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            gv.mul(s.mul(2f)).intoArray(dx, dxo + i, m);
        }
    }

    private static void tanhGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            gv.mul(one.sub(s.mul(s))).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            gv.mul(one.sub(s.mul(s))).intoArray(dx, dxo + i, m);
        }
    }

    private static void sigmoidGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            gv.mul(s.mul(one.sub(s))).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            gv.mul(s.mul(one.sub(s))).intoArray(dx, dxo + i, m);
        }
    }

    private static void reluGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            zero.blend(gv, s.compare(VectorOperators.GT, 0f)).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            zero.blend(gv, s.compare(VectorOperators.GT, 0f)).intoArray(dx, dxo + i, m);
        }
    }

    private static void clampGrad(float p, float q, float[] sv, int so, float[] g, int go, float[] dx, int dxo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector s = FloatVector.fromArray(S, sv, so + i);
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            zero.blend(gv, s.compare(VectorOperators.GE, p).and(s.compare(VectorOperators.LE, q))).intoArray(dx, dxo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector s = FloatVector.fromArray(S, sv, so + i, m);
            FloatVector gv = FloatVector.fromArray(S, g, go + i, m);
            zero.blend(gv, s.compare(VectorOperators.GE, p).and(s.compare(VectorOperators.LE, q))).intoArray(dx, dxo + i, m);
        }
    }

    // ------------------------------------------------------------------ binary

    @Override
    public void binary(BinaryFn fn, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       float[] out, int outOff, int n) {
        if (aStride > 1 || bStride > 1) {
            ScalarElementwiseKernels.INSTANCE.binary(fn, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        if (aStride == 0 && bStride == 0) {
            java.util.Arrays.fill(out, outOff, outOff + n, ScalarElementwiseKernels.apply(fn, a[aOff], b[bOff]));
            return;
        }
        int layout = aStride == 1 && bStride == 1 ? 0 : aStride == 1 ? 1 : 2;
        switch (fn) {
            case ADD: if (layout == 0) addVV(a, aOff, b, bOff, out, outOff, n); else if (layout == 1) addVS(a, aOff, b[bOff], out, outOff, n); else addSV(a[aOff], b, bOff, out, outOff, n); return;
            case SUB: if (layout == 0) subVV(a, aOff, b, bOff, out, outOff, n); else if (layout == 1) subVS(a, aOff, b[bOff], out, outOff, n); else subSV(a[aOff], b, bOff, out, outOff, n); return;
            case MUL: if (layout == 0) mulVV(a, aOff, b, bOff, out, outOff, n); else if (layout == 1) mulVS(a, aOff, b[bOff], out, outOff, n); else mulSV(a[aOff], b, bOff, out, outOff, n); return;
            case DIV: if (layout == 0) divVV(a, aOff, b, bOff, out, outOff, n); else if (layout == 1) divVS(a, aOff, b[bOff], out, outOff, n); else divSV(a[aOff], b, bOff, out, outOff, n); return;
            default: throw new AssertionError(fn);
        }
    }

    private static void addVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
    }

    private static void addVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector bv = FloatVector.broadcast(S, b);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).add(bv).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] + b;
    }

    private static void addSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            av.add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a + b[bo + i];
    }

    private static void subVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i];
    }

    private static void subVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector bv = FloatVector.broadcast(S, b);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).sub(bv).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] - b;
    }

    private static void subSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            av.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a - b[bo + i];
    }

    private static void mulVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i];
    }

    private static void mulVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector bv = FloatVector.broadcast(S, b);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(bv).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] * b;
    }

    private static void mulSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            av.mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a * b[bo + i];
    }

    private static void divVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] / b[bo + i];
    }

    private static void divVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector bv = FloatVector.broadcast(S, b);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, a, ao + i).div(bv).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a[ao + i] / b;
    }

    private static void divSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            av.div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = a / b[bo + i];
    }

    // ------------------------------------------------------------------ where

    @Override
    public void where(float[] c, int cOff, int cStride, float[] a, int aOff, int aStride,
                      float[] b, int bOff, int bStride, float[] out, int outOff, int n) {
        if (cStride > 1 || aStride > 1 || bStride > 1) {
            ScalarElementwiseKernels.INSTANCE.where(c, cOff, cStride, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        // Broadcast operands are read from a small repeated block, so one loop serves every layout.
        float[] cs = cStride == 0 ? repeated(c[cOff]) : c;
        float[] as = aStride == 0 ? repeated(a[aOff]) : a;
        float[] bs = bStride == 0 ? repeated(b[bOff]) : b;
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector cv = FloatVector.fromArray(S, cs, cStride == 0 ? 0 : cOff + i);
            FloatVector av = FloatVector.fromArray(S, as, aStride == 0 ? 0 : aOff + i);
            FloatVector bv = FloatVector.fromArray(S, bs, bStride == 0 ? 0 : bOff + i);
            bv.blend(av, cv.compare(VectorOperators.NE, 0f)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = c[cOff + i * cStride] != 0f ? a[aOff + i * aStride] : b[bOff + i * bStride];
        }
    }

    private static float[] repeated(float v) {
        float[] r = new float[L];
        java.util.Arrays.fill(r, v);
        return r;
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public double sum(float[] x, int off, int n) {
        double total = 0;
        int i = 0;
        int end = S.loopBound(n);
        while (i < end) {
            int blockEnd = Math.min(end, i + SUM_BLOCK);
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            for (; i + L < blockEnd; i += 2 * L) {
                acc0 = acc0.add(FloatVector.fromArray(S, x, off + i));
                acc1 = acc1.add(FloatVector.fromArray(S, x, off + i + L));
            }
            for (; i < blockEnd; i += L) acc0 = acc0.add(FloatVector.fromArray(S, x, off + i));
            total += LaneSum.of(acc0.add(acc1));
        }
        for (; i < n; i++) total += x[off + i];
        return total;
    }

    @Override
    public void accumulate(float[] dst, int dOff, float[] src, int sOff, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, dst, dOff + i).add(FloatVector.fromArray(S, src, sOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] += src[sOff + i];
    }

    @Override
    public int argMax(float[] x, int off, int n) {
        // A vector pass finds the maximum, a scan its first position; NaN takes the scalar rule.
        int end = S.loopBound(n);
        if (end == 0) return ScalarElementwiseKernels.INSTANCE.argMax(x, off, n);
        FloatVector mv = FloatVector.fromArray(S, x, off);
        int i = L;
        for (; i < end; i += L) mv = mv.max(FloatVector.fromArray(S, x, off + i));
        float m = mv.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, x[off + i]);
        if (m != m) return ScalarElementwiseKernels.INSTANCE.argMax(x, off, n);
        for (int j = 0; j < n; j++) if (x[off + j] == m) return j;
        return ScalarElementwiseKernels.INSTANCE.argMax(x, off, n);
    }
}
