package org.intervene4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    @Test
    void everyHalfRoundTripsThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.f16ToFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(f)))).isTrue();
                continue;
            }
            assertThat(HalfFloats.floatToF16(f) & 0xffff).as("half 0x%04x", h).isEqualTo(h);
        }
    }

    @Test
    void knownHalfValues() {
        assertThat(HalfFloats.f16ToFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(HalfFloats.f16ToFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(HalfFloats.f16ToFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo((float) Math.pow(2, -24));
        assertThat(HalfFloats.floatToF16(1e6f) & 0xffff).isEqualTo(0x7c00);
        assertThat(HalfFloats.floatToF16(65519f) & 0xffff).isEqualTo(0x7bff);
        assertThat(HalfFloats.floatToF16(65520f) & 0xffff).isEqualTo(0x7c00);
        assertThat(HalfFloats.bf16ToFloat((short) 0x3f80)).isEqualTo(1f);
    }

    /** The conversion picks the nearest representable value, ties to the even mantissa. */
    @Test
    void floatToHalfAndBf16RoundToNearestEven() {
        Random rng = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(9) - 6));
            if (i % 10 == 0) x = Math.round(x * 1024) / 1024f; // many exact ties
            checkNearest(x, HalfFloats.floatToF16(x), true);
            checkNearest(x, HalfFloats.floatToBf16(x), false);
        }
    }

    private static void checkNearest(float x, short bits, boolean half) {
        double got = half ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits);
        double err = Math.abs(got - x);
        for (int delta : new int[] {-1, 1}) {
            short n = (short) (bits + delta);
            double other = half ? HalfFloats.f16ToFloat(n) : HalfFloats.bf16ToFloat(n);
            if (Double.isNaN(other) || Double.isInfinite(other) || Math.signum(other) * Math.signum(got) < 0) continue;
            double otherErr = Math.abs(other - x);
            assertThat(err).as("%s(%s) = %s but %s is closer", half ? "f16" : "bf16", x, got, other)
                    .isLessThanOrEqualTo(otherErr);
            if (err == otherErr) assertThat(bits & 1).as("tie for %s must round to even", x).isZero();
        }
    }
}
