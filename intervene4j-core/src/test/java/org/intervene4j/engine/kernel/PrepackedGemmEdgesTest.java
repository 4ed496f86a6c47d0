package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.intervene4j.engine.HalfFormat;
import org.junit.jupiter.api.Test;

/** Prepacked GEMM edges (accumulate onto C, offsets, strided A, deep k, thread splits) and LaneSum order. */
class PrepackedGemmEdgesTest {
    private static final HalfFormat[] FORMATS = {null, HalfFormat.F16, HalfFormat.BF16};

    @Test
    void prepackedProductMatchesFloat64OnEveryEdge() {
        int nr = PackedPanels.WIDTH;
        int[][] shapes = { // m, k, n
                {1, 5, 3}, {7, 769, nr + 1}, {9, 1600, 2 * nr - 1}, {8, 768, nr}, {200, 800, 3 * nr + 5},
                {17, 40, 9 * nr + 3}, {3, 2000, 70}, {64, 1537, 5}, {250, 64, 1},
                // around the fp32 row block (VectorPrepackedGemm.MC_PREPACKED): all rows in one
                // block with columns split, rows split for want of panels, and rows split into
                // shares of more than one block
                {300, 40, 16 * nr + 5}, {384, 70, 3 * nr}, {385, 33, 2 * nr + 3}, {800, 50, 2 * nr + 3}};
        Random rng = new Random(7);
        double worst = 0;
        for (boolean vector : new boolean[] {true, false}) {
            boolean saved = KernelConfig.vectorized();
            KernelConfig.setVectorized(vector);
            try {
                for (HalfFormat f : FORMATS) {
                    for (int[] s : shapes) {
                        for (boolean transposedB : new boolean[] {false, true}) {
                            int m = s[0], k = s[1], n = s[2];
                            // B[p, j]: stored row-major [k, n] or column-major (W [n, k] row-major), with an offset
                            int bOff = 3;
                            float[] bf = new float[bOff + k * n];
                            short[] bits = new short[bf.length];
                            for (int i = 0; i < bf.length; i++) {
                                float v = (float) rng.nextGaussian();
                                if (f != null) {
                                    bits[i] = f.fromFloat(v);
                                    v = f.toFloat(bits[i]);
                                }
                                bf[i] = v;
                            }
                            int rs = transposedB ? 1 : n, cs = transposedB ? k : 1;
                            PackedPanels panels = f == null ? PackedPanels.pack(bf, bOff, rs, cs, k, n)
                                    : PackedPanels.pack(f, bits, bOff, rs, cs, k, n);
                            for (int p = 0; p < k; p += Math.max(1, k / 7)) {
                                for (int j = 0; j < n; j++) {
                                    assertThat(panels.get(p, j)).isEqualTo(bf[bOff + p * rs + j * cs]);
                                }
                            }
                            // A [m, k] strided: column-major with offset when m is odd
                            int aOff = 2;
                            float[] a = new float[aOff + m * k];
                            for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
                            int aRow = m % 2 == 1 ? 1 : k, aCol = m % 2 == 1 ? m : 1;
                            int cOff = 5, ldc = n + 3;
                            float[] c0 = new float[cOff + m * ldc + 2];
                            for (int i = 0; i < c0.length; i++) c0[i] = (float) rng.nextGaussian();
                            for (boolean acc : new boolean[] {false, true}) {
                                float[] c = c0.clone();
                                Gemm.multiply(m, a, aOff, aRow, aCol, panels, c, cOff, ldc, acc);
                                for (int idx = 0; idx < c.length; idx++) {
                                    int i = (idx - cOff) / ldc, j = (idx - cOff) % ldc;
                                    double want = c0[idx];
                                    if (idx >= cOff && i < m && j < n) {
                                        double sum = acc ? c0[idx] : 0;
                                        for (int p = 0; p < k; p++) {
                                            sum += (double) a[aOff + i * aRow + p * aCol] * bf[bOff + p * rs + j * cs];
                                        }
                                        want = sum;
                                        worst = Math.max(worst, Math.abs(c[idx] - want) / Math.sqrt(k));
                                    } else {
                                        assertThat(c[idx]).as("outside C written: idx %d", idx).isEqualTo(c0[idx]);
                                    }
                                }
                            }
                        }
                    }
                }
            } finally {
                KernelConfig.setVectorized(saved);
            }
        }
        assertThat(worst).isLessThan(1e-5);
    }

