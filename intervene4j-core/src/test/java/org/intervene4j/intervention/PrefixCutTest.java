package org.intervene4j.intervention;

import static org.intervene4j.testing.Diffs.maxAbs;
import static org.intervene4j.testing.Diffs.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.crossEntropy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.KvCache;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.model.common.LogitsSelection;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Under grad mode, a base forward whose interventions all sit late in the prompt runs its
 * untouched prefix apart ({@link PrefixSplit}): the loss, every parameter's gradient, the fired
 * report and the collected rows equal those of the whole forward, and the forwards the model saw
 * show that the cut happened (or, where it must not, that it did not).
 */
class PrefixCutTest {
    /** A model that records the batch of every forward it runs (and can add a trainable offset at the embeddings). */
    static final class Recording implements CausalLM {
        final CausalLM inner;
        final List<TokenBatch> batches = new ArrayList<>();
        /** Per forward: the block that keeps only the selected rows after its attention, or -1. */
        final List<Integer> rowCuts = new ArrayList<>();
        Tensor embeddingOffset; // [d] added at every position when set

        Recording(CausalLM inner) {
            this.inner = inner;
        }

        @Override
        public ModelInfo info() {
            return inner.info();
        }

        @Override
        public Tensor forward(TokenBatch batch, Sites sites, KvCache cache) {
            batches.add(batch);
            rowCuts.add(LogitsSelection.rowCutLayer(batch, sites, info().layers() - 1));
            if (embeddingOffset == null) return inner.forward(batch, sites, cache);
            Site embeddings = Site.of(Component.EMBEDDINGS);
            Sites shifted = Sites.with(info().layers(), (site, x) -> site.equals(embeddings) ? add(x, embeddingOffset)
                    : sites.at(site.layer(), site.component(), x), site -> site.equals(embeddings)
                    || site.component().perLayer && sites.watches(site.layer(), site.component()));
            return inner.forward(batch, shifted, cache);
        }

        @Override
        public List<SiteShape> sites() {
            return inner.sites();
        }

        /** Sequence lengths of the recorded batches, then forgets them. */
        int[] seqs() {
            int[] out = batches.stream().mapToInt(TokenBatch::seq).toArray();
            batches.clear();
            return out;
        }
    }

    /** What one training-style step gave. */
    record Step(double loss, Map<String, float[]> grads, List<Fired> fired, float[] collected, int[] seqs) {}

