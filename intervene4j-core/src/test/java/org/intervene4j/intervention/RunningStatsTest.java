package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class RunningStatsTest {
    /** Rows of width w with per-dimension offsets, added in uneven batches, against a two-pass float64 reference. */
    @Test
    void streamingMatchesTwoPassReference() {
        int w = 5;
        Random rng = new Random(3);
        int[] batches = {7, 1, 30, 12};
        int n = 50;
        float[] all = new float[n * w];
        for (int i = 0; i < n; i++) for (int j = 0; j < w; j++) all[i * w + j] = (float) (j * 10 + (j + 1) * rng.nextGaussian());
        RunningStats stats = new RunningStats(w);
        int at = 0;
        for (int b : batches) {
            float[] part = java.util.Arrays.copyOfRange(all, at * w, (at + b) * w);
            stats.add(Tensor.of(part, b, w));
            at += b;
        }
        assertThat(stats.count()).isEqualTo(n);
        double[] mean = new double[w];
        for (int i = 0; i < n; i++) for (int j = 0; j < w; j++) mean[j] += all[i * w + j] / (double) n;
        double[] var = new double[w];
        double allMean = 0;
        for (float v : all) allMean += v / (double) (n * w);
        double allVar = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                double d = all[i * w + j] - mean[j];
                var[j] += d * d / (n - 1);
                double e = all[i * w + j] - allMean;
                allVar += e * e / (n * w - 1);
            }
        }
        float[] gotMean = stats.mean().toFloatArray();
        float[] gotVar = stats.variance(true).toFloatArray();
        float[] gotStd = stats.std(false).toFloatArray();
        for (int j = 0; j < w; j++) {
            assertThat(gotMean[j]).isEqualTo((float) mean[j]);
            assertThat((double) gotVar[j]).isCloseTo(var[j], org.assertj.core.data.Offset.offset(1e-6 * var[j]));
            assertThat((double) gotStd[j]).isCloseTo(Math.sqrt(var[j] * (n - 1) / n), org.assertj.core.data.Offset.offset(1e-6));
        }
        assertThat(stats.overallMean()).isCloseTo(allMean, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(stats.overallStd(true)).isCloseTo(Math.sqrt(allVar), org.assertj.core.data.Offset.offset(1e-10));
    }

    /** A large common offset does not swamp a small spread (no sum-of-squares cancellation). */
    @Test
    void largeOffsetKeepsSmallVariance() {
        RunningStats stats = new RunningStats(1);
        for (int b = 0; b < 100; b++) {
            float[] v = new float[10];
            for (int i = 0; i < 10; i++) v[i] = 10000f + ((b * 10 + i) % 2 == 0 ? 0.5f : -0.5f);
            stats.add(Tensor.of(v, 10, 1));
        }
        assertThat(stats.std(false).toFloatArray()[0]).isEqualTo(0.5f);
        assertThat(stats.overallStd(false)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void errorsNameTheProblem() {
        assertThatThrownBy(() -> new RunningStats(3).add(Tensor.zeros(2, 4))).hasMessageContaining("[2, 4]").hasMessageContaining("width 3");
        assertThatThrownBy(() -> new RunningStats(3).mean()).hasMessageContaining("at least 1 row");
        assertThatThrownBy(() -> new RunningStats(0)).hasMessageContaining("width must be >= 1");
    }
}
