package org.intervene4j.intervention;

import java.util.List;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.train.Orthogonal;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every trainable intervention's parameters, on rows and through a model. */
class InterventionGradTest {
    static final int W = 10;

    static Orthogonal rotation(long seed, int rank) {
        Orthogonal rot = Orthogonal.random(new Random(seed), W, rank);
        try (GradMode off = GradMode.off()) {
            rot.weight().copyFrom(Tensor.randn(new Random(seed + 1), 0.2f, W, W));
        }
        return rot;
    }

    static final Tensor BASE = Tensor.randn(new Random(1), 1f, 4, W);
    static final Tensor SOURCE = Tensor.randn(new Random(2), 1f, 4, W);

    @Test
    void rotatedSpace() {
        RotatedSpace das = new RotatedSpace(rotation(3, W), 3);
        GradCheck.check("rotated_space W", in -> das.apply(BASE, SOURCE, null), das.orthogonal().weight());
        GradCheck.check("rotated_space W, subspace {5, 0}", in -> das.apply(BASE, SOURCE, new int[] {5, 0}), das.orthogonal().weight());
    }

    @Test
    void lowRankRotatedSpace() {
        LowRankRotatedSpace lr = new LowRankRotatedSpace(rotation(4, 3));
        GradCheck.check("low_rank_rotated_space W", in -> lr.apply(BASE, SOURCE, null), lr.orthogonal().weight());
    }

    @Test
    void boundlessRotatedSpaceRotationAndWidths() {
        BoundlessRotatedSpace bdas = new BoundlessRotatedSpace(rotation(5, W), 2, 0.3, 1.5);
        bdas.setVariables(new int[] {1, 0});
        GradCheck.check("boundless W and raw widths", in -> bdas.apply(BASE, SOURCE, null), bdas.orthogonal().weight(), bdas.rawWidths());
        GradCheck.check("boundless width penalty", in -> bdas.widthPenalty(), bdas.rawWidths());
    }

    @Test
    void sigmoidMask() {
        SigmoidMask sm = new SigmoidMask(W, 0f, 0.8);
        try (GradMode off = GradMode.off()) {
            sm.logits().copyFrom(Tensor.randn(new Random(6), 1f, W));
        }
        GradCheck.check("sigmoid_mask logits", in -> sm.apply(BASE, SOURCE, new int[] {0, 2, 3, 7}), sm.logits());
    }

    /** Through GPT-2 (fixture): logits of the whole patched forward, as training sees them. */
    @Test
    void throughAModel() {
        CausalLM m = Fixtures.load("gpt2");
        int d = m.info().dModel();
        TokenBatch base = TokenBatch.of(5, 17, 3, 30);
        TokenBatch source = TokenBatch.of(9, 3, 30, 8);
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        RotatedSpace das = RotatedSpace.random(new Random(7), d, 2);
        IntervenableModel im = new IntervenableModel(m, List.of(InterventionSpec.at(site, das, 0, new int[] {1, 2}, new int[] {1, 2})));
        GradCheck.check("rotated_space through gpt2", 1e-2, 2e-2, 2e-3, 32, in -> im.run(base, List.of(source)).logits(),
                das.orthogonal().weight());
        BoundlessRotatedSpace bdas = new BoundlessRotatedSpace(Orthogonal.random(new Random(8), d, d), 1, 0.3, 2.0);
        IntervenableModel im2 = new IntervenableModel(m, List.of(InterventionSpec.at(site, bdas, 0, new int[] {2}, new int[] {2})));
        GradCheck.check("boundless through gpt2", 1e-2, 2e-2, 2e-3, 32, in -> im2.run(base, List.of(source)).logits(),
                bdas.orthogonal().weight(), bdas.rawWidths());
    }
}
