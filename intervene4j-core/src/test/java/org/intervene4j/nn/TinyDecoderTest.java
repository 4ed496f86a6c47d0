package org.intervene4j.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.junit.jupiter.api.Test;

/** The decoder's shapes, causality, gradients, and that it can learn to reverse a sequence. */
class TinyDecoderTest {
    private static final int DIGITS = 10;
    private static final int SEP = DIGITS;
    private static final int LENGTH = 4;

    @Test
    void logitsHaveShapeBatchSeqVocab() {
        TinyDecoder model = new TinyDecoder(new TinyDecoder.Config(7, 10, 16, 4, 2, 32, true), new Random(1));
        try (GradMode off = GradMode.off()) {
            Tensor logits = model.forward(new int[][] {{1, 2, 3}, {4, 5, 6}});
            assertThat(logits.shape()).containsExactly(2, 3, 7);
            for (float v : logits.toFloatArray()) assertThat(v).isFinite();
        }
    }

    @Test
    void aTokenDoesNotChangeTheLogitsOfEarlierPositions() {
        TinyDecoder model = new TinyDecoder(new TinyDecoder.Config(9, 8, 16, 2, 2, 32, false), new Random(2));
        try (GradMode off = GradMode.off()) {
            float[] a = model.forward(new int[][] {{1, 2, 3, 4, 5, 6}}).toFloatArray(); // [1, 6, 9]
            float[] b = model.forward(new int[][] {{1, 2, 3, 4, 8, 0}}).toFloatArray(); // [1, 6, 9]
            // Tolerance only for summation-order noise; a leak through the mask would be far larger.
            for (int i = 0; i < 4 * 9; i++) assertThat(b[i]).as("logit %d", i).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-6f));
            double changed = 0;
            for (int i = 4 * 9; i < 6 * 9; i++) changed += Math.abs(b[i] - a[i]);
            assertThat(changed).isGreaterThan(1e-3);
        }
    }

    @Test
    void gradientsOfTheWholeModelMatchFiniteDifferences() {
        TinyDecoder model = new TinyDecoder(new TinyDecoder.Config(6, 5, 8, 2, 1, 16, false), new Random(3));
        // The embeddings start at std 0.02, where a finite-difference probe of 1e-2 is not small
        // next to the layer norm's scale: give them unit scale for the check.
        try (GradMode off = GradMode.off()) {
            Random rng = new Random(4);
            for (String name : new String[] {"tokens.weight", "positions.weight"}) {
                Tensor p = model.parameters().get(name);
                p.copyFrom(Tensor.randn(rng, 1f, p.shape()));
            }
        }
        int[][] ids = {{0, 3, 5, 1}, {2, 2, 4, 0}};
        for (String name : new String[] {"tokens.weight", "positions.weight", "blocks.0.attn.query.weight",
                "blocks.0.attn.value.bias", "blocks.0.ln2.weight", "blocks.0.mlp.fc.weight", "head.weight"}) {
            Tensor p = model.parameters().get(name);
            GradCheck.check("TinyDecoder d/d " + name, 1e-2, 2e-2, 2e-3, 24, in -> model.forward(ids), p);
        }
    }

    @Test
    void learnsToReverseHeldOutSequences() {
        Random rng = new Random(5);
        TinyDecoder model = new TinyDecoder(new TinyDecoder.Config(DIGITS + 1, 2 * LENGTH, 32, 2, 2, 128, true), rng);
        TestAdam adam = new TestAdam(model.parameters());
        int batch = 32;
        int steps = 100; // fixed-length reversal is learned in about 40 steps
        for (int step = 0; step < steps; step++) {
            int[][] strings = new int[batch][];
            for (int b = 0; b < batch; b++) strings[b] = sample(rng, false);
            int[][] inputs = inputs(strings);
            int[] targets = targets(strings);
            try (Arena arena = Arena.open()) {
                Tensor logits = model.forward(inputs);                                 // [batch, 8, 11]
                Tensor loss = Ops.crossEntropy(logits.reshape(-1, DIGITS + 1), targets, -1); // []
                loss.backward();
                float warm = Math.min(1f, (step + 1) / 10f);
                adam.step(3e-3f * warm * (step < 70 ? 1f : 0.3f));
            }
        }

        int[][] strings = new int[500][];
        for (int b = 0; b < strings.length; b++) strings[b] = sample(rng, true);
        int[] targets = targets(strings);
        int right = 0;
        int counted = 0;
        try (GradMode off = GradMode.off(); Arena arena = Arena.open()) {
            float[] logits = model.forward(inputs(strings)).toFloatArray(); // [500, 8, 11]
            for (int i = 0; i < targets.length; i++) {
                if (targets[i] < 0) continue;
                int best = 0;
                for (int c = 1; c <= DIGITS; c++) if (logits[i * (DIGITS + 1) + c] > logits[i * (DIGITS + 1) + best]) best = c;
                counted++;
                if (best == targets[i]) right++;
            }
        }
        assertThat(right / (double) counted).as("held-out token accuracy").isGreaterThanOrEqualTo(0.95);
    }

    /** Digit strings whose digit sum is divisible by 5 are held out (never trained on). */
    private static int[] sample(Random rng, boolean heldOut) {
        while (true) {
            int[] s = new int[LENGTH];
            int sum = 0;
            for (int i = 0; i < LENGTH; i++) sum += s[i] = rng.nextInt(DIGITS);
            if ((sum % 5 == 0) == heldOut) return s;
        }
    }

    /** {@code a b c d | d c b} (the full sequence minus its last token). */
    private static int[][] inputs(int[][] strings) {
        int[][] rows = new int[strings.length][2 * LENGTH];
        for (int b = 0; b < strings.length; b++) {
            for (int i = 0; i < LENGTH; i++) rows[b][i] = strings[b][i];
            rows[b][LENGTH] = SEP;
            for (int i = 1; i < LENGTH; i++) rows[b][LENGTH + i] = strings[b][LENGTH - i];
        }
        return rows;
    }

    /** Next-token targets; only the positions from the separator on (the reversed digits) count. */
    private static int[] targets(int[][] strings) {
        int seq = 2 * LENGTH;
        int[] t = new int[strings.length * seq];
        java.util.Arrays.fill(t, -1);
        for (int b = 0; b < strings.length; b++) {
            for (int i = 0; i < LENGTH; i++) t[b * seq + LENGTH + i] = strings[b][LENGTH - 1 - i];
        }
        return t;
    }
}
