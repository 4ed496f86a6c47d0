package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The shuffle-based 8-row panel packing against its definition, on 8- and 16-lane vectors. */
class RowPanelTransposeTest {

    @Test
    void packsEightRowsStepByStepOnBothVectorWidths() {
        Random rng = new Random(11);
        for (VectorSpecies<Float> species : java.util.List.of(FloatVector.SPECIES_256, FloatVector.SPECIES_512)) {
            RowPanelTranspose t = new RowPanelTranspose(species);
            // whole groups of 8 / 16 steps, remainders on either side of them, a single step
            for (int kc : new int[] {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 768}) {
                int off = 5;
                int rs = kc + 3; // rows further apart than the packed depth
                float[] a = new float[off + 8 * rs];
                for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
                int d = 7;
                float[] dst = new float[d + 8 * kc + 9];
                java.util.Arrays.fill(dst, Float.NaN);
                t.pack(a, off, rs, kc, dst, d);
                for (int p = 0; p < kc; p++) {
                    for (int r = 0; r < 8; r++) {
                        assertThat(dst[d + p * 8 + r]).as("L=%d kc=%d step %d row %d", species.length(), kc, p, r)
                                .isEqualTo(a[off + r * rs + p]);
                    }
                }
                for (int i = 0; i < d; i++) assertThat(dst[i]).isNaN();
                for (int i = d + 8 * kc; i < dst.length; i++) assertThat(dst[i]).isNaN();
            }
        }
    }

    @Test
    void packAOfRowMajorBlocksEqualsTheElementWalk() {
        // VectorGemm.packA routes full row-major panels here; the ragged last panel stays scalar
        Random rng = new Random(12);
        int mc = 21, kc = 37, lda = 50;
        float[] a = new float[3 + mc * lda];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat();
        float[] dst = new float[VectorGemm.roundUp(mc, VectorGemm.MR) * kc];
        VectorGemm.packA(a, 3, lda, 1, mc, kc, dst);
        for (int i = 0; i < VectorGemm.roundUp(mc, VectorGemm.MR); i++) {
            for (int p = 0; p < kc; p++) {
                float expected = i < mc ? a[3 + i * lda + p] : 0f;
                assertThat(dst[(i / VectorGemm.MR) * VectorGemm.MR * kc + p * VectorGemm.MR + i % VectorGemm.MR])
                        .as("row %d step %d", i, p).isEqualTo(expected);
            }
        }
    }

    @Test
    void refusesWidthsItCannotTranspose() {
        assertThatThrownBy(() -> new RowPanelTranspose(FloatVector.SPECIES_128))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 4");
    }
}
