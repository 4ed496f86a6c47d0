package org.intervene4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.site.Sites;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariants every decoder must keep, checked on the fixture checkpoints of each family:
 * causality, padding invariance (left and right), KV-cache decoding equal to recomputation,
 * and batching equal to one-by-one.
 */
class ModelInvariantsTest {
    private static final int[] A = {5, 17, 3, 30, 8, 21, 9};
    private static final int[] B = {9, 3, 30};

    private static CausalLM load(String variant) throws Exception {
        return Models.loadCausalLM(FixtureParityTest.fixtures().resolve(variant));
    }

    /** Logits of one example's real tokens: [len, vocab] as rows. */
    private static float[][] rows(Tensor logits, TokenBatch batch, int example) {
        int v = logits.size(2);
        float[][] out = new float[batch.length(example)][];
        for (int t = 0; t < out.length; t++) {
            out[t] = logits.select(0, example).select(0, batch.column(example, t)).toFloatArray();
            assertThat(out[t]).hasSize(v);
        }
        return out;
    }

    private static void assertRowsClose(String what, float[][] got, float[][] want, double tol) {
        assertThat(got.length).as(what).isEqualTo(want.length);
        for (int t = 0; t < want.length; t++) {
            for (int k = 0; k < want[t].length; k++) {
                assertThat((double) Math.abs(got[t][k] - want[t][k])).as("%s: token %d logit %d", what, t, k).isLessThanOrEqualTo(tol);
            }
        }
    }

    private static float[][] alone(CausalLM m, int[] ids) {
        TokenBatch b = TokenBatch.of(ids);
        return rows(m.forward(b), b, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "mistral_sliding_window", "gpt_neox", "gpt_neox_sequential"})
    void changingALaterTokenLeavesEarlierLogitsUnchanged(String variant) throws Exception {
        CausalLM m = load(variant);
        try (GradMode off = GradMode.off()) {
            float[][] base = alone(m, A);
            for (int t = 1; t < A.length; t++) {
                int[] changed = A.clone();
                changed[t] = (changed[t] + 7) % m.info().vocab();
                float[][] other = alone(m, changed);
                assertRowsClose(variant + " causality at " + t, Arrays.copyOf(other, t), Arrays.copyOf(base, t), 1e-6);
                assertThat(other[t]).as("%s: changed token %d must change its own logits", variant, t).isNotEqualTo(base[t]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "mistral_sliding_window", "gpt_neox"})
    void paddedBatchesEqualExamplesAlone(String variant) throws Exception {
        CausalLM m = load(variant);
        try (GradMode off = GradMode.off()) {
            float[][] a = alone(m, A);
            float[][] b = alone(m, B);
            for (PadSide side : PadSide.values()) {
                TokenBatch batch = TokenBatch.padded(new int[][] {A, B}, side, 0);
                Tensor logits = m.forward(batch);
                assertRowsClose(variant + " " + side + " example 0", rows(logits, batch, 0), a, 1e-5);
                assertRowsClose(variant + " " + side + " example 1", rows(logits, batch, 1), b, 1e-5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "mistral_sliding_window", "gpt_neox"})
    void kvCacheDecodingEqualsRecomputation(String variant) throws Exception {
        CausalLM m = load(variant);
        try (GradMode off = GradMode.off()) {
            float[][] fullA = alone(m, A);
            float[][] fullB = alone(m, B);
            // prefill a left-padded batch with 3 tokens of A and 2 of B, then one token at a time
            KvCache cache = new KvCache(m.info().layers());
            TokenBatch prefill = TokenBatch.padded(new int[][] {Arrays.copyOf(A, 3), Arrays.copyOf(B, 2)}, PadSide.LEFT, 0);
            Tensor logits = m.forward(prefill, Sites.NONE, cache);
            assertRowsClose(variant + " prefill A", rows(logits, prefill, 0), Arrays.copyOf(fullA, 3), 1e-5);
            assertRowsClose(variant + " prefill B", rows(logits, prefill, 1), Arrays.copyOf(fullB, 2), 1e-5);
            for (int step = 0; step < 4; step++) {
                int ta = 3 + step;
                int tb = 2 + step;
                int nextB = tb < B.length ? B[tb] : 1; // B continues with token 1 past its end
                TokenBatch next = TokenBatch.padded(new int[][] {{A[ta]}, {nextB}}, PadSide.LEFT, 0).afterPast(cache.past());
                Tensor out = m.forward(next, Sites.NONE, cache);
                assertRowsClose(variant + " decode A at " + ta, rows(out, next, 0), new float[][] {fullA[ta]}, 1e-5);
                if (tb < B.length) {
                    assertRowsClose(variant + " decode B at " + tb, rows(out, next, 1), new float[][] {fullB[tb]}, 1e-5);
                }
            }
            assertThat(cache.past()).containsExactly(7, 6);
        }
    }
}
