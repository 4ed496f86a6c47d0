package org.intervene4j.engine.kernel;

/** erf and erfc in double, as references for the float implementations. */
public final class ErfReference {
    private ErfReference() {}

    /** erf in double: Taylor series for |x| < 2, continued fraction of erfc beyond (error < 1e-13). */
    public static double erf(double x) {
        if (Math.abs(x) >= 2) return Math.signum(x) * (1 - erfcPositive(Math.abs(x)));
        double term = x;
        double sum = x;
        for (int n = 1; n < 60; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    public static double erfc(double x) {
        if (x >= 2) return erfcPositive(x);
        if (x <= -2) return 2 - erfcPositive(-x);
        return 1 - erf(x);
    }

    /** erfc(x) = e^-x^2 / sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), x >= 2. */
    private static double erfcPositive(double x) {
        double f = x;
        for (int k = 160; k >= 1; k--) f = x + (k / 2.0) / f;
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

}
