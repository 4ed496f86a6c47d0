package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The row kernels called directly: vector vs scalar at unaligned offsets, and the vector exp. */
class RowKernelsTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int[] SIZES = {1, 3, 17, 65, 1000};

    @Test
    void polynomialExpIsWithinTwoUlpOverTheNormalRange() {
        Random rng = new Random(1);
        float[] x = new float[S.length()];
        float[] y = new float[S.length()];
        double worst = 0;
        for (int it = 0; it < 4_000; it++) {
            for (int i = 0; i < x.length; i++) x[i] = -87f + 175.5f * rng.nextFloat();
            VectorExp.polynomialExp(FloatVector.fromArray(S, x, 0)).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                double ref = Math.exp(x[i]);
                if (ref > Float.MAX_VALUE) continue;
                worst = Math.max(worst, Math.abs(y[i] - ref) / Math.ulp((float) ref));
            }
        }
        System.out.printf("[maxerr] polynomial exp: %.3f ulp%n", worst);
        assertThat(worst).isLessThanOrEqualTo(2.0);
    }

    @Test
    void bothExpsHandleSpecialValues() {
        float[] in = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 0f, -200f, 89f, 88.7f, -87.5f, -100f, 1f};
        for (boolean poly : new boolean[] {true, false}) {
            float[] x = new float[S.length()];
            float[] y = new float[S.length()];
            for (float v : in) {
                java.util.Arrays.fill(x, v);
                FloatVector xv = FloatVector.fromArray(S, x, 0);
                (poly ? VectorExp.polynomialExp(xv) : VectorExp.exp(xv)).intoArray(y, 0);
                float want = (float) Math.exp(v);
                if (Float.isNaN(want)) {
                    assertThat(Float.isNaN(y[0])).as("exp(NaN) poly=%s", poly).isTrue();
                } else if (Float.isInfinite(want) || want == 0f) {
                    assertThat(y[0]).as("exp(%s) poly=%s", v, poly).isEqualTo(want);
                } else {
                    assertThat((double) y[0]).as("exp(%s) poly=%s", v, poly)
                            .isCloseTo(want, org.assertj.core.data.Offset.offset(2.5 * Math.ulp(want)));
                }
            }
        }
    }

    /** Random row data at an unaligned offset, with some -infinity entries when asked. */
    private static float[] row(Random rng, int off, int n, float scale, boolean withNegInf) {
        float[] a = new float[off + n + 5];
        for (int i = 0; i < a.length; i++) a[i] = (float) (scale * rng.nextGaussian());
        if (withNegInf) for (int i = off; i < off + n; i += 3) a[i] = Float.NEGATIVE_INFINITY;
        return a;
    }

    private interface Kernel {
        void run(float[] out, int outOff);
    }

    /** Runs the kernel with scalar then vector kernels into fresh arrays and compares them. */
    private static void agree(String what, int n, int off, Kernel k) {
        boolean was = KernelConfig.vectorized();
        float[] s = new float[off + n];
        float[] v = new float[off + n];
        try {
            KernelConfig.setVectorized(false);
            k.run(s, off);
            KernelConfig.setVectorized(true);
            k.run(v, off);
        } finally {
            KernelConfig.setVectorized(was);
        }
        double worst = 0;
        for (int i = off; i < off + n; i++) {
            worst = Math.max(worst, Math.abs(s[i] - v[i]) / Math.max(1.0, Math.abs(s[i])));
        }
        assertThat(worst).as("%s n=%d: vector vs scalar", what, n).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void vectorAndScalarRowKernelsAgreeAtUnalignedOffsets() {
        Random rng = new Random(2);
        for (int n : SIZES) {
            int off = 3;
            float[] x = row(rng, 5, n, 4f, false);
            float[] xi = row(rng, 5, n, 4f, true);
            float[] dy = row(rng, 7, n, 1f, false);
            float[] gamma = row(rng, 0, n, 1f, false);
            float[] beta = row(rng, 0, n, 1f, false);
            agree("softmax", n, off, (o, oo) -> RowKernels.softmaxRow(x, 5, o, oo, n));
            agree("softmax with -inf", n, off, (o, oo) -> RowKernels.softmaxRow(xi, 5, o, oo, n));
            agree("logSoftmax", n, off, (o, oo) -> RowKernels.logSoftmaxRow(x, 5, o, oo, n));
            agree("logSumExp", 2, 0, (o, oo) -> RowKernels.logSumExpRow(x, 5, n, o, oo));
            agree("expShiftScale", n, off, (o, oo) -> RowKernels.expShiftScaleRow(x, 5, 2f, 0.5f, 0.25f, o, oo, n));
            agree("softmax backward", n, off, (o, oo) -> RowKernels.softmaxBackwardRow(x, 5, dy, 7, o, oo, n));
            agree("logSoftmax backward", n, off, (o, oo) -> RowKernels.logSoftmaxBackwardRow(x, 5, dy, 7, o, oo, n));
            agree("layerNorm", n, off, (o, oo) -> RowKernels.layerNormRow(x, 5, o, oo, n, gamma, beta, 1e-5f,
                    new float[1], new float[1], 0));
            agree("rmsNorm", n, off, (o, oo) -> RowKernels.rmsNormRow(x, 5, o, oo, n, null, 1e-5f, new float[1], 0));
            agree("layerNorm backward dx", n, off, (o, oo) -> RowKernels.layerNormBackwardRow(x, 5, dy, 7, n, gamma,
                    0.3f, 0.7f, o, oo, null, null));
            agree("layerNorm backward dgamma+dbeta", 2 * n, 0, (o, oo) -> {
                float[] dg = new float[n];
                float[] db = new float[n];
                RowKernels.layerNormBackwardRow(x, 5, dy, 7, n, null, 0.3f, 0.7f, null, 0, dg, db);
                System.arraycopy(dg, 0, o, 0, n);
                System.arraycopy(db, 0, o, n, n);
            });
            agree("rmsNorm backward", n, off, (o, oo) -> RowKernels.rmsNormBackwardRow(x, 5, dy, 7, n, gamma,
                    0.7f, o, oo, null));
        }
    }

    @Test
    void rowOfOnlyNegativeInfinityBecomesZeros() {
        for (boolean vec : new boolean[] {false, true}) {
            boolean was = KernelConfig.vectorized();
            try {
                KernelConfig.setVectorized(vec);
                float[] x = new float[40];
                java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
                float[] y = new float[40];
                java.util.Arrays.fill(y, 7f);
                RowKernels.softmaxRow(x, 0, y, 0, 40);
                assertThat(y).containsOnly(0f);
            } finally {
                KernelConfig.setVectorized(was);
            }
        }
    }
}
