package org.intervene4j.engine.kernel;

/**
 * Scalar float math the JDK lacks (erf, erfc) and the scalar forms of the activation
 * functions, written to avoid cancellation: {@link #erfc} is accurate in relative terms in its
 * tail, and GELU uses {@code x * sigmoid(2u)} instead of {@code 0.5x(1 + tanh u)}.
 * {@link VectorFloatMath} evaluates the same formulas lane-wise.
 */
public final class ScalarMath {
    private ScalarMath() {}

    /** sqrt(2/pi), the GELU tanh-approximation scale. */
    static final float GELU_C = 0.7978845608028654f;
    static final float GELU_K = 0.044715f;
    /** The same constants in double, for the double-precision scalar evaluation. */
    private static final double GELU_C_D = Math.sqrt(2 / Math.PI);
    private static final double GELU_K_D = 0.044715;
    static final float INV_SQRT2 = 0.7071067811865476f;
    /** 1/sqrt(2 pi), the standard normal density at 0. */
    static final float INV_SQRT_2PI = 0.3989422804014327f;

    /*
     * erf on |z| < 0.5: erf(z) = z * P(z^2); erfc on |z| >= 0.5: erfc(z) = exp(-z^2) * Q(t) with
     * t = 1 / (1 + z/2). P (degree 6) and Q (degree 8) were fitted here as weighted least-squares
     * (relative-error) polynomials against mpmath on Chebyshev nodes; in exact arithmetic they
     * are within 1.3e-9 (P) and 6e-9 (Q) relative; float evaluation gives erf within 2.6e-7
     * and erfc within 3.9e-7 relative over all floats where the result is normal.
     */
    static final float[] ERF_P = {1.12837911f, -0.37612626f, 0.112835899f, -0.0268539898f,
            0.00518863648f, -0.000801272865f, 7.86180681e-05f};
    static final float[] ERFC_Q = {-1.74618817e-05f, 0.282529116f, 0.277560979f, 0.272604197f,
            0.0903295949f, 0.249505371f, -0.160322741f, -0.0531301871f, 0.0410384052f};
    /** Beyond this |z| erfc underflows to 0 in float; the argument is capped to keep z*z finite. */
    static final float ERFC_CAP = 10.5f;

    /** The error function, float accuracy (about 2.6e-7 relative). */
    public static float erf(float z) {
        float a = Math.abs(z);
        if (a < 0.5f) return z * poly(ERF_P, z * z);
        if (Float.isNaN(z)) return z;
        float r = 1f - erfcTail(a);
        return z < 0 ? -r : r;
    }

    /** The complementary error function {@code 1 - erf(z)}, accurate in relative terms in its tail. */
    public static float erfc(float z) {
        float a = Math.abs(z);
        if (a < 0.5f) return 1f - z * poly(ERF_P, z * z);
        if (Float.isNaN(z)) return z;
        float r = erfcTail(a);
        return z < 0 ? 2f - r : r;
    }

    /** erfc(a) for a >= 0.5. */
    private static float erfcTail(float a) {
        a = Math.min(a, ERFC_CAP);
        float t = 1f / (1f + 0.5f * a);
        float z2 = a * a;
        // exp(-(z2 + err)) where err is the rounding error of z2: keeps the tail accurate.
        float err = Math.fma(a, a, -z2);
        float e = (float) Math.exp(-z2) * (1f - err);
        return e * poly(ERFC_Q, t);
    }

    static float poly(float[] c, float x) {
        float r = c[c.length - 1];
        for (int i = c.length - 2; i >= 0; i--) r = Math.fma(r, x, c[i]);
        return r;
    }

    /** Logistic sigmoid {@code 1 / (1 + e^-x)}. */
    public static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /** GELU, tanh approximation, as {@code x * sigmoid(2u)}, {@code u = sqrt(2/pi)(x + 0.044715 x^3)}. */
    public static float gelu(float x) {
        double xd = x;
        double u = GELU_C_D * (xd + GELU_K_D * xd * xd * xd);
        return (float) (xd / (1.0 + Math.exp(-2.0 * u)));
    }

    /** d gelu / dx. */
    static float geluGrad(float x) {
        double xd = x;
        double u = GELU_C_D * (xd + GELU_K_D * xd * xd * xd);
        double s = 1.0 / (1.0 + Math.exp(-2.0 * u));
        double du = GELU_C_D * (1.0 + 3.0 * GELU_K_D * xd * xd);
        return (float) (s + xd * s * (1.0 - s) * 2.0 * du);
    }

    /** GELU, exact: {@code x * Phi(x) = 0.5 x erfc(-x / sqrt 2)}. */
    public static float geluErf(float x) {
        return 0.5f * x * phiTail(x);
    }

    /**
     * 2 Phi(x) = erfc(-x / sqrt 2). In the tail the exponent is formed as x^2 / 2 from x itself
     * (exact halving), not from the rounded z = x / sqrt 2, whose error would grow with z^2.
     */
    static float phiTail(float x) {
        float z = -x * INV_SQRT2;
        if (Math.abs(z) < 0.5f || Float.isNaN(x)) return erfc(z);
        float xa = Math.min(Math.abs(x), ERFC_CAP / INV_SQRT2);
        float a = Math.min(Math.abs(z), ERFC_CAP);
        float t = 1f / (1f + 0.5f * a);
        float h = xa * xa;
        float err = Math.fma(xa, xa, -h) * 0.5f;
        float r = (float) Math.exp(-0.5f * h) * (1f - err) * poly(ERFC_Q, t);
        return z < 0 ? 2f - r : r;
    }

    /** d geluErf / dx = Phi(x) + x phi(x). */
    static float geluErfGrad(float x) {
        float cdf = 0.5f * phiTail(x);
        float pdf = INV_SQRT_2PI * (float) Math.exp(-0.5 * x * x);
        return cdf + x * pdf;
    }

    /** SiLU {@code x * sigmoid(x)}. */
    public static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    /** d silu / dx = s + x s (1 - s). */
    static float siluGrad(float x) {
        double s = 1.0 / (1.0 + Math.exp(-x));
        return (float) (s + x * s * (1.0 - s));
    }
}
