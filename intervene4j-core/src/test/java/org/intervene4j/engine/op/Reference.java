package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.DoubleUnaryOperator;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.ErfReference;
import org.intervene4j.testing.Rand;

/** Float64 reference functions and comparison helpers for the elementwise op tests. */
final class Reference {
    private Reference() {}

    static double erf(double x) {
        return ErfReference.erf(x);
    }

    static double erfc(double x) {
        return ErfReference.erfc(x);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * GELU (tanh form) as {@code x * sigmoid(2u)}: equal to {@code 0.5x(1 + tanh u)}, but the
     * latter cancels even in double for x below about -5.
     */
    static double gelu(double x) {
        double u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
        return x / (1 + Math.exp(-2 * u));
    }

    static double geluErf(double x) {
        return 0.5 * x * erfc(-x / Math.sqrt(2));
    }

    /** Asserts {@code actual[i] ~ f(input[i])} within {@code rel} relative (plus {@code abs}). */
    static void assertMap(String what, Tensor input, Tensor actual, DoubleUnaryOperator f, double rel, double abs) {
        double[] x = Rand.doubles(input);
        double[] y = Rand.doubles(actual);
        assertThat(actual.shape()).as(what + " shape").isEqualTo(input.shape());
        for (int i = 0; i < x.length; i++) {
            double ref = f.applyAsDouble(x[i]);
            assertClose(what + " at x=" + x[i], y[i], ref, rel, abs);
        }
    }

    static void assertClose(String what, double actual, double ref, double rel, double abs) {
        if (Double.isNaN(ref)) {
            assertThat(actual).as(what).isNaN();
        } else if (Double.isInfinite(ref) || Math.abs(ref) > Float.MAX_VALUE) {
            assertThat(actual).as(what).isEqualTo((double) (float) ref);
        } else {
            assertThat(Math.abs(actual - ref)).as("%s: got %.9g, expected %.9g", what, actual, ref)
                    .isLessThanOrEqualTo(rel * Math.abs(ref) + abs);
        }
    }

    /** Relative agreement of two float arrays: |a - b| <= rel * max(|a|, |b|) + abs. */
    static void assertArraysClose(String what, float[] a, float[] b, double rel, double abs) {
        assertThat(a.length).as(what + " length").isEqualTo(b.length);
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
                assertThat(Float.isNaN(a[i]) && Float.isNaN(b[i])).as("%s [%d]: %s vs %s", what, i, a[i], b[i]).isTrue();
                continue;
            }
            if (a[i] == b[i]) continue; // also equal infinities
            double tol = rel * Math.max(Math.abs(a[i]), Math.abs(b[i])) + abs;
            assertThat((double) Math.abs(a[i] - b[i])).as("%s [%d]: %s vs %s", what, i, a[i], b[i]).isLessThanOrEqualTo(tol);
        }
    }
}
