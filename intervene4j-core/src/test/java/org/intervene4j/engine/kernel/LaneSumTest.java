package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** LaneSum adds lanes in its documented halving-tree order, bit for bit, at every vector width. */
class LaneSumTest {
    @Test
    void matchesAScalarHalvingTreeExactly() {
        Random rng = new Random(1);
        for (VectorSpecies<Float> species : new VectorSpecies[] {FloatVector.SPECIES_PREFERRED, FloatVector.SPECIES_128,
                FloatVector.SPECIES_256}) {
            int lanes = species.length();
            float[] v = new float[lanes];
            for (int trial = 0; trial < 200; trial++) {
                // mixed magnitudes, so a different order would round differently
                for (int i = 0; i < lanes; i++) v[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(7) - 3));
                float expected = halvingTree(v.clone());
                float actual = LaneSum.of(FloatVector.fromArray(species, v, 0));
                assertThat(Float.floatToIntBits(actual)).as("%d lanes, trial %d", lanes, trial)
                        .isEqualTo(Float.floatToIntBits(expected));
                double exact = 0;
                for (float f : v) exact += f;
                assertThat((double) actual).isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(exact)) * lanes));
            }
        }
    }

    @Test
    void repeatedCallsGiveTheSameBitsWhileTheJitWarmsUp() {
        float[] v = new float[FloatVector.SPECIES_PREFERRED.length()];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 1.7) * (i % 3 == 0 ? 1000 : 0.001f);
        FloatVector x = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, v, 0);
        int first = Float.floatToIntBits(LaneSum.of(x));
        for (int i = 0; i < 200_000; i++) {
            if (Float.floatToIntBits(LaneSum.of(x)) != first) throw new AssertionError("call " + i + " changed the sum");
        }
        assertThat(x.reduceLanes(VectorOperators.ADD)).isCloseTo(Float.intBitsToFloat(first), org.assertj.core.data.Offset.offset(1e-2f));
    }

    /** Lane i += lane i + half, halving until one lane is left, in float. */
    private static float halvingTree(float[] v) {
        for (int half = v.length / 2; half >= 1; half /= 2) {
            float[] next = new float[v.length];
            for (int i = 0; i < v.length; i++) next[i] = v[i] + v[(i + half) % v.length];
            v = next;
        }
        return v[0];
    }
}
