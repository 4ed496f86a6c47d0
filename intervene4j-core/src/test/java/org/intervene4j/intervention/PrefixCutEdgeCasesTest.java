package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.intervene4j.engine.Ops.crossEntropy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prefix cut ({@link PrefixSplit}) on the cases its own test does not reach: positions that
 * differ per example (some given from the end), examples of very different lengths on either
 * padding side, per-head sites on GQA/MQA key and value heads, the embeddings site, two sources,
 * a same-run source, collects with repeated positions, several kept logits per example, an
 * example with no position at all, and the errors a bad spec raises. Each cut run is compared
 * with the whole forward ({@link IntervenableModel#withTrainingCuts} off) and, where the fired
 * report is concerned, with positions computed here by hand.
 */
class PrefixCutEdgeCasesTest {
    private static final int[] LENGTHS = {12, 7, 10};

    /** Positions of example i as written in a spec (unpadded, negative from the end). */
    private static final int[][] KEY_AT = {{9}, {6}, {-1}};       // head_key_output L0, last kv head (a trainable vector added)
    private static final int[][] LOREFT_AT = {{-2}, {-1}, {7}};   // embeddings
    private static final int[][] ADD_AT = {{11}, {6}, {8}};       // head_value_output L1, every kv head, from source 1
    private static final int[][] ADD_FROM = {{0}, {1}, {2}};
    private static final int[][] SKIP_AT = {{6}, {-1}, {6}};       // skip of block 1 (same-run source: block 1's input)
    private static final int[][] COLLECT_AT = {{7, 11}, {6, 6}, {9, 8}}; // head_query_output L1, last query head
    private static final int[][] VANILLA_AT = {{10}, {-1}, {7}};  // block_output L0, from source 0
    private static final int[][] VANILLA_FROM = {{1}, {2}, {-1}};
    private static final int[][] LOGITS_AT = {{-1, 7}, {-1, 6}, {8, -1}};

    static int[][] tokens(Random rng, int vocab, int... lengths) {
        return PrefixCutTest.examples(rng, vocab, lengths);
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    /** The column of position p of an example of {@code len} tokens in a batch of {@code seq} columns, computed here. */
    static int columnOf(int p, int len, int seq, PadSide side) {
        int q = p < 0 ? p + len : p;
        return side == PadSide.LEFT ? seq - len + q : q;
    }

    static List<InterventionSpec> specs(ModelInfo info) {
        Random rng = new Random(41);
        int hd = info.headDim();
        int[] allKvHeads = range(0, info.kvHeads());
        Site keyHeads = Site.heads(0, Component.KEY_OUTPUT);
        Site valueHeads = Site.heads(1, Component.VALUE_OUTPUT);
        Site queryHeads = Site.heads(1, Component.QUERY_OUTPUT);
        Site embeddings = Site.of(Component.EMBEDDINGS);
        Site block0 = Site.of(0, Component.BLOCK_OUTPUT);
        // the gradient of a vector added to a key row is that row's gradient itself (no cancellation inside the intervention)
        Tensor keyShift = Tensor.randn(rng, 0.1f, hd).requiresGrad(true);
        return List.of(
                new InterventionSpec(keyHeads, keyHeads, Addition.ofVector(keyShift), -1, Positions.perExample(KEY_AT), null,
                        new int[] {info.kvHeads() - 1}, null),
                new InterventionSpec(embeddings, embeddings, LoReFT.random(rng, info.dModel(), 2), -1, Positions.perExample(LOREFT_AT),
                        null, null, null),
                new InterventionSpec(valueHeads, valueHeads, Addition.ofSource(), 1, Positions.perExample(ADD_AT),
                        Positions.perExample(ADD_FROM), allKvHeads, null),
                Skip.at(1, Positions.perExample(SKIP_AT)),
                new InterventionSpec(queryHeads, queryHeads, new Collect(), -1, Positions.perExample(COLLECT_AT), null,
                        new int[] {info.heads() - 1}, null),
                new InterventionSpec(block0, block0, new Vanilla(), 0, Positions.perExample(VANILLA_AT),
                        Positions.perExample(VANILLA_FROM), null, null));
    }

    /** What one gradient-carrying run gave. */
    record Outcome(float[] logits, double loss, Map<String, float[]> grads, List<Fired> fired, float[] collected, int[] seqs) {}

    static Outcome run(IntervenableModel im, PrefixCutTest.Recording rec, TokenBatch base, List<TokenBatch> sources, int[] labels) {
        rec.batches.clear();
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            IntervenableModel.Result r = im.run(base, sources);
            Tensor logits = r.logits();                                               // [b, k, V]
            Tensor loss = crossEntropy(logits.reshape(logits.size(0) * logits.size(1), logits.size(2)), labels, -1);
            loss.backward();
            Map<String, float[]> grads = new LinkedHashMap<>();
            im.parameters().forEach((name, t) -> {
                grads.put(name, t.grad() == null ? null : t.grad().toFloatArray());
                t.zeroGrad();
            });
            return new Outcome(logits.toFloatArray(), loss.item(), grads, r.fired(), r.collected(4).toFloatArray(), rec.seqs());
        }
    }

    /**
     * Positions that differ per example, examples of lengths 12, 7 and 10, two sources, heads of
     * the key/value projections (GQA and MQA included), the embeddings site, a skip and a collect
     * with a repeated position, two kept logits per example, one of them as early as the cut: the cut run's logits, loss, every
     * gradient, fired report and collected rows equal the whole forward's, the fired positions
     * are whole-sequence positions, and the cut lands where computed by hand.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "llama3_rope", "qwen2", "mistral", "mistral_sliding_window", "gpt_neox",
            "gpt_neox_sequential"})
    void perExamplePositionsOnHeadsAndEmbeddingsGiveTheWholeForwardsResults(String variant) {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load(variant));
        ModelInfo info = rec.info();
        IntervenableModel cut = new IntervenableModel(rec, specs(info));
        IntervenableModel whole = cut.withTrainingCuts(false);
        Random rng = new Random(19);
        int[][] baseIds = tokens(rng, info.vocab(), LENGTHS);
        int[][] src0 = tokens(rng, info.vocab(), 5, 6, 4);
        int[][] src1 = tokens(rng, info.vocab(), 3, 8, 6);
        int[] labels = {3, 1, 4, 1, 5, 9};
        for (PadSide side : PadSide.values()) {
            TokenBatch base = TokenBatch.padded(baseIds, side, 0).withLogitsAt(LOGITS_AT);
            List<TokenBatch> sources = List.of(TokenBatch.padded(src0, side, 0), TokenBatch.padded(src1, side, 0));
            // the cut: the earliest column any base position (logits, specs, the skip's same-run read) falls in
            int seq = 12;
            int expectedCut = seq;
            for (int[][] at : List.of(KEY_AT, LOREFT_AT, ADD_AT, SKIP_AT, COLLECT_AT, VANILLA_AT, LOGITS_AT)) {
                for (int i = 0; i < 3; i++) {
                    for (int p : at[i]) expectedCut = Math.min(expectedCut, columnOf(p, LENGTHS[i], seq, side));
                }
            }
            assertThat(expectedCut).as("the test's positions are meant to allow a cut").isEqualTo(6);

            Outcome a = run(cut, rec, base, sources, labels);
            Outcome b = run(whole, rec, base, sources, labels);
            // two source forwards (cut short after their last read), then the prefix and the rest, or the whole base
            assertThat(a.seqs()).as(side.toString()).endsWith(expectedCut, seq - expectedCut).hasSize(4);
            assertThat(b.seqs()).endsWith(seq).hasSize(3);

            assertThat(maxRelDiff(a.logits(), b.logits())).as("logits").isLessThanOrEqualTo(1e-5);
            assertThat(a.loss()).isCloseTo(b.loss(), org.assertj.core.data.Offset.offset(1e-5 * Math.abs(b.loss())));
            assertThat(a.fired()).isEqualTo(b.fired());
            assertThat(maxRelDiff(a.collected(), b.collected())).as("collected").isLessThanOrEqualTo(1e-5);
            assertThat(a.grads().keySet()).containsExactlyElementsOf(b.grads().keySet());
            double worst = 0;
            for (String name : b.grads().keySet()) {
                assertThat(b.grads().get(name)).as(name).isNotNull();
                assertThat(maxAbs(b.grads().get(name))).as(name).isGreaterThan(0);
                worst = Math.max(worst, maxRelDiff(a.grads().get(name), b.grads().get(name)));
            }
            System.out.printf("%s %s: cut at %d, loss %.6f vs %.6f, gradients max rel diff %.2g%n", variant, side, expectedCut,
                    a.loss(), b.loss(), worst);
            assertThat(worst).isLessThanOrEqualTo(1e-5);

            // fired positions: whole-sequence (unpadded, from 0) positions of each spec, one per head
            Map<String, List<Integer>> want = new HashMap<>();
            int[][][] at = {KEY_AT, LOREFT_AT, ADD_AT, SKIP_AT, COLLECT_AT, VANILLA_AT};
            int[] headsPerRow = {1, 1, info.kvHeads(), 1, 1, 1};
            for (int k = 0; k < at.length; k++) {
                for (int i = 0; i < 3; i++) {
                    for (int p : at[k][i]) {
                        for (int h = 0; h < headsPerRow[k]; h++) {
                            want.computeIfAbsent(k + "/" + i, key -> new ArrayList<>()).add(p < 0 ? p + LENGTHS[i] : p);
                        }
                    }
                }
            }
            Map<String, List<Integer>> got = new HashMap<>();
            for (Fired f : a.fired()) got.computeIfAbsent(f.spec() + "/" + f.example(), key -> new ArrayList<>()).add(f.position());
            assertThat(got).isEqualTo(want);
        }
    }

    /**
     * The same positions with cut and whole forward under no grad mode too (the cut must not
     * change what a plain evaluation returns): the logits of the gradient-carrying cut run equal
     * those of the evaluation run.
     */
    @Test
    void aCutRunGivesTheLogitsOfAnEvaluationRun() {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("llama"));
        IntervenableModel cut = new IntervenableModel(rec, specs(rec.info()));
        Random rng = new Random(7);
        TokenBatch base = TokenBatch.padded(tokens(rng, rec.info().vocab(), LENGTHS), PadSide.LEFT, 0).withLogitsAt(LOGITS_AT);
        List<TokenBatch> sources = List.of(TokenBatch.padded(tokens(rng, rec.info().vocab(), 5, 6, 4), PadSide.LEFT, 0),
                TokenBatch.padded(tokens(rng, rec.info().vocab(), 3, 8, 6), PadSide.LEFT, 0));
        float[] eval;
        try (Arena arena = Arena.open(); GradMode off = GradMode.off()) {
            eval = cut.run(base, sources).logits().toFloatArray();
        }
        assertThat(rec.seqs()).endsWith(12).hasSize(3);
        float[] graded;
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            graded = cut.run(base, sources).logits().toFloatArray();
        }
        assertThat(rec.seqs()).endsWith(6, 6).hasSize(4);
        assertThat(maxRelDiff(graded, eval)).isLessThanOrEqualTo(1e-5);
    }

    /**
     * With right padding a short example leaves no room for a cut at half the columns (its
     * tokens all fall before it): the forward stays whole, and the results are still right.
     * An example with no position at all (an empty per-example list) does not hold the cut back.
     */
    @Test
    void aShortRightPaddedExampleKeepsTheForwardWholeAndAnEmptyListDoesNotHoldTheCutBack() {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("llama"));
        int d = rec.info().dModel();
        Random rng = new Random(3);
        Site site = Site.of(1, Component.BLOCK_INPUT);
        IntervenableModel cut = new IntervenableModel(rec, List.of(new InterventionSpec(site, site,
                LoReFT.random(rng, d, 2), -1, Positions.perExample(new int[][] {{-1}, {}, {-2}}), null, null, null)));
        int[][] ids = tokens(rng, rec.info().vocab(), 12, 3, 10);
        int[] labels = {1, 2, 3};
        for (PadSide side : PadSide.values()) {
            TokenBatch base = TokenBatch.padded(ids, side, 0).withLogitsAt(new int[] {-1, -1, -1});
            Outcome a = runWithoutCollect(cut, rec, base, List.of(), labels);
            Outcome b = runWithoutCollect(cut.withTrainingCuts(false), rec, base, List.of(), labels);
            int[] seqs = a.seqs();
            assertThat(b.seqs()).containsExactly(12);
            if (side == PadSide.RIGHT) {
                assertThat(seqs).containsExactly(12); // the 3-token example's last token is in column 2
            } else {
                assertThat(seqs).containsExactly(10, 2); // example 1 has no position; the logits of -1 sit in column 11
            }
            assertThat(maxRelDiff(a.logits(), b.logits())).as(side.toString()).isLessThanOrEqualTo(1e-5);
            for (String name : b.grads().keySet()) {
                assertThat(maxAbs(b.grads().get(name))).as(name).isGreaterThan(0);
                assertThat(maxRelDiff(a.grads().get(name), b.grads().get(name))).as(side + " " + name).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    /**
     * A bad spec fails the same way with the cut on as with it off: a position outside one
     * example (the cut is not tried), a head out of range and a subspace index beyond the head
     * width (the cut runs and the rest reports).
     */
    @Test
    void badSpecsFailWithTheSameMessageWithAndWithoutTheCut() {
        CausalLM m = Fixtures.load("llama");
        ModelInfo info = m.info();
        Random rng = new Random(9);
        TokenBatch base = TokenBatch.padded(tokens(rng, info.vocab(), 10, 8), PadSide.LEFT, 0).withSharedLogitsAt(-1);
        Site keys = Site.heads(0, Component.KEY_OUTPUT);
        List<InterventionSpec> outside = List.of(new InterventionSpec(keys, keys, new Zero(), -1,
                Positions.perExample(new int[][] {{-1}, {8}}), null, new int[] {0}, null));
        List<InterventionSpec> badHead = List.of(new InterventionSpec(keys, keys, new Zero(), -1, Positions.of(-1), null,
                new int[] {info.kvHeads()}, null));
        List<InterventionSpec> badDim = List.of(new InterventionSpec(keys, keys, new Zero(), -1, Positions.of(-1), null,
                new int[] {0}, new int[] {info.headDim()}));
        for (List<InterventionSpec> specs : List.of(outside, badHead, badDim)) {
            IntervenableModel im = new IntervenableModel(m, specs);
            Throwable a;
            Throwable b;
            try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
                a = catchThrowable(() -> im.run(base, List.of()));
                b = catchThrowable(() -> im.withTrainingCuts(false).run(base, List.of()));
            }
            assertThat(b).as(specs.toString()).isNotNull();
            assertThat(a).as(specs.toString()).isNotNull().hasSameClassAs(b).hasMessage(b.getMessage());
        }
    }

    /**
     * Two kept logits per example, one of them before the intervened position: the cut falls at
     * the earlier logits position, not at the intervention; and the same position kept twice
     * gives two equal rows.
     */
    @Test
    void logitsKeptBeforeTheInterventionMoveTheCutAndRepeatedLogitsAreEqualRows() {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("gpt2"));
        int d = rec.info().dModel();
        Random rng = new Random(13);
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        IntervenableModel cut = new IntervenableModel(rec, List.of(InterventionSpec.at(site, BoundlessRotatedSpace.random(rng, d), 0,
                new int[] {-1}, new int[] {-1})));
        TokenBatch base = TokenBatch.padded(tokens(rng, rec.info().vocab(), 10, 9), PadSide.RIGHT, 0)
                .withLogitsAt(new int[][] {{7, -1, -1}, {-1, 6, -1}});
        List<TokenBatch> sources = List.of(TokenBatch.padded(tokens(rng, rec.info().vocab(), 4, 6), PadSide.RIGHT, 0));
        int[] labels = {1, 2, 3, 4, 5, 6};
        Outcome a = runWithoutCollect(cut, rec, base, sources, labels);
        Outcome b = runWithoutCollect(cut.withTrainingCuts(false), rec, base, sources, labels);
        assertThat(a.seqs()).containsExactly(6, 6, 4); // cut at column 6 (example 1 keeps logits at 6), not at 8
        assertThat(b.seqs()).containsExactly(6, 10);
        int vocab = rec.info().vocab();
        // rows 1 and 2 of example 0 are both its last position
        float[] row1 = java.util.Arrays.copyOfRange(a.logits(), vocab, 2 * vocab);
        float[] row2 = java.util.Arrays.copyOfRange(a.logits(), 2 * vocab, 3 * vocab);
        assertThat(maxRelDiff(row2, row1)).isLessThanOrEqualTo(1e-6);
        assertThat(maxRelDiff(a.logits(), b.logits())).isLessThanOrEqualTo(1e-5);
        for (String name : b.grads().keySet()) {
            assertThat(maxRelDiff(a.grads().get(name), b.grads().get(name))).as(name).isLessThanOrEqualTo(1e-4);
        }
    }

    /**
     * A same-run source read at earlier positions than it writes (block 0's input at positions
     * 6 and 7 of two 10- and 9-token examples, written into block 1's output at their last
     * token; a LoReFT at the second-to-last token and logits kept at both): the cut falls at the
     * earliest read, and the result is the whole forward's.
     */
    @Test
    void aSameRunSourceReadEarlierThanItsWriteSetsTheCut() {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("llama"));
        int d = rec.info().dModel();
        Random rng = new Random(29);
        Site write = Site.of(1, Component.BLOCK_OUTPUT);
        Site read = Site.of(0, Component.BLOCK_INPUT);
        Site shift = Site.of(0, Component.MLP_OUTPUT);
        IntervenableModel cut = new IntervenableModel(rec, List.of(
                new InterventionSpec(shift, shift, LoReFT.random(rng, d, 2), -1, Positions.of(-2), null, null, null),
                new InterventionSpec(write, read, new Skip(), -1, Positions.of(-1), Positions.perExample(new int[][] {{6}, {7}}),
                        null, null)));
        int[][] ids = tokens(rng, rec.info().vocab(), 10, 9);
        int[] labels = {7, 8, 9, 10};
        for (PadSide side : PadSide.values()) {
            TokenBatch base = TokenBatch.padded(ids, side, 0).withSharedLogitsAt(-1, -2);
            Outcome a = runWithoutCollect(cut, rec, base, List.of(), labels);
            Outcome b = runWithoutCollect(cut.withTrainingCuts(false), rec, base, List.of(), labels);
            int expectedCut = 6; // example 0 reads at column 6 on either side (example 1 at column 8 left, 7 right)
            assertThat(a.seqs()).as(side.toString()).containsExactly(expectedCut, 10 - expectedCut);
            assertThat(b.seqs()).containsExactly(10);
            assertThat(a.fired()).isEqualTo(b.fired());
            assertThat(maxRelDiff(a.logits(), b.logits())).isLessThanOrEqualTo(1e-5);
            for (String name : b.grads().keySet()) {
                assertThat(maxAbs(b.grads().get(name))).as(name).isGreaterThan(0);
                assertThat(maxRelDiff(a.grads().get(name), b.grads().get(name))).as(side + " " + name).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    static Outcome runWithoutCollect(IntervenableModel im, PrefixCutTest.Recording rec, TokenBatch base, List<TokenBatch> sources,
                                     int[] labels) {
        rec.batches.clear();
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            IntervenableModel.Result r = im.run(base, sources);
            Tensor logits = r.logits();
            Tensor loss = crossEntropy(logits.reshape(logits.size(0) * logits.size(1), logits.size(2)), labels, -1);
            loss.backward();
            Map<String, float[]> grads = new LinkedHashMap<>();
            im.parameters().forEach((name, t) -> {
                grads.put(name, t.grad().toFloatArray());
                t.zeroGrad();
            });
            return new Outcome(logits.toFloatArray(), loss.item(), grads, r.fired(), null, rec.seqs());
        }
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }

    /** max |a - b| / max(1e-6, max |b|). */
    static double maxRelDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        return worst / Math.max(1e-6, maxAbs(b));
    }
}
