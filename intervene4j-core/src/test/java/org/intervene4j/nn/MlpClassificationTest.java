package org.intervene4j.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** End to end: Linear + activations + cross-entropy + backward + Adam separate three rings. */
class MlpClassificationTest {
    /** Points on three concentric rings (radius 1, 2, 3, jitter +-0.3): separable, but not linearly. */
    private record Rings(float[] xy, int[] labels) {
        static Rings sample(Random rng, int n) {
            float[] xy = new float[2 * n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                int k = i % 3;
                double r = 1 + k + (rng.nextDouble() - 0.5) * 0.6;
                double a = rng.nextDouble() * 2 * Math.PI;
                xy[2 * i] = (float) (r * Math.cos(a));
                xy[2 * i + 1] = (float) (r * Math.sin(a));
                labels[i] = k;
            }
            return new Rings(xy, labels);
        }
    }

    /** 2 -> 32 -> 32 -> 3 with a GELU and a ReLU. */
    private static final class Classifier extends Module {
        final Linear first;
        final Linear second;
        final Linear out;

        Classifier(Random rng) {
            first = child("first", new Linear(2, 32, rng));
            second = child("second", new Linear(32, 32, rng));
            out = child("out", new Linear(32, 3, rng));
        }

        Tensor forward(Tensor x) {                       // [n, 2]
            Tensor h1 = Ops.gelu(first.forward(x));      // [n, 32]
            Tensor h2 = Ops.relu(second.forward(h1));    // [n, 32]
            return out.forward(h2);                      // [n, 3]
        }
    }

    @Test
    void separatesThreeRings() {
        Random rng = new Random(42);
        Rings train = Rings.sample(rng, 600);
        Rings test = Rings.sample(rng, 900);
        Classifier model = new Classifier(rng);
        TestAdam adam = new TestAdam(model.parameters());

        float firstLoss = Float.NaN;
        float lastLoss = Float.NaN;
        for (int step = 0; step < 400; step++) {
            try (Arena arena = Arena.open()) {
                Tensor logits = model.forward(Tensor.of(train.xy(), 600, 2));   // [600, 3]
                Tensor loss = Ops.crossEntropy(logits, train.labels(), -1);    // []
                loss.backward();
                adam.step(step < 300 ? 0.01f : 0.003f);
                lastLoss = loss.item();
                if (step == 0) firstLoss = lastLoss;
            }
        }
        assertThat(firstLoss).isGreaterThan(0.9f); // about ln 3 at the start
        assertThat(lastLoss).isLessThan(0.1f);

        int right = 0;
        try (GradMode off = GradMode.off(); Arena arena = Arena.open()) {
            float[] logits = model.forward(Tensor.of(test.xy(), 900, 2)).toFloatArray(); // [900, 3]
            for (int i = 0; i < 900; i++) {
                int best = 0;
                for (int c = 1; c < 3; c++) if (logits[3 * i + c] > logits[3 * i + best]) best = c;
                if (best == test.labels()[i]) right++;
            }
        }
        assertThat(right / 900.0).as("held-out accuracy").isGreaterThanOrEqualTo(0.99);
    }
}