    static int[][] examples(Random rng, int vocab, int... lengths) {
        int[][] out = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = new int[lengths[i]];
            for (int t = 0; t < lengths[i]; t++) out[i][t] = 1 + rng.nextInt(vocab - 1);
        }
        return out;
    }

    /** Boundless DAS at block 0's last token, LoReFT at block 1's last token, a skip of block 1 and a collect after it at the second-to-last. */
    static List<InterventionSpec> specs(int d) {
        Random rng = new Random(3);
        return List.of(
                InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT), BoundlessRotatedSpace.random(rng, d), 0, new int[] {-1}, new int[] {-1}),
                InterventionSpec.at(Site.of(1, Component.MLP_OUTPUT), LoReFT.random(rng, d, 2), -1, new int[] {-1}, null),
                Skip.at(1, Positions.of(-2)),
                InterventionSpec.at(Site.of(1, Component.BLOCK_OUTPUT), new Collect(), -1, new int[] {-2}, null));
    }

    static Step step(IntervenableModel im, Recording rec, TokenBatch base, TokenBatch source, int[] labels) {
        rec.batches.clear();
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            IntervenableModel.Result r = im.run(base.withSharedLogitsAt(-1), List.of(source));
            Tensor logits = r.logits();                                           // [b, 1, V]
            Tensor loss = crossEntropy(logits.reshape(logits.size(0), logits.size(2)), labels, -1);
            loss.backward();
            Map<String, float[]> grads = new java.util.LinkedHashMap<>();
            im.parameters().forEach((name, t) -> {
                grads.put(name, t.grad().toFloatArray());
                t.zeroGrad();
            });
            if (rec.embeddingOffset != null) {
                grads.put("embedding_offset", rec.embeddingOffset.grad().toFloatArray());
                rec.embeddingOffset.zeroGrad();
            }
            return new Step(loss.item(), grads, r.fired(), r.collected(3).toFloatArray(), rec.seqs());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "mistral_sliding_window", "gpt_neox"})
    void aCutForwardGivesTheWholeForwardsLossGradientsFiredRowsAndCollectedRows(String variant) {
        Recording rec = new Recording(Fixtures.load(variant));
        int vocab = rec.info().vocab();
        IntervenableModel cut = new IntervenableModel(rec, specs(rec.info().dModel()));
        IntervenableModel whole = cut.withTrainingCuts(false);
        Random rng = new Random(17);
        for (PadSide side : PadSide.values()) {
            TokenBatch base = TokenBatch.padded(examples(rng, vocab, 9, 7, 8), side, 0);
            TokenBatch source = TokenBatch.padded(examples(rng, vocab, 6, 9, 5), side, 0);
            int[] labels = {3, 1, 4};
            Step a = step(cut, rec, base, source, labels);
            Step b = step(whole, rec, base, source, labels);
            // source, then the prefix and the rest; or source, then the whole base
            int cutColumn = side == PadSide.LEFT ? 7 : 5;  // the earliest column a spec touches: -2 of the 9- or 7-token example
            assertThat(a.seqs()).as(side.toString()).containsExactly(9, cutColumn, 9 - cutColumn);
            assertThat(b.seqs()).containsExactly(9, 9);
            assertThat(a.loss()).isCloseTo(b.loss(), org.assertj.core.data.Offset.offset(1e-5 * Math.abs(b.loss())));
            assertThat(a.fired()).isEqualTo(b.fired());
            assertThat(maxRelDiff(a.collected(), b.collected())).isLessThanOrEqualTo(1e-5);
            assertThat(a.grads().keySet()).containsExactlyElementsOf(b.grads().keySet()).hasSize(5);
            double worst = 0;
            for (String name : b.grads().keySet()) {
                assertThat(maxAbs(b.grads().get(name))).as(name).isGreaterThan(0);
                worst = Math.max(worst, maxRelDiff(a.grads().get(name), b.grads().get(name)));
            }
            System.out.printf("%s %s: cut vs whole forward, loss %.6f vs %.6f, gradients max rel diff %.2g%n", variant, side, a.loss(),
                    b.loss(), worst);
            assertThat(worst).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void theForwardStaysWholeWithoutGradModeOrALogitsSelectionOrWhenTheInterventionIsEarly() {
        Recording rec = new Recording(Fixtures.load("gpt2"));
        int d = rec.info().dModel();
        Random rng = new Random(5);
        TokenBatch base = TokenBatch.of(examples(rng, rec.info().vocab(), 8)[0]);
        TokenBatch source = TokenBatch.of(examples(rng, rec.info().vocab(), 8)[0]);
        IntervenableModel late = new IntervenableModel(rec, List.of(InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT),
                BoundlessRotatedSpace.random(rng, d), 0, new int[] {-1}, new int[] {-1})));
        IntervenableModel early = new IntervenableModel(rec, List.of(InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT),
                BoundlessRotatedSpace.random(rng, d), 0, new int[] {3}, new int[] {-1})));
        try (Arena arena = Arena.open()) {
            try (GradMode off = GradMode.off()) {
                late.run(base.withSharedLogitsAt(-1), List.of(source));
            }
            assertThat(rec.seqs()).containsExactly(8, 8);
            try (GradMode on = GradMode.on()) {
                late.run(base, List.of(source));
                assertThat(rec.seqs()).containsExactly(8, 8);
                early.run(base.withSharedLogitsAt(-1), List.of(source)); // a prefix of 3 of 8 columns is not worth a second pass
                assertThat(rec.seqs()).containsExactly(8, 8);
                early.run(base.withSharedLogitsAt(-1, 4), List.of(source));
                assertThat(rec.seqs()).containsExactly(8, 8);
                late.run(base.withSharedLogitsAt(-1), List.of(source));
                assertThat(rec.seqs()).containsExactly(8, 7, 1);
                late.run(base.withSharedLogitsAt(-1, 2), List.of(source)); // logits wanted early
                assertThat(rec.seqs()).containsExactly(8, 8);
            }
        }
    }

    /**
     * When a model weight needs a gradient (here a trainable offset on every embedding), the
     * prefix's rows feed it too: the forward falls back to the whole base and the gradient
     * includes the prefix's share.
     */
    @Test
    void aModelWeightThatNeedsAGradientKeepsTheForwardWhole() {
        Recording rec = new Recording(Fixtures.load("llama"));
        int d = rec.info().dModel();
        rec.embeddingOffset = Tensor.randn(new Random(2), 0.1f, d).requiresGrad(true);
        IntervenableModel cut = new IntervenableModel(rec, specs(d));
        Random rng = new Random(23);
        TokenBatch base = TokenBatch.padded(examples(rng, rec.info().vocab(), 9, 7, 8), PadSide.LEFT, 0);
        TokenBatch source = TokenBatch.padded(examples(rng, rec.info().vocab(), 6, 9, 5), PadSide.LEFT, 0);
        Step a = step(cut, rec, base, source, new int[] {1, 2, 3});
        Step b = step(cut.withTrainingCuts(false), rec, base, source, new int[] {1, 2, 3});
        assertThat(a.seqs()).containsExactly(9, 7, 9); // source, the prefix tried, then the whole base
        assertThat(b.seqs()).containsExactly(9, 9);
        assertThat(a.grads().get("embedding_offset")).containsExactly(b.grads().get("embedding_offset"));
    }

    /**
     * The prefix forward keeps no logits, so its last block keeps no row after its attention: the
     * graph check on the prefix watches the last block's keys and values, not its output (a
     * watched output would keep every prefix row through the last block's projection and MLP).
     */
    @Test
    void thePrefixForwardsLastBlockKeepsNoRow() {
        Recording rec = new Recording(Fixtures.load("gpt2"));
        Random rng = new Random(5);
        IntervenableModel im = new IntervenableModel(rec, List.of(InterventionSpec.at(Site.of(0, Component.BLOCK_OUTPUT),
                BoundlessRotatedSpace.random(rng, rec.info().dModel()), 0, new int[] {-1}, new int[] {-1})));
        TokenBatch base = TokenBatch.of(examples(rng, rec.info().vocab(), 8)[0]).withSharedLogitsAt(-1);
        TokenBatch source = TokenBatch.of(examples(rng, rec.info().vocab(), 6)[0]);
        rec.rowCuts.clear();
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            im.run(base, List.of(source));
        }
        assertThat(rec.seqs()).containsExactly(6, 7, 1);
        // the source keeps its read row in block 0, where it stops; the prefix and the rest cut their last block
        int last = rec.info().layers() - 1;
        assertThat(last).isGreaterThan(0);
        assertThat(rec.rowCuts).containsExactly(0, last, last);
        rec.rowCuts.clear();
        try (Arena arena = Arena.open(); GradMode off = GradMode.off()) {
            im.run(base, List.of(source));
        }
        // without grad mode nothing is cut but the last block of the base, which keeps its logits row
        assertThat(rec.seqs()).containsExactly(6, 8);
        assertThat(rec.rowCuts).containsExactly(-1, last);
    }

    /** max |a - b| / max(1e-6, max |b|). */
    private static double maxRelDiff(float[] a, float[] b) {
        return maxAbsDiff(a, b) / Math.max(1e-6, maxAbs(b));
    }
}
