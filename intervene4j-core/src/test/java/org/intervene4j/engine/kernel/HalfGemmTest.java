package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.HalfFormat;
import org.junit.jupiter.api.Test;

/**
 * fp32 x half-precision GEMM: the vectorized kernels (thin dot products, thin row sweeps, the
 * packed kernel with widening pack) against the scalar triple loop, against a float64
 * reference, and against widen-then-fp32-GEMM, on awkward sizes, row-major (Conv1D),
 * column-major (nn.Linear) and generally strided B, offset and padded operands.
 */
class HalfGemmTest {
    private static final int[] SIZES = {1, 3, 17, 65};

    /** A strided problem; B's layout: 0 row-major, 1 column-major, 2 both strides > 1. */
    private static final class Problem {
        final int m, n, k;
        final HalfFormat format;
        final float[] a, c0;
        final short[] b;
        final int aOff, aRow, aCol, bOff, bRow, bCol, cOff, ldc;

        Problem(Random rng, int m, int n, int k, boolean transA, int bLayout, HalfFormat format) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.format = format;
            aOff = 3;
            aRow = transA ? 1 : k + 2;
            aCol = transA ? m + 2 : 1;
            a = random(rng, aOff + (transA ? k * (m + 2) : m * (k + 2)));
            bOff = 5;
            switch (bLayout) {
                case 0 -> { bRow = n + 1; bCol = 1; }
                case 1 -> { bRow = 1; bCol = k + 1; }
                default -> { bRow = 2 * n + 1; bCol = 2; }
            }
            b = new short[bOff + (bLayout == 1 ? n * (k + 1) : k * bRow + 2 * n)];
            for (int i = 0; i < b.length; i++) b[i] = format.fromFloat((float) rng.nextGaussian());
            cOff = 7;
            ldc = n + 3;
            c0 = random(rng, cOff + m * ldc);
        }