    @Test
    void biasAddedAtTheStoreEqualsFillingCWithTheBiasFirstBitForBit() {
        int nr = PackedPanels.WIDTH;
        int[][] shapes = {{1, 5, 3}, {9, 1600, 2 * nr - 1}, {200, 800, 3 * nr + 5}, {17, 40, 9 * nr + 3}, {64, 1537, 5}};
        Random rng = new Random(8);
        for (boolean vector : new boolean[] {true, false}) {
            boolean saved = KernelConfig.vectorized();
            KernelConfig.setVectorized(vector);
            try {
                for (HalfFormat f : FORMATS) {
                    for (int[] s : shapes) {
                        int m = s[0], k = s[1], n = s[2];
                        float[] w = new float[n * k];
                        short[] bits = new short[w.length];
                        for (int i = 0; i < w.length; i++) {
                            w[i] = (float) rng.nextGaussian();
                            if (f != null) bits[i] = f.fromFloat(w[i]);
                        }
                        PackedPanels panels = f == null ? PackedPanels.pack(w, 0, 1, k, k, n) : PackedPanels.pack(f, bits, 0, 1, k, k, n);
                        float[] a = new float[m * k];
                        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
                        int biasOff = 4;
                        float[] bias = new float[biasOff + n];
                        for (int i = 0; i < bias.length; i++) bias[i] = (float) rng.nextGaussian();
                        int cOff = 3, ldc = n + 2;
                        float[] filled = new float[cOff + m * ldc];
                        for (int i = 0; i < m; i++) System.arraycopy(bias, biasOff, filled, cOff + i * ldc, n);
                        Gemm.multiply(m, a, 0, k, 1, panels, filled, cOff, ldc, true);
                        float[] fused = new float[filled.length];
                        Gemm.multiply(m, a, 0, k, 1, panels, bias, biasOff, fused, cOff, ldc, false);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                int o = cOff + i * ldc + j;
                                assertThat(fused[o]).as("%s %s m=%d k=%d n=%d (%d, %d)", vector ? "vector" : "scalar", f, m, k, n, i, j)
                                        .isEqualTo(filled[o]);
                            }
                        }
                        // with accumulate the bias is not added again
                        float[] again = fused.clone();
                        Gemm.multiply(m, a, 0, k, 1, panels, bias, biasOff, again, cOff, ldc, true);
                        float[] plain = fused.clone();
                        Gemm.multiply(m, a, 0, k, 1, panels, plain, cOff, ldc, true);
                        assertThat(again).containsExactly(plain);
                    }
                }
            } finally {
                KernelConfig.setVectorized(saved);
            }
        }
    }

    @Test
    void laneSumKeepsTheOldHalvingTreeBitForBit() {
        VectorSpecies<Float> sp = FloatVector.SPECIES_PREFERRED;
        int lanes = sp.length();
        Random rng = new Random(3);
        for (int trial = 0; trial < 2000; trial++) {
            float[] v = new float[lanes];
            for (int i = 0; i < lanes; i++) v[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(12) - 6));
            FloatVector x = FloatVector.fromArray(sp, v, 0);
            for (int half = lanes / 2; half >= 1; half /= 2) x = x.add(x.rearrange(VectorShuffle.iota(sp, half, 1, true)));
            assertThat(Float.floatToIntBits(LaneSum.of(FloatVector.fromArray(sp, v, 0))))
                    .isEqualTo(Float.floatToIntBits(x.lane(0)));
            // other species: the slow path
            for (VectorSpecies<Float> other : new VectorSpecies[] {FloatVector.SPECIES_64, FloatVector.SPECIES_128,
                    FloatVector.SPECIES_256, FloatVector.SPECIES_512}) {
                if (other.length() > lanes) continue;
                FloatVector y = FloatVector.fromArray(other, v, 0);
                FloatVector z = y;
                for (int half = other.length() / 2; half >= 1; half /= 2) z = z.add(z.rearrange(VectorShuffle.iota(other, half, 1, true)));
                assertThat(Float.floatToIntBits(LaneSum.of(y))).isEqualTo(Float.floatToIntBits(z.lane(0)));
            }
        }
    }
}
