package org.intervene4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A forward split at a column ({@link TokenBatch#columnsBefore} without logits, then
 * {@link TokenBatch#columnsFrom} after its KV cache) gives the logits of the whole forward at the
 * kept positions, on every causal family, with left and right padding, including sliding windows:
 * the padding of each part stays at the outside, so real tokens are contiguous in the joined cache.
 */
class SplitForwardTest {
    private static final int[][] EXAMPLES = {{5, 17, 3, 30, 8, 21, 9}, {9, 3, 30}, {2, 11, 4, 6, 1}};

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "gpt2_untied", "gpt2_f16", "llama", "llama_tied", "llama3_rope", "llama_bf16", "qwen2",
            "mistral", "mistral_sliding_window", "gpt_neox", "gpt_neox_sequential"})
    void aForwardSplitAtAColumnGivesTheWholeForwardsLogits(String variant) {
        CausalLM m = Fixtures.load(variant);
        int vocab = m.info().vocab();
        double worst = 0;
        int splits = 0;
        try (GradMode off = GradMode.off()) {
            for (PadSide side : PadSide.values()) {
                TokenBatch whole = TokenBatch.padded(EXAMPLES, side, 0);
                Tensor full = m.forward(whole);                                       // [3, 7, V]
                for (int cut = 1; cut < whole.seq(); cut++) {
                    if (!whole.splitsAt(cut)) continue;
                    splits++;
                    // keep the first token after the cut and the last token of each example
                    int[][] kept = new int[3][];
                    for (int i = 0; i < 3; i++) kept[i] = new int[] {whole.columnsFrom(cut).past(i), -1};
                    TokenBatch selected = whole.withLogitsAt(kept);
                    KvCache cache = new KvCache(m.info().layers());
                    Tensor none = m.forward(selected.columnsBefore(cut).withoutLogits(), Sites.NONE, cache);
                    assertThat(none.shape()).containsExactly(3, 0, vocab);
                    Tensor rest = m.forward(selected.columnsFrom(cut), Sites.NONE, cache);  // [3, 2, V]
                    assertThat(rest.shape()).containsExactly(3, 2, vocab);
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 2; j++) {
                            float[] want = full.select(0, i).select(0, whole.column(i, kept[i][j])).toFloatArray();
                            worst = Math.max(worst, relDiff(rest.select(0, i).select(0, j).toFloatArray(), want));
                        }
                    }
                }
            }
        }
        System.out.printf("%s: split forwards (%d cuts) vs whole, max |diff| / max(1, max |logit|) %.2g%n", variant, splits, worst);
        assertThat(splits).isEqualTo(4); // left padding: cuts 5, 6; right: 1, 2
        assertThat(worst).isLessThanOrEqualTo(2e-6);
    }

    @Test
    void aBatchWithoutLogitsFillsTheCacheLikeAFullPrefill() {
        CausalLM m = Fixtures.load("llama");
        try (GradMode off = GradMode.off()) {
            TokenBatch b = TokenBatch.padded(EXAMPLES, PadSide.LEFT, 0);
            KvCache full = new KvCache(m.info().layers());
            KvCache none = new KvCache(m.info().layers());
            m.forward(b, Sites.NONE, full);
            assertThat(m.forward(b.withoutLogits(), Sites.NONE, none).shape()).containsExactly(3, 0, m.info().vocab());
            assertThat(none.past()).containsExactly(full.past());
            assertThat(none.keyMask().toFloatArray()).containsExactly(full.keyMask().toFloatArray());
            for (int l = 0; l < m.info().layers(); l++) {
                assertThat(none.keys(l).toFloatArray()).containsExactly(full.keys(l).toFloatArray());
                assertThat(none.values(l).toFloatArray()).containsExactly(full.values(l).toFloatArray());
            }
        }
    }

    @Test
    void thePartsKeepPaddingOutsideAndMoveTheLogitsSelection() {
        TokenBatch left = TokenBatch.padded(EXAMPLES, PadSide.LEFT, 0).withSharedLogitsAt(-1, -2);
        TokenBatch head = left.columnsBefore(5);
        assertThat(head.hasLogitsSelection()).isFalse();
        assertThat(head.seq()).isEqualTo(5);
        assertThat(head.tokens(0)).containsExactly(5, 17, 3, 30, 8);
        assertThat(head.tokens(1)).containsExactly(9);       // four pad columns, then one token
        assertThat(head.tokens(2)).containsExactly(2, 11, 4);
        TokenBatch tail = left.columnsFrom(5);
        assertThat(tail.isPadded()).isFalse();
        assertThat(tail.tokens(1)).containsExactly(3, 30);
        assertThat(new int[] {tail.past(0), tail.past(1), tail.past(2)}).containsExactly(5, 1, 3);
        assertThat(tail.logitsPositions(1)).containsExactly(1, 0);
        assertThat(tail.positions()[1]).containsExactly(1, 2);

        TokenBatch right = TokenBatch.padded(EXAMPLES, PadSide.RIGHT, 0).withLogitsAt(new int[] {6, 2, -1});
        assertThat(right.columnsBefore(2).isPadded()).isFalse();
        TokenBatch rtail = right.columnsFrom(2);
        assertThat(rtail.tokens(1)).containsExactly(30);   // then four pad columns
        assertThat(rtail.seq()).isEqualTo(5);
        assertThat(rtail.keptLogitRows()).containsExactly(4, 5, 10 + 2);
        // the mask of the joined cache: a prefix without padding (its cache records no mask), then the padded rest
        CausalLM m = Fixtures.load("gpt2");
        KvCache cache = new KvCache(m.info().layers());
        try (GradMode off = GradMode.off()) {
            m.forward(right.columnsBefore(2).withoutLogits(), Sites.NONE, cache);
        }
        assertThat(cache.keyMask()).isNull();
        assertThat(rtail.keyMask(cache).toFloatArray()).containsExactly(
                1, 1, 1, 1, 1, 1, 1,   // example 0: 2 cached + 5 new tokens
                1, 1, 1, 0, 0, 0, 0,   // example 1: 2 cached + 1 new token, then padding
                1, 1, 1, 1, 1, 0, 0);  // example 2: 2 cached + 3 new tokens
    }

    @Test
    void impossibleCutsAreRefused() {
        TokenBatch left = TokenBatch.padded(EXAMPLES, PadSide.LEFT, 0);
        assertThat(left.splitsAt(4)).isFalse();  // example 1 would have nothing before the cut
        assertThat(left.splitsAt(0)).isFalse();
        assertThat(left.splitsAt(7)).isFalse();
        TokenBatch right = TokenBatch.padded(EXAMPLES, PadSide.RIGHT, 0);
        assertThat(right.splitsAt(3)).isFalse(); // example 1 would have nothing after it
        assertThat(right.afterPast(new int[] {1, 1, 1}).splitsAt(1)).isFalse();
        assertThatThrownBy(() -> right.columnsFrom(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("split at column 3");
        assertThatThrownBy(() -> left.withSharedLogitsAt(0).columnsFrom(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example 0 keeps logits at position 0, which falls before the split");
        assertThatThrownBy(() -> left.withLogitsAt(new int[][] {{0}, {0, 1}, {0}})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example 1 keeps 2 positions");
    }

    private static double relDiff(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double scale = 1;
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
        }
        return worst / scale;
    }
}
