package org.intervene4j.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchHelpersTest {
    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Timing.median(new double[] {5, 1, 3})).isEqualTo(3);
        assertThat(Timing.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }

    @Test
    void maxAbsDiffReportsNaNAndMismatchedLengths() {
        assertThat(StackBench.maxAbsDiff(new float[] {1, 2}, new float[] {1.5f, 2})).isEqualTo(0.5);
        assertThat(StackBench.maxAbsDiff(new float[] {Float.NaN}, new float[] {0})).isNaN();
        assertThatThrownBy(() -> StackBench.maxAbsDiff(new float[1], new float[2]))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fmaBurstStaysFiniteAndConverges() {
        // acc -> c / (1 - m) = 1e-3 / 1e-3 = 1 per lane, summed over 12 chains and all lanes.
        float s = FmaPeakProbe.burst(0.999f);
        assertThat(s).isCloseTo(12f * FmaPeakProbe.SPECIES.length(), org.assertj.core.data.Percentage.withPercentage(5));
    }

    @Test
    void weightsPutTNearIdentity() {
        StackWeights w = new StackWeights(new StackConfig(1, 8, 2, 16, 1, 3, 1), 1);
        for (int i = 0; i < 8; i++) assertThat(w.t[i * 8 + i]).isBetween(0.95f, 1.05f);
        assertThat(w.t[1]).isBetween(-0.05f, 0.05f);
    }
}
