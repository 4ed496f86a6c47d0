package org.intervene4j.model;

import static org.intervene4j.testing.Diffs.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.indexSelect;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.sum;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A logits selection ({@link TokenBatch#withLogitsAt}, {@link TokenBatch#withSharedLogitsAt})
 * gives exactly the matching rows of the full logits, gradients equal to picking those rows
 * after the fact, and leaves the KV cache as a full prefill leaves it; on every causal family.
 */
class LogitsSelectionTest {
    private static final int[][] EXAMPLES = {{5, 17, 3, 30, 8, 21, 9}, {9, 3, 30}, {2, 11, 4, 6, 1}};

    private static TokenBatch batch(PadSide side) {
        return TokenBatch.padded(EXAMPLES, side, 0);
    }

    /** Row {@code position} (unpadded) of example i of full logits [b, s, V]. */
    private static float[] fullRow(Tensor full, TokenBatch batch, int i, int position) {
        return full.select(0, i).select(0, batch.column(i, position)).toFloatArray();
    }

    /**
     * Largest {@code |got - want|} over a row, divided by {@code max(1, max |want|)}: the kept rows
     * go through a GEMM with fewer rows, which may sum in another order (a small product takes
     * the scalar kernel), so "equal" means equal up to float rounding of the row's dot products,
     * a few ulps of its largest logits (up to ~20 here).
     */
    private static double maxRelDiff(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        double scale = 1;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        return maxAbsDiff(got, want) / scale;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "gpt2_untied", "gpt2_f16", "llama", "llama_tied", "llama3_rope", "llama_bf16", "qwen2",
            "mistral", "mistral_sliding_window", "gpt_neox", "gpt_neox_sequential"})
    void keptLogitsEqualTheMatchingRowsOfTheFullLogits(String variant) {
        CausalLM m = Fixtures.load(variant);
        int vocab = m.info().vocab();
        int[] perExample = {-1, 1, 0};
        int[] shared = {0, -1, -2, 2};
        double worst = 0;
        try (GradMode off = GradMode.off()) {
            for (PadSide side : PadSide.values()) {
                TokenBatch b = batch(side);
                assertThat(b.hasLogitsSelection()).isFalse();
                assertThat(b.logitsPerExample()).isEqualTo(b.seq());
                Tensor full = m.forward(b);                                       // [3, 7, V]
                assertThat(full.shape()).containsExactly(3, 7, vocab);

                Tensor one = m.forward(b.withLogitsAt(perExample));               // [3, 1, V]
                assertThat(one.shape()).containsExactly(3, 1, vocab);
                for (int i = 0; i < 3; i++) {
                    worst = Math.max(worst, maxRelDiff(one.select(0, i).select(0, 0).toFloatArray(), fullRow(full, b, i, perExample[i])));
                }

                Tensor many = m.forward(b.withSharedLogitsAt(shared));            // [3, 4, V], selection order
                assertThat(many.shape()).containsExactly(3, shared.length, vocab);
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < shared.length; j++) {
                        worst = Math.max(worst, maxRelDiff(many.select(0, i).select(0, j).toFloatArray(), fullRow(full, b, i, shared[j])));
                    }
                }
            }
        }
        System.out.printf("%s: kept logits vs full rows, max |diff| / max(1, max |logit|) %.2g%n", variant, worst);
        assertThat(worst).isLessThanOrEqualTo(1e-6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "gpt_neox"})
    void onlyTheFinalNormAndLogitsSitesShrink(String variant) {
        CausalLM m = Fixtures.load(variant);
        ModelInfo info = m.info();
        Map<String, int[]> shapes = new HashMap<>();
        Sites record = Sites.with(info.layers(), (site, x) -> {
            shapes.put(site.name(), x.shape());
            return x;
        });
        try (GradMode off = GradMode.off()) {
            m.forward(batch(PadSide.LEFT).withSharedLogitsAt(-1, 0), record, null);
        }
        assertThat(shapes.get(Site.of(Component.FINAL_NORM).name())).containsExactly(3, 2, info.dModel());
        assertThat(shapes.get(Site.of(Component.LOGITS).name())).containsExactly(3, 2, info.vocab());
        assertThat(shapes.get(Site.of(Component.EMBEDDINGS).name())).containsExactly(3, 7, info.dModel());
        assertThat(shapes.get(Site.of(info.layers() - 1, Component.BLOCK_OUTPUT).name())).containsExactly(3, 7, info.dModel());
    }

    /**
     * Without hooks on its later sites the last block keeps only the selected rows after its
     * attention; a hook there sees every column instead, and the logits agree either way.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "gpt_neox_sequential"})
    void theLastBlockShrinksAfterItsAttentionOnlyWhenNoHookWatchesIt(String variant) {
        CausalLM m = Fixtures.load(variant);
        int last = m.info().layers() - 1;
        TokenBatch b = batch(PadSide.RIGHT).withLogitsAt(new int[] {-1, 0, 2});
        Map<String, int[]> shapes = new HashMap<>();
        Sites watch = Sites.with(m.info().layers(), (site, x) -> {
            shapes.put(site.name(), x.shape());
            return x;
        }, site -> site.equals(Site.of(last, Component.MLP_OUTPUT)));
        try (GradMode off = GradMode.off()) {
            Tensor pruned = m.forward(b);
            Tensor watched = m.forward(b, watch, null);
            assertThat(shapes.get(Site.of(last, Component.MLP_OUTPUT).name())).containsExactly(3, 7, m.info().dModel());
            assertThat(pruned.shape()).containsExactly(3, 1, m.info().vocab());
            assertThat(maxRelDiff(pruned.toFloatArray(), watched.toFloatArray())).isLessThanOrEqualTo(1e-6);
        }
    }

    /**
     * A trainable offset added to layer 0's residual stream: its gradient through a selection
     * equals its gradient through the full logits with the same rows picked afterwards.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "gpt_neox"})
    void gradientsThroughASelectionEqualPickingRowsOfTheFullLogits(String variant) {
        CausalLM m = Fixtures.load(variant);
        int d = m.info().dModel();
        int vocab = m.info().vocab();
        int[] perExample = {-2, 2, -1};
        for (PadSide side : PadSide.values()) {
            TokenBatch b = batch(side);
            Tensor weights = Tensor.randn(new Random(11), 1f, 3, 1, vocab);   // loss = Σ weights ⊙ logits
            float[] viaSelection = offsetGradient(m, d, sites -> sum(mul(m.forward(b.withLogitsAt(perExample), sites, null), weights)));
            float[] viaFull = offsetGradient(m, d, sites -> {
                Tensor full = m.forward(b, sites, null);                        // [3, 7, V]
                int[] rows = new int[3];
                for (int i = 0; i < 3; i++) rows[i] = i * b.seq() + b.column(i, perExample[i]);
                Tensor picked = indexSelect(full.reshape(3 * b.seq(), vocab), 0, rows).reshape(3, 1, vocab);
                return sum(mul(picked, weights));
            });
            double scale = 0;
            for (float g : viaFull) scale = Math.max(scale, Math.abs(g));
            double diff = maxAbsDiff(viaSelection, viaFull);
            System.out.printf("%s %s: offset gradient max |g| %.3g, selection vs full max |diff| %.2g%n", variant, side, scale, diff);
            assertThat(scale).isGreaterThan(1e-3);
            assertThat(diff).isLessThanOrEqualTo(1e-5 * scale);
        }
    }

    private static float[] offsetGradient(CausalLM m, int d, java.util.function.Function<Sites, Tensor> loss) {
        Tensor offset = Tensor.randn(new Random(5), 0.1f, d).requiresGrad(true);
        Sites shift = Sites.with(m.info().layers(), (site, x) ->
                site.equals(Site.of(0, Component.BLOCK_OUTPUT)) ? add(x, offset) : x);
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            loss.apply(shift).backward();
            return offset.grad().toFloatArray();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "mistral_sliding_window", "gpt_neox"})
    void aPrefillWithTheLastLogitsOnlyFillsTheCacheForEveryPromptToken(String variant) {
        CausalLM m = Fixtures.load(variant);
        int[] prompt = EXAMPLES[0];
        int[] next = {13, 7};
        try (GradMode off = GradMode.off()) {
            KvCache fullCache = new KvCache(m.info().layers());
            KvCache lastCache = new KvCache(m.info().layers());
            Tensor full = m.forward(TokenBatch.of(prompt), Sites.NONE, fullCache);
            Tensor last = m.forward(TokenBatch.of(prompt).withSharedLogitsAt(-1), Sites.NONE, lastCache);
            assertThat(last.shape()).containsExactly(1, 1, m.info().vocab());
            assertThat(maxRelDiff(last.select(0, 0).select(0, 0).toFloatArray(), full.select(0, 0).select(0, prompt.length - 1).toFloatArray()))
                    .isLessThanOrEqualTo(1e-6);
            assertThat(lastCache.past()).containsExactly(fullCache.past());
            for (int l = 0; l < m.info().layers(); l++) {
                assertThat(lastCache.keys(l).toFloatArray()).as("layer %d keys", l).containsExactly(fullCache.keys(l).toFloatArray());
                assertThat(lastCache.values(l).toFloatArray()).as("layer %d values", l).containsExactly(fullCache.values(l).toFloatArray());
            }
            // decoding on from either cache gives the same logits
            Tensor a = m.forward(TokenBatch.of(next).afterPast(fullCache.past()), Sites.NONE, fullCache);
            Tensor b = m.forward(TokenBatch.of(next).afterPast(lastCache.past()), Sites.NONE, lastCache);
            assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
        }
    }

    @Test
    void positionsOutsideAnExampleAreNamed() {
        TokenBatch b = batch(PadSide.RIGHT); // example 1 has 3 tokens
        assertThatThrownBy(() -> b.withLogitsAt(new int[] {0, 3, 0})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 3").hasMessageContaining("example 1").hasMessageContaining("3 tokens");
        assertThatThrownBy(() -> b.withLogitsAt(new int[] {0, -4, 0})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position -4").hasMessageContaining("example 1");
        assertThatThrownBy(() -> b.withSharedLogitsAt(0, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 5").hasMessageContaining("example 1");
        assertThatThrownBy(() -> b.withLogitsAt(new int[] {0, 1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 positions for 3 examples");
        assertThatThrownBy(() -> b.withSharedLogitsAt()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no positions");
    }

    @Test
    void theSelectionRowsMapUnpaddedPositionsToColumnsAndSurviveAfterPast() {
        TokenBatch left = batch(PadSide.LEFT).withLogitsAt(new int[] {-1, 0, 1});
        // seq 7: example 0 no padding, example 1 four pad columns, example 2 two
        assertThat(left.keptLogitRows()).containsExactly(6, 7 + 4, 14 + 3);
        TokenBatch right = batch(PadSide.RIGHT).withSharedLogitsAt(-1, 0);
        assertThat(right.keptLogitRows()).containsExactly(6, 0, 7 + 2, 7, 14 + 4, 14);
        assertThat(right.logitsPerExample()).isEqualTo(2);
        assertThat(right.afterPast(new int[] {1, 2, 3}).keptLogitRows()).containsExactly(right.keptLogitRows());
    }
}
