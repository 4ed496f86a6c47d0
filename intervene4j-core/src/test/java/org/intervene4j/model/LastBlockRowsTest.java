package org.intervene4j.model;

import static org.intervene4j.testing.Diffs.maxAbs;
import static org.intervene4j.testing.Diffs.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.scale;
import static org.intervene4j.engine.Ops.sum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.model.common.LogitsSelection;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The last block's row cut ({@link LogitsSelection#keepsAfterAttention}) against the float64
 * reference of every decoder fixture (tools/reference: ex0 and ex1 of expected.safetensors, run
 * alone): several kept rows per example (repeated and out of order) in a padded batch, a KV
 * cache continuation after a left-padded or an unpadded prefill, a hook on the last block's
 * attention weights (which must not stop the cut, and must see every row); and gradients
 * through the cut rows, including a prefill that keeps no row at all.
 */
class LastBlockRowsTest {
    /** Kept positions per example of the [ex0 (7 tokens), ex1 (5 tokens)] batch: repeated, out of order, from either end. */
    private static final int[][] KEPT = {{6, 0, 3, 6}, {4, -1, 1, 0}};

    static Stream<String> decoderVariants() throws Exception {
        return org.intervene4j.model.FixtureParityTest.decoderVariants();
    }

    /** The two reference examples of a fixture and their float64 logits. */
    record Reference(int[][] ids, float[][] logits, int vocab) {
        /** Row {@code position} (unpadded, maybe negative) of example {@code ex}'s reference logits. */
        float[] row(int ex, int position) {
            int len = ids[ex].length;
            int p = position < 0 ? position + len : position;
            return java.util.Arrays.copyOfRange(logits[ex], p * vocab, (p + 1) * vocab);
        }
    }

    static Reference reference(String variant, int vocab) throws Exception {
        Path dir = Fixtures.dir().resolve(variant);
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        int[][] ids = new int[2][];
        float[][] logits = new float[2][];
        try (SafetensorsFile expected = SafetensorsFile.open(dir.resolve("expected.safetensors"))) {
            for (int ex = 0; ex < 2; ex++) {
                JsonNode n = meta.get("ids").get(ex);
                ids[ex] = new int[n.size()];
                for (int t = 0; t < n.size(); t++) ids[ex][t] = n.get(t).asInt();
                logits[ex] = expected.readFloat("ex" + ex + ".logits").toFloatArray();
            }
        }
        assertThat(ids[0]).hasSize(7);
        assertThat(ids[1]).hasSize(5);
        return new Reference(ids, logits, vocab);
    }

    /** A hook that watches (and leaves alone) the last block's output: the row cut is off. */
    static Sites watchingLastOutput(CausalLM m) {
        int last = m.info().layers() - 1;
        return Sites.with(m.info().layers(), (site, x) -> x, Site.of(last, Component.BLOCK_OUTPUT)::equals);
    }

    @ParameterizedTest
    @MethodSource("decoderVariants")
    void keptRowsOfAPaddedBatchMatchTheFloat64ReferenceWithAndWithoutTheCut(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        int vocab = m.info().vocab();
        Reference ref = reference(variant, vocab);
        double worst = 0;
        try (GradMode off = GradMode.off()) {
            for (PadSide side : PadSide.values()) {
                TokenBatch b = TokenBatch.padded(ref.ids(), side, 0).withLogitsAt(KEPT);
                assertThat(LogitsSelection.keepsAfterAttention(b, Sites.NONE, m.info().layers() - 1)).isTrue();
                Tensor cut = m.forward(b);                                             // [2, 4, V]
                Tensor whole = m.forward(b, watchingLastOutput(m), null);
                assertThat(cut.shape()).containsExactly(2, 4, vocab);
                assertThat(maxRelDiff(cut.toFloatArray(), whole.toFloatArray())).as(side.toString()).isLessThanOrEqualTo(1e-6);
                for (int ex = 0; ex < 2; ex++) {
                    for (int j = 0; j < 4; j++) {
                        float[] want = ref.row(ex, KEPT[ex][j]);
                        double err = maxAbsDiff(cut.select(0, ex).select(0, j).toFloatArray(), want);
                        worst = Math.max(worst, err);
                        assertThat(err).as("%s %s ex%d kept row %d", variant, side, ex, j).isLessThanOrEqualTo(1e-4);
                    }
                }
            }
        }
        System.out.printf("%s: cut last block, kept rows vs float64, max abs error %.2g%n", variant, worst);
    }

