package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

/** Subspace patches copy both the replaced and the kept values bit-exactly. */
class ExactBlendTest {
    static void assertExact(Tensor out, Tensor base, Tensor replacement, int[] sub) {
        boolean[] in = new boolean[base.size(1)];
        for (int j : sub) in[j] = true;
        for (int i = 0; i < base.size(0); i++) {
            for (int j = 0; j < base.size(1); j++) {
                float want = in[j] ? (replacement.dim() == 1 ? replacement.get(j) : replacement.get(i, j)) : base.get(i, j);
                assertThat(out.get(i, j)).as("[%d, %d]", i, j).isEqualTo(want);
            }
        }
    }

    @Test
    void vanillaSkipAndMeanAblationCopyExactly() {
        // values of very different scales, where b + (s - b) often differs from s in the last bit
        Tensor b = Tensor.randn(new Random(1), 1f, 50, 64);
        Tensor s = Tensor.randn(new Random(2), 3f, 50, 64);
        Tensor mean = Tensor.randn(new Random(3), 7f, 64);
        int[] sub = {0, 5, 9, 33, 63};
        try (GradMode off = GradMode.off()) {
            assertExact(new Vanilla().apply(b, s, sub), b, s, sub);
            assertExact(new Skip().apply(b, s, sub), b, s, sub);
            assertExact(MeanAblation.of(mean).apply(b, null, sub), b, mean, sub);
            int[] all = new int[64];
            for (int j = 0; j < 64; j++) all[j] = j;
            assertExact(MeanAblation.of(mean).apply(b, null, null), b, mean, all);
        }
    }

    @Test
    void gradientsSplitBetweenBaseAndReplacement() {
        Tensor b = Rand.param(new Random(4), 3, 5);
        Tensor s = Rand.param(new Random(5), 3, 5);
        GradCheck.check("vanilla subspace", in -> new Vanilla().apply(in[0], in[1], new int[] {1, 4}), b, s);
        float[] gb = b.grad().toFloatArray();
        float[] gs = s.grad().toFloatArray();
        for (int i = 0; i < 15; i++) {
            boolean patched = i % 5 == 1 || i % 5 == 4;
            assertThat(patched ? gb[i] : gs[i]).isEqualTo(0f);
        }
    }
}
