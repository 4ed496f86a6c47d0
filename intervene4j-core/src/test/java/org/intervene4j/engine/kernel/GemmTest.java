package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The packed vector GEMM against the scalar triple loop and against a float64 reference, on
 * awkward sizes, all four transpose combinations, offset and padded operands, with and without
 * accumulation. Errors are measured relative to {@code sum_p |a_ip b_pj| + |c_ij|}, the natural
 * scale of a float dot product's rounding error.
 */
class GemmTest {
    private static final int[] SIZES = {1, 3, 17, 65};

    /** One strided problem: operands live at offsets inside padded buffers, maybe transposed. */
    private static final class Problem {
        final int m, n, k;
        final float[] a, b, c0;
        final int aOff, aRow, aCol, bOff, bRow, bCol, cOff, ldc;

        Problem(Random rng, int m, int n, int k, boolean transA, boolean transB) {
            this.m = m;
            this.n = n;
            this.k = k;
            aOff = 3;
            // A transposed: stored k x m (column i of the storage is row i of A), rows padded by 2.
            aRow = transA ? 1 : k + 2;
            aCol = transA ? m + 2 : 1;
            a = random(rng, aOff + (transA ? k * (m + 2) : m * (k + 2)));
            bOff = 5;
            bRow = transB ? 1 : n + 1;
            bCol = transB ? k + 1 : 1;
            b = random(rng, bOff + (transB ? n * (k + 1) : k * (n + 1)));
            cOff = 7;
            ldc = n + 3;
            c0 = random(rng, cOff + m * ldc);
        }

        float[] run(boolean vector, boolean accumulate) {
            float[] c = c0.clone();
            if (vector) {
                VectorGemm.multiply(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
            } else {
                ScalarGemm.multiply(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
            }
            return c;
        }

        /** Max over C of |got - float64 reference| / scale; also checks the padding is untouched. */
        double error(float[] got, boolean accumulate) {
            return GemmReference.relativeError(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c0, cOff, ldc, accumulate, got);
        }
    }

    private static float[] random(Random rng, int n) {
        return GemmReference.random(rng, n);
    }

    @Test
    void vectorMatchesScalarAndFloat64OnAwkwardSizesAndLayouts() {
        Random rng = new Random(42);
        double worstVsScalar = 0;
        double worstVsExact = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    for (int layout = 0; layout < 4; layout++) {
                        Problem pr = new Problem(rng, m, n, k, (layout & 1) != 0, (layout & 2) != 0);
                        boolean accumulate = ((m + n + k + layout) & 1) == 0;
                        float[] vec = pr.run(true, accumulate);
                        float[] ref = pr.run(false, accumulate);
                        for (int i = 0; i < vec.length; i++) {
                            double scale = Math.max(1.0, Math.abs(ref[i]));
                            worstVsScalar = Math.max(worstVsScalar, Math.abs(vec[i] - ref[i]) / scale);
                        }
                        worstVsExact = Math.max(worstVsExact, pr.error(vec, accumulate));
                    }
                }
            }
        }
        assertThat(worstVsScalar).as("vector vs scalar, relative").isLessThan(1e-5);
        assertThat(worstVsExact).as("vector vs float64, relative to the dot product's scale").isLessThan(1e-6);
    }

    @Test
    void largeProductsSpanSeveralCacheBlocksAndThreads() {
        Random rng = new Random(7);
        // {m, n, k}: rows over several MC blocks, depth over several KC blocks, ragged everywhere;
        // one tall-thin (split over rows) and one short-wide (split over columns); then two thin
        // products (few rows, few columns) that skip packing.
        int[][] shapes = {{300, 21, 270}, {37, 200, 260}, {200, 130, 70}, {3, 1001, 150}, {700, 2, 150}};
        for (int[] s : shapes) {
            for (int layout : new int[] {0, 3, rng.nextInt(4)}) {
                Problem pr = new Problem(rng, s[0], s[1], s[2], (layout & 1) != 0, (layout & 2) != 0);
                boolean accumulate = (layout & 1) == 0;
                double err = pr.error(pr.run(true, accumulate), accumulate);
                assertThat(err).as("shape %dx%dx%d layout %d accumulate %s", s[0], s[1], s[2], layout, accumulate)
                        .isLessThan(1e-6);
            }
        }
    }

    @Test
    void facadeAgreesWithFloat64InBothKernelModes() {
        Random rng = new Random(3);
        boolean saved = KernelConfig.vectorized();
        try {
            for (boolean vector : new boolean[] {false, true}) {
                KernelConfig.setVectorized(vector);
                for (int[] s : new int[][] {{1, 1, 1}, {5, 7, 3}, {65, 17, 33}, {130, 96, 64}}) {
                    Problem pr = new Problem(rng, s[0], s[1], s[2], true, false);
                    float[] c = pr.c0.clone();
                    Gemm.multiply(pr.m, pr.n, pr.k, pr.a, pr.aOff, pr.aRow, pr.aCol, pr.b, pr.bOff, pr.bRow,
                            pr.bCol, c, pr.cOff, pr.ldc, true);
                    assertThat(pr.error(c, true)).as("vector=%s shape %s", vector, java.util.Arrays.toString(s))
                            .isLessThan(1e-6);
                }
            }
        } finally {
            KernelConfig.setVectorized(saved);
        }
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4, 9};
        Gemm.multiply(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, true);
        assertThat(c).containsExactly(1, 2, 3, 4, 9);
        Gemm.multiply(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 2, 1, c, 0, 2, false);
        assertThat(c).containsExactly(0, 0, 0, 0, 9);
        assertThatThrownBy(() -> Gemm.multiply(-1, 2, 2, c, 0, 1, 1, c, 0, 1, 1, c, 0, 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m=-1");
    }

    @Test
    void batchedProductsMatchOneByOne() {
        Random rng = new Random(11);
        int batch = 12;
        int m = 32;
        int n = 33;
        int k = 64;
        float[] a = random(rng, batch * m * k);
        float[] b = random(rng, k * n); // shared by every product (a broadcast weight)
        float[] c = new float[batch * m * n];
        int[] aOffs = new int[batch];
        int[] bOffs = new int[batch];
        int[] cOffs = new int[batch];
        for (int t = 0; t < batch; t++) {
            aOffs[t] = t * m * k;
            cOffs[t] = t * m * n;
        }
        // A read transposed within each product: element (i, p) at i + p * m.
        Gemm.multiplyBatched(batch, m, n, k, a, aOffs, 1, m, b, bOffs, n, 1, c, cOffs, n, false);
        for (int t = 0; t < batch; t++) {
            float[] one = new float[m * n];
            ScalarGemm.multiply(m, n, k, a, aOffs[t], 1, m, b, 0, n, 1, one, 0, n, false);
            for (int i = 0; i < m * n; i++) {
                assertThat((double) c[cOffs[t] + i]).isCloseTo(one[i], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }
}