    /**
     * A continuation batch after a KV cache, with a logits selection: after a left-padded prefill
     * (cache with a mask) and after an unpadded prefill followed by a right-padded continuation
     * (cache without a mask). The prefills keep no logits, so their last block keeps no row.
     */
    @ParameterizedTest
    @MethodSource("decoderVariants")
    void aContinuationWithKeptRowsAfterACacheMatchesTheFloat64Reference(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        int vocab = m.info().vocab();
        Reference ref = reference(variant, vocab);
        int[] a = ref.ids()[0];
        int[] b = ref.ids()[1];
        // plain, and with a hook on the last block's attention weights (the unfused attention, which keeps the row cut on)
        int last = m.info().layers() - 1;
        Sites weights = Sites.with(m.info().layers(), (site, x) -> x, Site.of(last, Component.ATTENTION_WEIGHTS)::equals);
        for (Sites sites : List.of(Sites.NONE, weights)) {
            String how = variant + (sites == Sites.NONE ? "" : " (attention weights watched)");
            try (GradMode off = GradMode.off()) {
                // left-padded prefill of 4 and 2 tokens, then 3 tokens each
                KvCache cache = new KvCache(m.info().layers());
                TokenBatch prefill = TokenBatch.padded(new int[][] {slice(a, 0, 4), slice(b, 0, 2)}, PadSide.LEFT, 0).withoutLogits();
                assertThat(m.forward(prefill, sites, cache).shape()).containsExactly(2, 0, vocab);
                int[][] kept = {{2, 0}, {1, -1}};
                TokenBatch next = TokenBatch.padded(new int[][] {slice(a, 4, 7), slice(b, 2, 5)}, PadSide.LEFT, 0)
                        .afterPast(cache.past()).withLogitsAt(kept);
                assertThat(LogitsSelection.keepsAfterAttention(next, sites, last)).isTrue();
                Tensor got = m.forward(next, sites, cache);                              // [2, 2, V]
                assertRow(got, 0, 0, ref.row(0, 6), how + " left, ex0 row 6");
                assertRow(got, 0, 1, ref.row(0, 4), how + " left, ex0 row 4");
                assertRow(got, 1, 0, ref.row(1, 3), how + " left, ex1 row 3");
                assertRow(got, 1, 1, ref.row(1, 4), how + " left, ex1 row 4");

                // unpadded prefill of 3 tokens each, then 4 and 2 tokens padded on the right
                KvCache plain = new KvCache(m.info().layers());
                m.forward(TokenBatch.padded(new int[][] {slice(a, 0, 3), slice(b, 0, 3)}, PadSide.RIGHT, 0).withoutLogits(), sites, plain);
                assertThat(plain.keyMask()).isNull();
                TokenBatch rest = TokenBatch.padded(new int[][] {slice(a, 3, 7), slice(b, 3, 5)}, PadSide.RIGHT, 0)
                        .afterPast(plain.past()).withLogitsAt(new int[][] {{3, -1}, {0, 1}});
                Tensor got2 = m.forward(rest, sites, plain);
                assertRow(got2, 0, 0, ref.row(0, 6), how + " right, ex0 row 6");
                assertRow(got2, 0, 1, ref.row(0, 6), how + " right, ex0 row 6 again");
                assertRow(got2, 1, 0, ref.row(1, 3), how + " right, ex1 row 3");
                assertRow(got2, 1, 1, ref.row(1, 4), how + " right, ex1 row 4");
            }
        }
    }

