package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized transcendental functions over float arrays, built on a polynomial exp. The Vector
 * API's {@code lanewise(EXP/TANH)} is fast only where the JDK has SVML stubs (x86; there it is
 * about 1.5x faster than this code) and falls back to per-lane scalar calls elsewhere; these
 * polynomials run at the same speed everywhere and give bit-identical results on every
 * platform and JDK, which keeps experiments reproducible across machines.
 *
 * <p>Why array passes and not {@code FloatVector -> FloatVector} helpers: C2 refuses to inline
 * a large helper that was already compiled on its own, and a vector that crosses a
 * non-inlined call is boxed, which is 20-50x slower. So each composite function runs over
 * L1-sized blocks copied into a per-thread scratch buffer, as a few passes that each are one
 * flat loop with no calls but Vector API intrinsics. Blocks are padded to whole vectors, so no
 * pass needs a tail loop; the scalar twins in {@link ScalarMath} evaluate the same formulas.
 *
 * <p>Accuracy (vs float64): exp within 2 ulp; tanh, sigmoid, SiLU, GELU within about 4e-7
 * relative; erf/erfc as {@link ScalarMath#erf}.
 */
final class VectorFloatMath {
    private VectorFloatMath() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Block length (a multiple of every species length); 5 regions of it fit in L1. */
    static final int B = 1024;
    private static final int X = 0, T = B, U = 2 * B, G = 3 * B, SCRATCH = 4 * B;
    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[SCRATCH]);

    private static final float LOG2E = 1.4426950408889634f;
    /** ln 2 split so that k * LN2_HI is exact for |k| < 2^12. */
    private static final float LN2_HI = Float.intBitsToFloat(Float.floatToIntBits((float) Math.log(2)) & 0xfffff000);
    private static final float LN2_LO = (float) (Math.log(2) - LN2_HI);
    /** 1.5 * 2^23: adding it rounds to an integer that can be read from the low mantissa bits. */
    private static final float SHIFTER = 12582912f;
    private static final int SHIFTER_BITS = Float.floatToIntBits(SHIFTER);
    // 1/k! for the Taylor polynomial of e^r on |r| <= ln2/2 (truncation error < 6e-9 relative).
    private static final float E2 = 1f / 2, E3 = 1f / 6, E4 = 1f / 24, E5 = 1f / 120, E6 = 1f / 720, E7 = 1f / 5040;
    // Taylor coefficients of tanh(x)/x in x^2, used for |x| < TANH_SMALL (error < 3e-9 there).
    private static final float T1 = -1f / 3, T2 = 2f / 15, T3 = -17f / 315, T4 = 62f / 2835, T5 = -1382f / 155925;
    private static final float TANH_SMALL = 0.3f;
    private static final double GELU_C_D = Math.sqrt(2 / Math.PI);
    private static final double GELU_K_D = 0.044715;

    /** Functions evaluated block-wise; the *_GRAD ones multiply the derivative by g. */
    enum Fn { EXP, SIGMOID, SILU, TANH, GELU, GELU_ERF, ERF, ERFC, GELU_GRAD, GELU_ERF_GRAD, SILU_GRAD }

    /** {@code y = fn(x)} (or {@code y = g * fn'(x)} for the gradient forms; g is ignored otherwise). */
    static void apply(Fn fn, float[] x, int xo, float[] g, int go, float[] y, int yo, int n) {
        if (fn == Fn.EXP) { // a single pass: straight from the caller's arrays
            exp(x, xo, y, yo, n);
            return;
        }
        float[] buf = BUFFER.get();
        for (int b = 0; b < n; b += B) {
            int m = Math.min(B, n - b);
            int mu = (m + L - 1) / L * L; // lanes past m hold stale values: harmless, never stored
            System.arraycopy(x, xo + b, buf, X, m);
            if (g != null) System.arraycopy(g, go + b, buf, G, m);
            block(fn, buf, mu);
            System.arraycopy(buf, X, y, yo + b, m);
        }
    }

    /** Evaluates fn on buf[X .. X+n), result in place. */
    private static void block(Fn fn, float[] buf, int n) {
        switch (fn) {
            case SIGMOID:
                negAbsArg(buf, n);
                exp(buf, T, T, n);
                sigmoidCombine(buf, n);
                return;
            case SILU:
                negAbsArg(buf, n);
                exp(buf, T, T, n);
                siluCombine(buf, n);
                return;
            case TANH:
                tanhArg(buf, n);
                exp(buf, T, T, n);
                tanhCombine(buf, n);
                return;
            case GELU:
                geluArg(buf, n);
                exp(buf, T, T, n);
                lowPart(buf, n);
                siluCombine(buf, n); // x sigmoid(2u)
                return;
            case GELU_GRAD:
                geluArg(buf, n);
                exp(buf, T, T, n);
                lowPart(buf, n);
                geluGradCombine(buf, n);
                return;
            case SILU_GRAD:
                negAbsArg(buf, n);
                exp(buf, T, T, n);
                siluGradCombine(buf, n);
                return;
            case ERF:
            case ERFC:
                erfcArg(buf, 1f, 1f, n);
                exp(buf, T, T, n);
                erfPass(buf, 1f, 1f, fn == Fn.ERF, X, n);
                return;
            case GELU_ERF:
                erfcArg(buf, -ScalarMath.INV_SQRT2, 0.5f, n);
                exp(buf, T, T, n);
                erfPass(buf, -ScalarMath.INV_SQRT2, 0.5f, false, T, n);
                geluErfCombine(buf, n);
                return;
            case GELU_ERF_GRAD:
                erfcArg(buf, -ScalarMath.INV_SQRT2, 0.5f, n);
                exp(buf, T, T, n);
                erfPass(buf, -ScalarMath.INV_SQRT2, 0.5f, false, T, n);
                halfSquareArg(buf, n);
                exp(buf, U, U, n);
                geluErfGradCombine(buf, n);
                return;
            default:
                throw new AssertionError(fn);
        }
    }

    /**
     * {@code buf[dst+i] = e^buf[src+i]}: x = k ln2 + r with |r| <= ln2/2, e^r by a degree-7
     * polynomial, then scaled by 2^k in two halves so that subnormal results and overflow to
     * infinity come out right.
     */
    private static void exp(float[] buf, int src, int dst, int n) {
        exp(buf, src, buf, dst, n);
    }

    /** {@code y[yo+i] = e^x[xo+i]} for {@code i < n}; a partial last vector goes through a padded copy. */
    static void exp(float[] x, int xo, float[] y, int yo, int n) {
        int end = S.loopBound(n);
        expVectors(x, xo, y, yo, end);
        if (end < n) {
            float[] t = new float[L];
            System.arraycopy(x, xo + end, t, 0, n - end);
            expVectors(t, 0, t, 0, L);
            System.arraycopy(t, 0, y, yo + end, n - end);
        }
    }

    /** The exp loop proper; n is a multiple of the vector length. */
    private static void expVectors(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector ln2hi = FloatVector.broadcast(S, -LN2_HI);
        FloatVector ln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector c5 = FloatVector.broadcast(S, E5), c4 = FloatVector.broadcast(S, E4);
        FloatVector c3 = FloatVector.broadcast(S, E3), c2 = FloatVector.broadcast(S, E2);
        FloatVector c1 = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).max(-104f).min(89f); // NaN propagates
            FloatVector t = v.fma(LOG2E, SHIFTER);
            FloatVector kf = t.sub(SHIFTER);
            IntVector k = t.reinterpretAsInts().sub(SHIFTER_BITS);
            FloatVector r = kf.fma(ln2hi, v);
            r = kf.fma(ln2lo, r);
            FloatVector p = r.fma(E7, E6);
            p = p.fma(r, c5);
            p = p.fma(r, c4);
            p = p.fma(r, c3);
            p = p.fma(r, c2);
            p = p.fma(r, c1);
            p = p.fma(r, c1);
            IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = k.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(s1).mul(s2).intoArray(y, yo + i);
        }
    }

    /** T = -|X| (sigmoid-type functions use e^-|v|, which never overflows). */
    private static void negAbsArg(float[] buf, int n) {
        for (int i = 0; i < n; i += L) FloatVector.fromArray(S, buf, X + i).abs().neg().intoArray(buf, T + i);
    }

    /** T = -2|X|. */
    private static void tanhArg(float[] buf, int n) {
        for (int i = 0; i < n; i += L) FloatVector.fromArray(S, buf, X + i).abs().mul(-2f).intoArray(buf, T + i);
    }

    /**
     * T + U = -|2u| = -2 sqrt(2/pi) |X + 0.044715 X^3| as a float pair (hi, lo), computed in
     * double: in float the exponent's relative rounding error (~3e-7) would turn into a
     * relative error of |2u| * 3e-7 in the negative tail of GELU. C2 vectorizes this loop.
     */
    private static void geluArg(float[] buf, int n) {
        for (int i = 0; i < n; i++) {
            double x = buf[X + i];
            double a = -2.0 * GELU_C_D * Math.abs(x) * (1.0 + GELU_K_D * x * x);
            float hi = (float) a;
            buf[T + i] = hi;
            buf[U + i] = (float) (a - hi);
        }
    }

    /** T = T (1 + U): applies the low part of the exponent, e^(hi + lo) = e^hi (1 + lo). */
    private static void lowPart(float[] buf, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector t = FloatVector.fromArray(S, buf, T + i);
            t.fma(FloatVector.fromArray(S, buf, U + i), t).intoArray(buf, T + i);
        }
    }

    /**
     * T = -min(|z|, cap)^2 at z = c X, computed as {@code c^2 X^2} with c^2 exact (1 or 1/2) so
     * that no rounding of c enters the exponent (its error would grow with z^2 in the tail).
     */
    private static void erfcArg(float[] buf, float c, float c2, int n) {
        float xCap = ScalarMath.ERFC_CAP / Math.abs(c);
        for (int i = 0; i < n; i += L) {
            FloatVector a = FloatVector.fromArray(S, buf, X + i).abs().min(xCap);
            a.mul(a).mul(-c2).intoArray(buf, T + i);
        }
    }

    /** U = -X^2 / 2. */
    private static void halfSquareArg(float[] buf, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            x.mul(x).mul(-0.5f).intoArray(buf, U + i);
        }
    }

    /** X = sigmoid(v) from T = e^-|v|, v with the sign of X: {@code (X < 0 ? T : 1) / (1 + T)}. */
    private static void sigmoidCombine(float[] buf, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            FloatVector e = FloatVector.fromArray(S, buf, T + i);
            one.blend(e, x.compare(VectorOperators.LT, 0f)).div(e.add(1f)).intoArray(buf, X + i);
        }
    }

    /** X = X sigmoid(v) from T = e^-|v|, v with the sign of X (SiLU: v = X; GELU: v = 2u). */
    private static void siluCombine(float[] buf, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            FloatVector e = FloatVector.fromArray(S, buf, T + i);
            x.mul(one.blend(e, x.compare(VectorOperators.LT, 0f)).div(e.add(1f))).intoArray(buf, X + i);
        }
    }

    /**
     * X = tanh X from T = e^-2|X|: an odd Taylor polynomial for |X| < 0.3 (where 1 - T would
     * cancel), otherwise {@code sign(X) (1 - T) / (1 + T)}.
     */
    private static void tanhCombine(float[] buf, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector t3 = FloatVector.broadcast(S, T3), t2 = FloatVector.broadcast(S, T2), t1 = FloatVector.broadcast(S, T1);
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            FloatVector e = FloatVector.fromArray(S, buf, T + i);
            FloatVector big = one.sub(e).div(e.add(1f));
            big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
            FloatVector x2 = x.mul(x);
            FloatVector q = x2.fma(T5, T4);
            q = q.fma(x2, t3);
            q = q.fma(x2, t2);
            q = q.fma(x2, t1);
            FloatVector small = q.mul(x2).fma(x, x);
            big.blend(small, x.abs().compare(VectorOperators.LT, TANH_SMALL)).intoArray(buf, X + i);
        }
    }

    /** X = G * d gelu/dx from T = e^-|2u|: s + X s (1 - s) 2u', s = 1 / (1 + T). */
    private static void geluGradCombine(float[] buf, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            FloatVector e = FloatVector.fromArray(S, buf, T + i);
            FloatVector s = one.blend(e, x.compare(VectorOperators.LT, 0f)).div(e.add(1f));
            FloatVector du2 = x.mul(x).fma(3f * ScalarMath.GELU_K, 1f).mul(2f * ScalarMath.GELU_C);
            FloatVector d = x.mul(s).mul(one.sub(s)).fma(du2, s);
            d.mul(FloatVector.fromArray(S, buf, G + i)).intoArray(buf, X + i);
        }
    }

    /** X = G * d silu/dx from T = e^-|X|: s + X s (1 - s), s = 1 / (1 + T). */
    private static void siluGradCombine(float[] buf, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            FloatVector e = FloatVector.fromArray(S, buf, T + i);
            FloatVector s = one.blend(e, x.compare(VectorOperators.LT, 0f)).div(e.add(1f));
            x.mul(s).fma(one.sub(s), s).mul(FloatVector.fromArray(S, buf, G + i)).intoArray(buf, X + i);
        }
    }

    /**
     * buf[dst] = erf(z) or erfc(z) at z = c X, from T = e^-min(|z|, cap)^2 (c2 = c^2, exact) (the formulas of
     * {@link ScalarMath#erfc}; written out in one loop so that no vector crosses a call).
     */
    private static void erfPass(float[] buf, float c, float c2, boolean erf, int dst, int n) {
        float xCap = ScalarMath.ERFC_CAP / Math.abs(c);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector two = FloatVector.broadcast(S, 2f);
        float[] pc = ScalarMath.ERF_P;
        float[] qc = ScalarMath.ERFC_Q;
        FloatVector p4 = FloatVector.broadcast(S, pc[4]), p3 = FloatVector.broadcast(S, pc[3]);
        FloatVector p2 = FloatVector.broadcast(S, pc[2]), p1 = FloatVector.broadcast(S, pc[1]);
        FloatVector p0 = FloatVector.broadcast(S, pc[0]);
        FloatVector q6 = FloatVector.broadcast(S, qc[6]), q5 = FloatVector.broadcast(S, qc[5]);
        FloatVector q4 = FloatVector.broadcast(S, qc[4]), q3 = FloatVector.broadcast(S, qc[3]);
        FloatVector q2 = FloatVector.broadcast(S, qc[2]), q1 = FloatVector.broadcast(S, qc[1]);
        FloatVector q0 = FloatVector.broadcast(S, qc[0]);
        for (int i = 0; i < n; i += L) {
            FloatVector z = FloatVector.fromArray(S, buf, X + i).mul(c);
            FloatVector e = FloatVector.fromArray(S, buf, T + i);
            FloatVector a = z.abs();
            FloatVector z2 = z.mul(z);
            FloatVector p = z2.fma(pc[6], pc[5]);
            p = p.fma(z2, p4);
            p = p.fma(z2, p3);
            p = p.fma(z2, p2);
            p = p.fma(z2, p1);
            p = p.fma(z2, p0);
            FloatVector erfSmall = z.mul(p);
            FloatVector ac = a.min(ScalarMath.ERFC_CAP);
            FloatVector t = one.div(ac.fma(0.5f, 1f));
            FloatVector xa = FloatVector.fromArray(S, buf, X + i).abs().min(xCap);
            FloatVector err = xa.fma(xa, xa.mul(xa).neg()).mul(c2); // rounding error of the exponent
            FloatVector q = t.fma(qc[8], qc[7]);
            q = q.fma(t, q6);
            q = q.fma(t, q5);
            q = q.fma(t, q4);
            q = q.fma(t, q3);
            q = q.fma(t, q2);
            q = q.fma(t, q1);
            q = q.fma(t, q0);
            FloatVector tail = e.mul(one.sub(err)).mul(q); // erfc(|z|)
            VectorMask<Float> negative = z.compare(VectorOperators.LT, 0f);
            VectorMask<Float> small = a.compare(VectorOperators.LT, 0.5f);
            FloatVector r;
            if (erf) {
                FloatVector big = one.sub(tail);
                r = big.blend(big.neg(), negative).blend(erfSmall, small);
            } else {
                r = tail.blend(two.sub(tail), negative).blend(one.sub(erfSmall), small);
            }
            r.intoArray(buf, dst + i);
        }
    }

    /** X = 0.5 X T (T holding erfc(-X / sqrt 2)). */
    private static void geluErfCombine(float[] buf, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            x.mul(0.5f).mul(FloatVector.fromArray(S, buf, T + i)).intoArray(buf, X + i);
        }
    }

    /** X = G * (Phi(X) + X phi(X)), from T = erfc(-X / sqrt 2) and U = e^-X^2/2. */
    private static void geluErfGradCombine(float[] buf, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector x = FloatVector.fromArray(S, buf, X + i);
            FloatVector cdf = FloatVector.fromArray(S, buf, T + i).mul(0.5f);
            FloatVector pdf = FloatVector.fromArray(S, buf, U + i).mul(ScalarMath.INV_SQRT_2PI);
            x.fma(pdf, cdf).mul(FloatVector.fromArray(S, buf, G + i)).intoArray(buf, X + i);
        }
    }
}