        float[] run(boolean vector, boolean accumulate) {
            float[] c = c0.clone();
            if (vector) {
                VectorHalfGemm.multiply(m, n, k, a, aOff, aRow, aCol, format, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
            } else {
                ScalarHalfGemm.multiply(m, n, k, a, aOff, aRow, aCol, format, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
            }
            return c;
        }

        /** The same product with B widened to fp32 first, through the fp32 vector GEMM. */
        float[] runWidened(boolean accumulate) {
            float[] wide = new float[b.length];
            for (int i = 0; i < b.length; i++) wide[i] = format.toFloat(b[i]);
            float[] c = c0.clone();
            VectorGemm.multiply(m, n, k, a, aOff, aRow, aCol, wide, bOff, bRow, bCol, c, cOff, ldc, accumulate);
            return c;
        }

        /** Max over C of |got - float64| / (sum_p |a b| + |c|); checks C's padding is untouched. */
        double error(float[] got, boolean accumulate) {
            float[] wide = new float[b.length]; // widening is exact, so the reference reads the same values
            for (int i = 0; i < b.length; i++) wide[i] = format.toFloat(b[i]);
            return GemmReference.relativeError(m, n, k, a, aOff, aRow, aCol, wide, bOff, bRow, bCol, c0, cOff, ldc, accumulate, got);
        }
    }

    private static float[] random(Random rng, int n) {
        return GemmReference.random(rng, n);
    }

    private static double maxRelative(float[] got, float[] want) {
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1.0, Math.abs(want[i])));
        }
        return worst;
    }

    @Test
    void everyWidenedValueIsExactIncludingSubnormalsInfinitiesAndNaN() {
        short[] all = new short[65536 + 3];
        for (int i = 0; i < 65536; i++) all[i + 3] = (short) i;
        for (HalfFormat f : HalfFormat.values()) {
            float[] got = new float[all.length];
            // An odd offset and a length that is no multiple of the vector width: tail included.
            VectorHalf.widen(f == HalfFormat.BF16, all, 3, got, 1, 65535);
            for (int i = 0; i < 65535; i++) {
                int want = Float.floatToRawIntBits(f.toFloat((short) i));
                assertThat(Float.floatToRawIntBits(got[i + 1])).as("%s bits 0x%04x", f, i).isEqualTo(want);
            }
        }
        // Spot checks of the scalar twin itself.
        assertThat(HalfFormat.F16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);      // smallest subnormal
        assertThat(HalfFormat.F16.toFloat((short) 0x03ff)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
        assertThat(HalfFormat.F16.toFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(HalfFormat.F16.toFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFormat.F16.toFloat((short) 0x7e00)).isNaN();
        assertThat(HalfFormat.BF16.toFloat((short) 0x3f80)).isEqualTo(1f);
    }

    @Test
    void vectorMatchesScalarFloat64AndWidenedFp32OnAwkwardSizesAndLayouts() {
        Random rng = new Random(42);
        double worstVsScalar = 0;
        double worstVsWidened = 0;
        double worstVsExact = 0;
        int cases = 0;
        for (HalfFormat f : HalfFormat.values()) {
            for (int m : SIZES) {
                for (int n : SIZES) {
                    for (int k : SIZES) {
                        for (int bLayout = 0; bLayout < 3; bLayout++) {
                            boolean transA = ((m + k + bLayout) & 1) == 0;
                            boolean accumulate = ((m + n + k + bLayout) & 1) == 0;
                            Problem pr = new Problem(rng, m, n, k, transA, bLayout, f);
                            float[] vec = pr.run(true, accumulate);
                            worstVsScalar = Math.max(worstVsScalar, maxRelative(vec, pr.run(false, accumulate)));
                            worstVsWidened = Math.max(worstVsWidened, maxRelative(vec, pr.runWidened(accumulate)));
                            worstVsExact = Math.max(worstVsExact, pr.error(vec, accumulate));
                            cases++;
                        }
                    }
                }
            }
        }
        assertThat(cases).isEqualTo(2 * 4 * 4 * 4 * 3);
        assertThat(worstVsScalar).as("vector vs scalar, relative").isLessThan(1e-5);
        assertThat(worstVsWidened).as("vector vs widen-then-fp32, relative").isLessThan(1e-5);
        assertThat(worstVsExact).as("vector vs float64, relative to the dot product's scale").isLessThan(1e-6);
    }

    @Test
    void packedPathWidensExactlyLikeTheFp32Kernel() {
        // Not thin, so both run the same packed micro-kernel on the same panels: bit-identical.
        Random rng = new Random(5);
        for (HalfFormat f : HalfFormat.values()) {
            for (int bLayout = 0; bLayout < 3; bLayout++) {
                // 9 x 40: ragged register tiles (MR = 8, NR = 2 vectors); depth over two KC blocks.
                Problem pr = new Problem(rng, 9, 40, 300, bLayout == 2, bLayout, f);
                assertThat(pr.run(true, true)).as("%s layout %d", f, bLayout).containsExactly(pr.runWidened(true));
            }
        }
    }

    @Test
    void largeAndThinProductsAgreeWithFloat64() {
        Random rng = new Random(7);
        // {m, n, k}: several KC depth blocks and MC row blocks; wider than one NC column block;
        // a decode step (1 row) against both weight layouts; a probe with 2 outputs.
        int[][] shapes = {{200, 130, 270}, {5, 4100, 3}, {1, 1000, 300}, {2, 77, 1001}, {300, 2, 150}};
        for (int[] s : shapes) {
            for (int bLayout = 0; bLayout < 3; bLayout++) {
                HalfFormat f = HalfFormat.values()[(s[0] + bLayout) & 1];
                Problem pr = new Problem(rng, s[0], s[1], s[2], false, bLayout, f);
                double err = pr.error(pr.run(true, false), false);
                assertThat(err).as("%s shape %dx%dx%d B layout %d", f, s[0], s[1], s[2], bLayout).isLessThan(1e-6);
            }
        }
    }

    @Test
    void facadeHandlesZeroDepthAndBothKernelModes() {
        float[] c = {1, 2, 3, 4, 9};
        HalfGemm.multiply(2, 2, 0, new float[0], 0, 0, 1, HalfFormat.BF16, new short[0], 0, 2, 1, c, 0, 2, true);
        assertThat(c).containsExactly(1, 2, 3, 4, 9);
        HalfGemm.multiply(2, 2, 0, new float[0], 0, 0, 1, HalfFormat.BF16, new short[0], 0, 2, 1, c, 0, 2, false);
        assertThat(c).containsExactly(0, 0, 0, 0, 9);
        Random rng = new Random(3);
        boolean saved = KernelConfig.vectorized();
        try {
            for (boolean vector : new boolean[] {false, true}) {
                KernelConfig.setVectorized(vector);
                for (int[] s : new int[][] {{1, 1, 1}, {5, 7, 3}, {65, 17, 33}, {1, 96, 64}}) {
                    Problem pr = new Problem(rng, s[0], s[1], s[2], false, 1, HalfFormat.F16);
                    float[] out = pr.c0.clone();
                    HalfGemm.multiply(pr.m, pr.n, pr.k, pr.a, pr.aOff, pr.aRow, pr.aCol, pr.format, pr.b, pr.bOff,
                            pr.bRow, pr.bCol, out, pr.cOff, pr.ldc, true);
                    assertThat(pr.error(out, true)).as("vector=%s %s", vector, java.util.Arrays.toString(s)).isLessThan(1e-6);
                }
            }
        } finally {
            KernelConfig.setVectorized(saved);
        }
    }
}