    /**
     * A hook on the last block's attention weights keeps the row cut on (the weights come
     * before it): the hook sees the whole [1, heads, 7, 7] pattern, equal to the float64
     * reference, and a hook that changes the pattern gives the same kept logits with the cut as
     * without it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "mistral_sliding_window", "gpt_neox", "gpt_neox_sequential"})
    void aHookOnTheLastAttentionWeightsSeesEveryRowAndKeepsTheCut(String variant) throws Exception {
        CausalLM m = Fixtures.load(variant);
        int last = m.info().layers() - 1;
        int vocab = m.info().vocab();
        Reference ref = reference(variant, vocab);
        Site weightsSite = Site.of(last, Component.ATTENTION_WEIGHTS);
        TokenBatch b = TokenBatch.of(ref.ids()[0]).withSharedLogitsAt(-1, 2);
        Tensor[] seen = new Tensor[1];
        Sites reader = Sites.with(m.info().layers(), (site, x) -> {
            seen[0] = x.persist();
            return x;
        }, weightsSite::equals);
        assertThat(LogitsSelection.keepsAfterAttention(b, reader, last)).isTrue();
        Path dir = Fixtures.dir().resolve(variant);
        try (GradMode off = GradMode.off(); SafetensorsFile expected = SafetensorsFile.open(dir.resolve("expected.safetensors"))) {
            Tensor logits = m.forward(b, reader, null);
            Tensor wantWeights = expected.readFloat("ex0." + weightsSite.name());
            assertThat(seen[0].shape()).containsExactly(wantWeights.shape());
            assertThat(maxAbsDiff(seen[0].toFloatArray(), wantWeights.toFloatArray())).isLessThanOrEqualTo(2e-5);
            assertRow(logits, 0, 0, ref.row(0, 6), variant + " row 6");
            assertRow(logits, 0, 1, ref.row(0, 2), variant + " row 2");

            // halve the weights of the last block: cut and uncut agree, and differ from the plain logits
            Sites halve = Sites.with(m.info().layers(), (site, x) -> site.equals(weightsSite) ? scale(x, 0.5f) : x,
                    site -> site.equals(weightsSite) || site.equals(Site.of(last, Component.MLP_OUTPUT)));
            Sites halveOnly = Sites.with(m.info().layers(), (site, x) -> scale(x, 0.5f), weightsSite::equals);
            assertThat(LogitsSelection.keepsAfterAttention(b, halve, last)).isFalse();
            assertThat(LogitsSelection.keepsAfterAttention(b, halveOnly, last)).isTrue();
            float[] uncut = m.forward(b, halve, null).toFloatArray();
            float[] cut = m.forward(b, halveOnly, null).toFloatArray();
            assertThat(maxRelDiff(cut, uncut)).isLessThanOrEqualTo(1e-6);
            assertThat(maxAbsDiff(cut, logits.toFloatArray())).isGreaterThan(1e-3);
        }
    }

    /**
     * The gradient of an offset added to every row of the last block's input (its own rows
     * reach the kept logits only through their keys and values when they are not kept) equals
     * the uncut forward's, row by row; the rows that are not kept get a non-zero gradient.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "mistral_sliding_window", "gpt_neox"})
    void gradientsToEveryRowOfTheLastBlockInputAreThoseOfTheUncutForward(String variant) {
        CausalLM m = Fixtures.load(variant);
        int last = m.info().layers() - 1;
        int d = m.info().dModel();
        int vocab = m.info().vocab();
        for (PadSide side : PadSide.values()) {
            TokenBatch b = TokenBatch.padded(new int[][] {{5, 17, 3, 30, 8, 21, 9}, {9, 3, 30, 2}}, side, 0)
                    .withLogitsAt(new int[][] {{-1, -1, 2}, {3, 1, 3}});
            Tensor weights = Tensor.randn(new Random(4), 1f, 2, 3, vocab);
            Site input = Site.of(last, Component.BLOCK_INPUT);
            float[] cut = offsetGradient(m, b, weights, input::equals);
            float[] whole = offsetGradient(m, b, weights, s -> s.equals(input) || s.equals(Site.of(last, Component.MLP_OUTPUT)));
            double scale = maxAbs(whole);
            double diff = maxAbsDiff(cut, whole);
            System.out.printf("%s %s: last block input gradient max |g| %.3g, cut vs uncut max |diff| %.2g%n", variant, side, scale, diff);
            assertThat(diff).isLessThanOrEqualTo(1e-5 * scale);
            // example 0's column of token 4 is kept nowhere: its gradient comes through its key and value only
            int col = b.column(0, 4);
            float[] rowGrad = java.util.Arrays.copyOfRange(whole, col * d, (col + 1) * d);
            assertThat(maxAbs(rowGrad)).isGreaterThan(1e-4 * scale);
        }
    }

    /** d(Σ weights ⊙ logits)/d(offset) for an offset [b, s, d] added at the watched last-block input. */
    private static float[] offsetGradient(CausalLM m, TokenBatch b, Tensor weights, java.util.function.Predicate<Site> watch) {
        int last = m.info().layers() - 1;
        Tensor offset = Tensor.randn(new Random(6), 0.1f, b.batch(), b.seq(), m.info().dModel()).requiresGrad(true);
        Site input = Site.of(last, Component.BLOCK_INPUT);
        Sites sites = Sites.with(m.info().layers(), (site, x) -> site.equals(input) ? add(x, offset) : x, watch);
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            sum(mul(m.forward(b, sites, null), weights)).backward();
            return offset.grad().toFloatArray();
        }
    }

    /**
     * A prefill that keeps no logits (its last block keeps no row at all) into a cache that
     * keeps the graph ({@link KvCache#withinStep}), then the rest with kept logits: the gradient
     * of an offset at block 0's output over the prefill's rows equals the one through the whole
     * forward, on the zero-row path too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "gpt_neox"})
    void gradientsFlowThroughAPrefillThatKeepsNoRow(String variant) {
        CausalLM m = Fixtures.load(variant);
        int d = m.info().dModel();
        int vocab = m.info().vocab();
        int layers = m.info().layers();
        TokenBatch whole = TokenBatch.padded(new int[][] {{5, 17, 3, 30, 8, 21, 9}, {9, 3, 30, 2, 11, 4}}, PadSide.LEFT, 0)
                .withLogitsAt(new int[][] {{-1, 5}, {-1, 3}});
        int cutAt = 4;
        TokenBatch prefix = whole.columnsBefore(cutAt).withoutLogits();
        TokenBatch rest = whole.columnsFrom(cutAt);
        Tensor weights = Tensor.randn(new Random(8), 1f, 2, 2, vocab);
        Site block0 = Site.of(0, Component.BLOCK_OUTPUT);
        float[] viaSplit;
        float[] viaWhole;
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            Tensor offset = Tensor.randn(new Random(3), 0.1f, 2, cutAt, d).requiresGrad(true); // on the prefix's columns only
            KvCache cache = KvCache.withinStep(layers);
            Tensor none = m.forward(prefix, Sites.with(layers, (site, x) -> add(x, offset), block0::equals), cache);
            assertThat(none.shape()).containsExactly(2, 0, vocab);
            sum(mul(m.forward(rest, Sites.NONE, cache), weights)).backward();
            viaSplit = offset.grad().toFloatArray();
        }
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            Tensor offset = Tensor.randn(new Random(3), 0.1f, 2, cutAt, d).requiresGrad(true);
            Tensor zeros = Tensor.zeros(2, whole.seq() - cutAt, d);
            Tensor padded = org.intervene4j.engine.Ops.concat(1, offset, zeros);     // [2, seq, d]: the offset on columns [0, cut)
            sum(mul(m.forward(whole, Sites.with(layers, (site, x) -> add(x, padded), block0::equals), null), weights)).backward();
            viaWhole = offset.grad().toFloatArray();
        }
        double scale = maxAbs(viaWhole);
        System.out.printf("%s: prefix offset gradient max |g| %.3g, split vs whole max |diff| %.2g%n", variant, scale,
                maxAbsDiff(viaSplit, viaWhole));
        assertThat(scale).isGreaterThan(1e-3);
        assertThat(maxAbsDiff(viaSplit, viaWhole)).isLessThanOrEqualTo(1e-5 * scale);
    }

    /** Generation's prefill keeps one row in the last block: greedy tokens equal those of full recomputation without a cache. */
    @Test
    void greedyGenerationEqualsRecomputationWithoutACache() {
        for (String variant : List.of("gpt2", "llama", "mistral_sliding_window", "gpt_neox")) {
            CausalLM m = Fixtures.load(variant);
            int[] prompt = {5, 17, 3, 30, 8, 21, 9};
            int n = 6;
            int[] generated = Generator.generate(m, prompt, n, Sampler.greedy(), null, Sites.NONE, null);
            List<Integer> slow = new ArrayList<>();
            int[] seq = prompt.clone();
            try (GradMode off = GradMode.off()) {
                for (int i = 0; i < n; i++) {
                    Tensor logits = m.forward(TokenBatch.of(seq), watchingLastOutput(m), null); // every row, no cut
                    float[] lastRow = logits.select(0, 0).select(0, seq.length - 1).toFloatArray();
                    int best = 0;
                    for (int v = 1; v < lastRow.length; v++) if (lastRow[v] > lastRow[best]) best = v;
                    slow.add(best);
                    seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                    seq[seq.length - 1] = best;
                }
            }
            assertThat(generated).as(variant).containsExactly(slow.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static int[] slice(int[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    private static void assertRow(Tensor logits, int ex, int j, float[] want, String what) {
        double scale = 1;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        assertThat(maxAbsDiff(logits.select(0, ex).select(0, j).toFloatArray(), want)).as(what).isLessThanOrEqualTo(2e-5 * scale);
    }

    /** max |a - b| / max(1, max |b|). */
    private static double maxRelDiff(float[] a, float[] b) {
        return maxAbsDiff(a, b) / Math.max(1, maxAbs(b));
    }
}
