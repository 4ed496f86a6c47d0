package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.intervene4j.testing.Diffs.maxAbs;
import static org.intervene4j.testing.Diffs.maxAbsDiff;

import java.util.ArrayList;
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
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The row cut of source forwards ({@link SourceRowCut}): under grad mode, a source run keeps only
 * the rows it reads in the block where it stops, and the training step it feeds gives the
 * uncut step's loss and gradients; the cases that must not cut run whole; a broken end
 * declaration is an error.
 */
class SourceRowCutTest {
    private static final int[] BASE_LENGTHS = {9, 6, 8};
    private static final int[] SOURCE_LENGTHS = {7, 9, 5};
    /** Source positions read per example (unpadded, some from the end). */
    private static final int[][] READ_AT = {{-1, 2}, {4, -3}, {0, -1}};
    private static final int[][] WRITE_AT = {{-1, 3}, {5, 1}, {-2, -1}};

    /** What one training step gave: the loss, every gradient, the recorded forwards' row cuts. */
    record Step(double loss, Map<String, float[]> grads, List<Integer> cuts) {}

    private static Step step(IntervenableModel im, PrefixCutTest.Recording rec, TokenBatch base, TokenBatch source, int[] labels) {
        rec.rowCuts.clear();
        PrefixCutEdgeCasesTest.Outcome o = PrefixCutEdgeCasesTest.runWithoutCollect(im, rec, base, List.of(source), labels);
        return new Step(o.loss(), o.grads(), List.copyOf(rec.rowCuts));
    }

