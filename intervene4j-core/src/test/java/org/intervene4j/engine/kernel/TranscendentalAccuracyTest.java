package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Dense sweeps of the vectorized transcendental functions (and the scalar erf) against float64,
 * measured in relative error where the result is a normal float.
 */
class TranscendentalAccuracyTest {

    private static float[] sweep(float lo, float hi, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1);
        return x;
    }

    /** Max relative error of y vs f(x) over results with |f| >= Float.MIN_NORMAL. */
    private static double maxRel(float[] x, float[] y, DoubleUnaryOperator f) {
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double ref = f.applyAsDouble(x[i]);
            if (Math.abs(ref) < Float.MIN_NORMAL || Math.abs(ref) > Float.MAX_VALUE) continue;
            worst = Math.max(worst, Math.abs(y[i] - ref) / Math.abs(ref));
        }
        return worst;
    }

    private static float[] vector(VectorFloatMath.Fn fn, float[] x) {
        float[] y = new float[x.length];
        VectorFloatMath.apply(fn, x, 0, null, 0, y, 0, x.length);
        return y;
    }

    @Test
    void vectorExpIsWithinTwoUlpOverTheWholeRange() {
        float[] x = sweep(-87.3f, 88.7f, 100_001);
        double rel = maxRel(x, vector(VectorFloatMath.Fn.EXP, x), Math::exp);
        assertThat(rel).isLessThan(2.4e-7); // 2 ulp = 2^-22
    }

    @Test
    void vectorExpHandlesOverflowUnderflowSubnormalsAndNaN() {
        float[] x = {89f, 100f, Float.POSITIVE_INFINITY, -104f, -200f, Float.NEGATIVE_INFINITY, Float.NaN, -100f, -90f, 0f};
        float[] y = vector(VectorFloatMath.Fn.EXP, x);
        assertThat(y[0]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[1]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[2]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[3]).isEqualTo(0f);
        assertThat(y[4]).isEqualTo(0f);
        assertThat(y[5]).isEqualTo(0f);
        assertThat(y[6]).isNaN();
        // Subnormal results keep their absolute accuracy (to the subnormal spacing).
        assertThat((double) y[7]).isCloseTo(Math.exp(-100), org.assertj.core.data.Offset.offset(2.0 * Float.MIN_VALUE));
        assertThat((double) y[8]).isCloseTo(Math.exp(-90), org.assertj.core.data.Offset.offset(2.0 * Float.MIN_VALUE));
        assertThat(y[9]).isEqualTo(1f);
    }

    @Test
    void vectorTanhSigmoidSiluGeluAreWithinOneMillionthRelative() {
        float[] x = sweep(-30f, 30f, 60_001);
        float[] tiny = sweep(-1e-3f, 1e-3f, 20_001);
        assertThat(maxRel(x, vector(VectorFloatMath.Fn.TANH, x), Math::tanh)).isLessThan(1e-6);
        assertThat(maxRel(tiny, vector(VectorFloatMath.Fn.TANH, tiny), Math::tanh)).isLessThan(1e-6);
        assertThat(maxRel(x, vector(VectorFloatMath.Fn.SIGMOID, x), v -> 1 / (1 + Math.exp(-v)))).isLessThan(1e-6);
        assertThat(maxRel(x, vector(VectorFloatMath.Fn.SILU, x), v -> v / (1 + Math.exp(-v)))).isLessThan(1e-6);
        float[] g = sweep(-5f, 12f, 60_001);
        double c = Math.sqrt(2 / Math.PI);
        DoubleUnaryOperator gelu = v -> v / (1 + Math.exp(-2 * c * (v + 0.044715 * v * v * v))); // = 0.5v(1 + tanh u)
        assertThat(maxRel(g, vector(VectorFloatMath.Fn.GELU, g), gelu)).isLessThan(1e-6);
        // Deep negative tail (|gelu| < 3e-7, down to 1e-32): the exponent is formed in double.
        float[] tail = sweep(-9.5f, -5f, 20_001);
        assertThat(maxRel(tail, vector(VectorFloatMath.Fn.GELU, tail), gelu)).isLessThan(1e-6);
    }

    @Test
    void exactGeluIsWithinOneMillionthRelativeIncludingItsTail() {
        float[] x = sweep(-12.5f, 12f, 50_001);
        DoubleUnaryOperator ref = v -> 0.5 * v * ErfReference.erfc(-v / Math.sqrt(2));
        assertThat(maxRel(x, vector(VectorFloatMath.Fn.GELU_ERF, x), ref)).isLessThan(1e-6);
        float[] s = new float[x.length];
        for (int i = 0; i < x.length; i++) s[i] = ScalarMath.geluErf(x[i]);
        assertThat(maxRel(x, s, ref)).isLessThan(1e-6);
    }

    @Test
    void erfAndErfcAreAccurateInRelativeTermsIncludingTheTail() {
        float[] z = sweep(-9.3f, 9.3f, 60_001);
        double vErf = maxRel(z, vector(VectorFloatMath.Fn.ERF, z), ErfReference::erf);
        double vErfc = maxRel(z, vector(VectorFloatMath.Fn.ERFC, z), ErfReference::erfc);
        float[] sErf = new float[z.length];
        float[] sErfc = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            sErf[i] = ScalarMath.erf(z[i]);
            sErfc[i] = ScalarMath.erfc(z[i]);
        }
        assertThat(vErf).isLessThan(5e-7);
        assertThat(vErfc).isLessThan(1e-6);
        assertThat(maxRel(z, sErf, ErfReference::erf)).isLessThan(5e-7);
        assertThat(maxRel(z, sErfc, ErfReference::erfc)).isLessThan(1e-6);
        assertThat(ScalarMath.erf(Float.NaN)).isNaN();
        assertThat(ScalarMath.erfc(Float.POSITIVE_INFINITY)).isEqualTo(0f);
        assertThat(ScalarMath.erf(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
        float[] special = vector(VectorFloatMath.Fn.ERFC, new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
        assertThat(special[0]).isNaN();
        assertThat(special[1]).isEqualTo(0f);
        assertThat(special[2]).isEqualTo(2f);
    }

    @Test
    void doubleErfReferenceMatchesKnownValues() {
        // Values from mpmath at 30 digits.
        assertThat(ErfReference.erf(0.5)).isCloseTo(0.520499877813047, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(ErfReference.erf(1)).isCloseTo(0.842700792949715, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(ErfReference.erf(-1.5)).isCloseTo(-0.966105146475311, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(ErfReference.erfc(2) / 0.00467773498104727 - 1).isLessThan(1e-12);
        assertThat(Math.abs(ErfReference.erfc(5) / 1.53745979442803e-12 - 1)).isLessThan(1e-12);
        assertThat(Math.abs(ErfReference.erfc(9) / 4.13703174651381e-37 - 1)).isLessThan(1e-12);
        assertThat(ErfReference.erfc(-3)).isCloseTo(1.999977909503, org.assertj.core.data.Offset.offset(1e-12));
    }
}
