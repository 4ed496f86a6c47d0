package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.KvCache;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.model.common.LogitsSelection;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The prefix forward of a cut run keeps no logits, so (commit "The last block keeps only the
 * rows whose logits are kept ...": "a prefix run without logits skips the last block's
 * projection and MLP") its last block should keep no row after its attention. This records,
 * for every forward the model runs, whether the last block's row cut applies.
 *
 * <p>{@code IntervenableModel.prefixCache} checks the prefix for an autograd graph on the last
 * block's keys and values: a check on its {@code block_output}, one of the sites
 * {@link LogitsSelection#keepsAfterAttention} treats as watched, made the prefix forward run the
 * last block's output projection and MLP on every prefix row (lost speed, not a wrong value).
 */
class PrefixRunKeepsNoRowTest {
    /** A model that records, per forward, the batch's kept-logits count and whether the last block cuts its rows. */
    static final class CutRecorder implements CausalLM {
        final CausalLM inner;
        final List<String> forwards = new ArrayList<>();

        CutRecorder(CausalLM inner) {
            this.inner = inner;
        }

        @Override
        public ModelInfo info() {
            return inner.info();
        }

        @Override
        public Tensor forward(TokenBatch batch, Sites sites, KvCache cache) {
            boolean cuts = LogitsSelection.keepsAfterAttention(batch, sites, info().layers() - 1);
            forwards.add("seq " + batch.seq() + ", logits " + (batch.hasLogitsSelection() ? batch.logitsPerExample() : "all")
                    + ", last block cuts rows " + cuts);
            return inner.forward(batch, sites, cache);
        }

        @Override
        public List<SiteShape> sites() {
            return inner.sites();
        }
    }

    @Test
    void thePrefixForwardOfACutRunKeepsNoRowInItsLastBlock() {
        CutRecorder rec = new CutRecorder(Fixtures.load("gpt2"));
        int d = rec.info().dModel();
        Random rng = new Random(5);
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        IntervenableModel im = new IntervenableModel(rec, List.of(InterventionSpec.at(site, BoundlessRotatedSpace.random(rng, d), 0,
                new int[] {-1}, new int[] {-1})));
        TokenBatch base = TokenBatch.of(PrefixCutTest.examples(rng, rec.info().vocab(), 8)[0]).withSharedLogitsAt(-1);
        TokenBatch source = TokenBatch.of(PrefixCutTest.examples(rng, rec.info().vocab(), 6)[0]);
        try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
            im.run(base, List.of(source));
        }
        assertThat(rec.forwards).hasSize(3);
        assertThat(rec.forwards.get(2)).isEqualTo("seq 1, logits 1, last block cuts rows true");
        // the prefix: 7 columns, no logits; nothing outside IntervenableModel reads its last block after the attention
        assertThat(rec.forwards.get(1)).isEqualTo("seq 7, logits 0, last block cuts rows true");
    }
}