    /**
     * The source rows each spec reads under grad mode, with and without the training cuts: the
     * same rows to float rounding (a wrong row would differ by the activations' own size).
     */
    private static double sourceRowsRelDiff(IntervenableModel im, TokenBatch base, TokenBatch source) {
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            Map<Integer, Tensor> cut = im.readSources(base, List.of(source));
            Map<Integer, Tensor> whole = im.withTrainingCuts(false).readSources(base, List.of(source));
            assertThat(cut.keySet()).isEqualTo(whole.keySet());
            double worst = 0;
            for (int k : whole.keySet()) {
                float[] w = whole.get(k).toFloatArray();
                assertThat(cut.get(k).shape()).containsExactly(whole.get(k).shape());
                worst = Math.max(worst, maxAbsDiff(cut.get(k).toFloatArray(), w) / maxAbs(w));
            }
            return worst;
        }
    }

    /** Two trainable interventions reading the same source positions after the attention of the last block the source needs. */
    private static List<InterventionSpec> specs(ModelInfo info, Site first, Site second) {
        Random rng = new Random(13);
        return List.of(
                new InterventionSpec(first, first, BoundlessRotatedSpace.random(rng, info.dModel()), 0, Positions.perExample(WRITE_AT),
                        Positions.perExample(READ_AT), null, null),
                new InterventionSpec(second, second, LowRankRotatedSpace.random(rng, info.dModel(), 2), 0,
                        Positions.perExample(WRITE_AT), Positions.perExample(READ_AT), null, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "llama3_rope", "qwen2", "mistral", "mistral_sliding_window", "gpt_neox",
            "gpt_neox_sequential"})
    void aCutSourceGivesTheWholeSourcesLossAndGradients(String variant) {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load(variant));
        ModelInfo info = rec.info();
        int stop = info.layers() - 1;
        // the block output of the last block and the MLP output of the same block, read at two positions per example
        IntervenableModel cut = new IntervenableModel(rec, specs(info, Site.of(stop, Component.BLOCK_OUTPUT),
                Site.of(stop, Component.MLP_OUTPUT)));
        IntervenableModel whole = cut.withTrainingCuts(false);
        Random rng = new Random(29);
        int[][] baseIds = PrefixCutTest.examples(rng, info.vocab(), BASE_LENGTHS);
        int[][] sourceIds = PrefixCutTest.examples(rng, info.vocab(), SOURCE_LENGTHS);
        int[] labels = {2, 7, 1, 8, 2, 8};
        for (PadSide side : PadSide.values()) {
            TokenBatch base = TokenBatch.padded(baseIds, side, 0).withSharedLogitsAt(-1, -2);
            TokenBatch source = TokenBatch.padded(sourceIds, side, 0);
            double rows = sourceRowsRelDiff(cut, base, source);
            assertThat(rows).as("source rows").isLessThanOrEqualTo(1e-5);
            Step a = step(cut, rec, base, source, labels);
            Step b = step(whole, rec, base, source, labels);
            assertThat(a.cuts().get(0)).as("the source keeps its read rows in block %d", stop).isEqualTo(stop);
            assertThat(b.cuts().get(0)).as("no cut with the training cuts off").isEqualTo(-1);
            assertThat(a.loss()).isCloseTo(b.loss(), org.assertj.core.data.Offset.offset(1e-5 * Math.abs(b.loss())));
            double worst = 0;
            for (String name : b.grads().keySet()) {
                assertThat(maxAbs(b.grads().get(name))).as(name).isGreaterThan(0);
                worst = Math.max(worst, maxAbsDiff(a.grads().get(name), b.grads().get(name)) / maxAbs(b.grads().get(name)));
            }
            System.out.printf("%s %s: source cut in block %d, rows max rel diff %.2g, loss %.6f vs %.6f, gradients max rel diff %.2g%n",
                    variant, side, stop, rows, a.loss(), b.loss(), worst);
            // the rotations' gradients take s - b, where rounding of s weighs more than in s itself
            assertThat(worst).isLessThanOrEqualTo(1e-4);
        }
    }

    /** A model that hands the reading hooks whole activations (it ignores the end declaration): the reader still reads the right rows. */
    @Test
    void aModelThatDoesNotCutStillFeedsTheRightRows() {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("gpt2"));
        ModelInfo info = rec.info();
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        IntervenableModel im = new IntervenableModel(rec, specs(info, site, Site.of(0, Component.ATTENTION_OUTPUT)));
        Random rng = new Random(31);
        TokenBatch base = TokenBatch.padded(PrefixCutTest.examples(rng, info.vocab(), BASE_LENGTHS), PadSide.LEFT, 0)
                .withSharedLogitsAt(-1);
        TokenBatch source = TokenBatch.padded(PrefixCutTest.examples(rng, info.vocab(), SOURCE_LENGTHS), PadSide.LEFT, 0);
        int[] labels = {3, 1, 4};
        Step cut = step(im, rec, base, source, labels);
        // the recording model rebuilds the hooks when it shifts the embeddings, dropping the end declaration
        rec.embeddingOffset = Tensor.zeros(info.dModel());
        Step ignored = step(im, rec, base, source, labels);
        rec.embeddingOffset = null;
        Step whole = step(im.withTrainingCuts(false), rec, base, source, labels);
        assertThat(cut.cuts().get(0)).isEqualTo(0);
        assertThat(whole.cuts().get(0)).isEqualTo(-1);
        assertThat(sourceRowsRelDiff(im, base, source)).isLessThanOrEqualTo(1e-5);
        for (Step s : List.of(cut, ignored)) {
            assertThat(s.loss()).isCloseTo(whole.loss(), org.assertj.core.data.Offset.offset(1e-4 * Math.abs(whole.loss())));
            for (String name : whole.grads().keySet()) {
                assertThat(maxAbsDiff(s.grads().get(name), whole.grads().get(name)))
                        .isLessThanOrEqualTo(1e-4 * maxAbs(whole.grads().get(name)));
            }
        }
    }

    /**
     * The source forward's row cut for these specs ({@code -1}: none), as recorded in one
     * training forward: the specs plus a trainable LoReFT on the base, which reads no source.
     */
    private static int sourceCut(List<InterventionSpec> specs) {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("llama"));
        Random rng = new Random(37);
        TokenBatch base = TokenBatch.padded(PrefixCutTest.examples(rng, rec.info().vocab(), BASE_LENGTHS), PadSide.RIGHT, 0)
                .withSharedLogitsAt(-1);
        TokenBatch source = TokenBatch.padded(PrefixCutTest.examples(rng, rec.info().vocab(), SOURCE_LENGTHS), PadSide.RIGHT, 0);
        rec.rowCuts.clear();
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            new IntervenableModel(rec, training(specs, rec.info())).run(base, List.of(source));
        }
        return rec.rowCuts.get(0);
    }

    /** {@code specs} plus a trainable intervention on the base that reads no source: a training forward. */
    private static List<InterventionSpec> training(List<InterventionSpec> specs, ModelInfo info) {
        List<InterventionSpec> out = new java.util.ArrayList<>(specs);
        out.add(InterventionSpec.at(Site.of(0, Component.MLP_OUTPUT), LoReFT.random(new Random(53), info.dModel(), 2), -1,
                new int[] {-1}, null));
        return out;
    }

    private static InterventionSpec reading(Site site, int[][] from) {
        return new InterventionSpec(site, site, new Vanilla(), 0, Positions.perExample(new int[][] {{-1}, {-1}, {-1}}),
                Positions.perExample(from), null, null);
    }

    @Test
    void onlyReadsAfterTheAttentionAtSharedPositionsAreCut() {
        Site out0 = Site.of(0, Component.BLOCK_OUTPUT);
        Site out1 = Site.of(1, Component.BLOCK_OUTPUT);
        int[][] last = {{-1}, {-1}, {-1}};
        assertThat(sourceCut(List.of(reading(out1, last)))).isEqualTo(1);
        // an earlier block's read does not matter: the source stops in block 1
        assertThat(sourceCut(List.of(reading(out0, new int[][] {{0}, {1}, {2}}), reading(out1, last)))).isEqualTo(1);
        // positions that differ between the reads of the stopping block
        assertThat(sourceCut(List.of(reading(out1, last), reading(Site.of(1, Component.MLP_OUTPUT), new int[][] {{0}, {1}, {2}}))))
                .isEqualTo(-1);
        // a read before the attention of the stopping block
        assertThat(sourceCut(List.of(reading(out1, last), reading(Site.of(1, Component.BLOCK_INPUT), last)))).isEqualTo(-1);
        // per-head attention values come before the block drops rows, so the reader sees every column
        // (and tells by their count); the block still skips the other rows' projection and MLP
        Site values = Site.heads(1, Component.ATTENTION_VALUE_OUTPUT);
        List<InterventionSpec> heads = List.of(new InterventionSpec(values, values, new Vanilla(), 0, Positions.perExample(last),
                Positions.perExample(last), new int[] {0}, null));
        assertThat(sourceCut(heads)).isEqualTo(1);
        CausalLM llama = Fixtures.load("llama");
        Random rng = new Random(43);
        TokenBatch headsBase = TokenBatch.padded(PrefixCutTest.examples(rng, llama.info().vocab(), BASE_LENGTHS), PadSide.LEFT, 0)
                .withSharedLogitsAt(-1);
        TokenBatch headsSource = TokenBatch.padded(PrefixCutTest.examples(rng, llama.info().vocab(), SOURCE_LENGTHS), PadSide.LEFT, 0);
        assertThat(sourceRowsRelDiff(new IntervenableModel(llama, training(heads, llama.info())), headsBase, headsSource))
                .isLessThanOrEqualTo(1e-6);
        // counts that differ between examples, or every column read
        int[][] uneven = {{-1}, {-1, 0}, {-1}};
        assertThat(sourceCut(List.of(new InterventionSpec(out1, out1, new Vanilla(), 0, Positions.perExample(uneven),
                Positions.perExample(uneven), null, null)))).isEqualTo(-1);
        // every one of the 9 columns kept (example 0 has 7 tokens, its list repeats position 0)
        int[][] everyColumn = new int[3][];
        for (int i = 0; i < 3; i++) everyColumn[i] = java.util.Arrays.copyOf(PrefixCutEdgeCasesTest.range(0, SOURCE_LENGTHS[i]), 9);
        TokenBatch source = TokenBatch.padded(PrefixCutTest.examples(new Random(1), 50, SOURCE_LENGTHS), PadSide.RIGHT, 0);
        assertThat(SourceRowCut.of(List.of(reading(out1, everyColumn)), 0, source)).isNull();
        int[][] all = new int[3][];
        for (int i = 0; i < 3; i++) all[i] = java.util.Arrays.copyOf(everyColumn[i], 8);
        assertThat(SourceRowCut.of(List.of(reading(out1, all)), 0, source).layer).isEqualTo(1); // 8 of 9 columns: cut
    }

    /**
     * Random read plans: one or two sources, one to four specs each at a random site (the
     * embeddings, any block's sites before or after its attention, per head or whole), positions
     * shared or per example, some from the end, some repeated, drawn from two sets so that reads of
     * one block often agree; either padding side. Every spec's source rows must be those of the
     * uncut forward, whether or not its source was cut.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "gpt_neox"})
    void randomReadPlansReadTheRowsOfTheUncutForward(String variant) {
        Component[] components = {Component.EMBEDDINGS, Component.BLOCK_INPUT, Component.ATTENTION_INPUT,
                Component.QUERY_OUTPUT, Component.KEY_OUTPUT, Component.VALUE_OUTPUT, Component.ATTENTION_VALUE_OUTPUT,
                Component.ATTENTION_OUTPUT, Component.MLP_INPUT, Component.MLP_ACTIVATION, Component.MLP_OUTPUT,
                Component.BLOCK_OUTPUT};
        CausalLM m = Fixtures.load(variant);
        ModelInfo info = m.info();
        int plans = 80;
        int cut = 0;
        int runs = 0;
        for (int plan = 0; plan < plans; plan++) {
            Random rng = new Random(1000L * plan + 7);
            int b = 1 + rng.nextInt(3);
            int[] baseLengths = new int[b];
            int[] sourceLengths = new int[b];
            for (int i = 0; i < b; i++) {
                baseLengths[i] = 3 + rng.nextInt(6);
                sourceLengths[i] = 3 + rng.nextInt(6);
            }
            PadSide side = rng.nextBoolean() ? PadSide.LEFT : PadSide.RIGHT;
            TokenBatch base = TokenBatch.padded(PrefixCutTest.examples(rng, info.vocab(), baseLengths), side, 0).withSharedLogitsAt(-1);
            List<TokenBatch> sources = new ArrayList<>();
            int sourceCount = 1 + rng.nextInt(2);
            for (int s = 0; s < sourceCount; s++) {
                sources.add(TokenBatch.padded(PrefixCutTest.examples(rng, info.vocab(), sourceLengths), side, 0));
            }
            int k = 1 + rng.nextInt(2);
            int[][][] positionSets = new int[2][b][k]; // positions 0..2 or -1..-3: inside every example
            for (int[][] set : positionSets) {
                for (int[] p : set) java.util.Arrays.setAll(p, j -> rng.nextBoolean() ? rng.nextInt(3) : -1 - rng.nextInt(3));
            }
            List<InterventionSpec> specs = new ArrayList<>();
            for (int n = 1 + rng.nextInt(4); n > 0; n--) {
                Component c = components[rng.nextInt(components.length)];
                int layer = rng.nextInt(info.layers());
                boolean perHead = c.hasHeads && rng.nextBoolean();
                Site site = c == Component.EMBEDDINGS ? Site.of(c) : perHead ? Site.heads(layer, c) : Site.of(layer, c);
                int[][] from = positionSets[rng.nextInt(2)];
                Positions read = rng.nextInt(4) == 0 ? Positions.of(from[0]) : Positions.perExample(from);
                int headCount = c == Component.KEY_OUTPUT || c == Component.VALUE_OUTPUT ? info.kvHeads() : info.heads();
                int[] heads = perHead ? new int[] {rng.nextInt(headCount)} : null;
                specs.add(new InterventionSpec(site, site, new Vanilla(), rng.nextInt(sourceCount), Positions.perExample(positionSets[0]),
                        read, heads, null));
            }
            for (int s = 0; s < sourceCount; s++) {
                runs++;
                if (SourceRowCut.of(specs, s, sources.get(s)) != null) cut++;
            }
            IntervenableModel im = new IntervenableModel(m, training(specs, m.info())); // a training forward, so it may cut
            try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
                Map<Integer, Tensor> withCuts = im.readSources(base, sources);
                Map<Integer, Tensor> whole = im.withTrainingCuts(false).readSources(base, sources);
                assertThat(withCuts.keySet()).isEqualTo(whole.keySet());
                for (int spec : whole.keySet()) {
                    float[] w = whole.get(spec).toFloatArray();
                    assertThat(withCuts.get(spec).shape()).containsExactly(whole.get(spec).shape());
                    assertThat(maxAbsDiff(withCuts.get(spec).toFloatArray(), w)).as("plan %d, spec %d of %s", plan, spec, specs)
                            .isLessThanOrEqualTo(1e-5 * Math.max(maxAbs(w), 1e-3));
                }
            }
        }
        System.out.printf("%s: %d of %d random source runs cut%n", variant, cut, runs);
        assertThat(cut).as("the plans exercise the cut").isGreaterThan(runs / 5);
    }

    /**
     * An evaluation that leaves grad mode on (its default) is not a training forward: with no
     * intervention parameter to train, nothing is cut, and a vanilla interchange with the base as
     * its own source gives the plain logits bit for bit.
     */
    @Test
    void anEvaluationUnderGradModeIsNotCut() {
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load("llama"));
        Site site = Site.of(0, Component.BLOCK_OUTPUT); // not the last block, which keeps only the logits row in both runs
        IntervenableModel im = new IntervenableModel(rec, List.of(reading(site, new int[][] {{-1}, {-1}, {-1}})));
        Random rng = new Random(47);
        TokenBatch tokens = TokenBatch.padded(PrefixCutTest.examples(rng, rec.info().vocab(), BASE_LENGTHS), PadSide.LEFT, 0);
        TokenBatch base = tokens.withSharedLogitsAt(-1);
        float[] plain;
        try (GradMode off = GradMode.off()) {
            plain = rec.forward(base).toFloatArray();
        }
        rec.rowCuts.clear();
        rec.batches.clear();
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            assertThat(im.run(base, List.of(tokens)).logits().toFloatArray()).containsExactly(plain);
        }
        assertThat(rec.seqs()).containsExactly(9, 9);                    // the source, then the whole base
        assertThat(rec.rowCuts.get(0)).isEqualTo(-1);
    }

    @Test
    void aSourcePositionOutsideItsExampleGivesTheUsualError() {
        CausalLM m = Fixtures.load("gpt2");
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        IntervenableModel im = new IntervenableModel(m, List.of(reading(site, new int[][] {{-1}, {20}, {-1}})));
        Random rng = new Random(41);
        TokenBatch base = TokenBatch.padded(PrefixCutTest.examples(rng, m.info().vocab(), BASE_LENGTHS), PadSide.RIGHT, 0)
                .withSharedLogitsAt(-1);
        TokenBatch source = TokenBatch.padded(PrefixCutTest.examples(rng, m.info().vocab(), SOURCE_LENGTHS), PadSide.RIGHT, 0);
        Throwable withCuts;
        Throwable without;
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            withCuts = catchThrowable(() -> im.run(base, List.of(source)));
            without = catchThrowable(() -> im.withTrainingCuts(false).run(base, List.of(source)));
        }
        assertThat(withCuts).isNotNull().hasMessageContaining("20");
        assertThat(withCuts).hasMessage(without.getMessage()).isExactlyInstanceOf(without.getClass());
    }

    @Test
    void hooksThatDeclareAnEndButLetTheForwardGoOnAreAnError() {
        CausalLM m = Fixtures.load("gpt2");
        int layers = m.info().layers();
        TokenBatch batch = TokenBatch.of(1, 2, 3, 4).withSharedLogitsAt(-1);
        Sites passing = Sites.with(layers, (site, x) -> x, site -> site.equals(Site.of(0, Component.BLOCK_OUTPUT)));
        try (GradMode off = GradMode.off()) {
            assertThatThrownBy(() -> m.forward(batch, passing.endingIn(0), null)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("block 0").hasMessageContaining("block 1");
            // the last block as the declared end is the plain forward with a logits selection
            Tensor declared = m.forward(batch, passing.endingIn(layers - 1), null);
            Tensor plain = m.forward(batch, passing, null);
            assertThat(declared.toFloatArray()).containsExactly(plain.toFloatArray());
        }
        assertThatThrownBy(() -> passing.endingIn(layers)).hasMessageContaining("end layer " + layers);
        assertThatThrownBy(() -> Sites.NONE.endingIn(0)).isInstanceOf(IllegalStateException.class);
    }
}
