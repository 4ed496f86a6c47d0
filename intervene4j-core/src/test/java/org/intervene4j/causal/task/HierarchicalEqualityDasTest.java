package org.intervene4j.causal.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.intervene4j.causal.CounterfactualPair;
import org.intervene4j.causal.CounterfactualSampler;
import org.intervene4j.causal.Iia;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.intervention.RotatedSpace;
import org.intervene4j.train.Adam;
import org.intervene4j.train.AdamW;
import org.intervene4j.train.Optimizer;
import org.junit.jupiter.api.Test;

/**
 * Acceptance test of the DAS paper's hierarchical equality experiment: an MLP learns the task,
 * then DAS with one rotation and two subspaces at its first hidden layer aligns WX and YZ.
 *
 * <p>Measured with this setup (MLP seed 5, asserted): held-out IIA WX 0.971, YZ 0.959, both
 * 0.999; logits control WX 0.506, YZ 0.503. Other MLP seeds gave WX/YZ 0.953/0.964 (seed 2)
 * and 0.999/0.994 (seed 9), controls 0.49..0.51.
 */
class HierarchicalEqualityDasTest {
    static final int OBJECTS = 100;
    static final int DIM = 4;
    static final int HIDDEN = 16;
    static final int K = 8; // rotated dims per variable: WX = [0, K), YZ = [K, 2K) (half the layer each)

    @Test
    void dasAlignsWxAndYzAtTheFirstHiddenLayer() {
        HierarchicalEquality task = new HierarchicalEquality(OBJECTS, DIM, new Random(1));
        EqualityMlp mlp = new EqualityMlp(task.inputWidth(), HIDDEN, new Random(5));
        double factual = trainTask(task, mlp, new Random(3));
        System.out.printf("hierarchical equality MLP: factual accuracy %.4f%n", factual);
        assertThat(factual).isGreaterThanOrEqualTo(0.98);
        mlp.requiresGrad(false);

        CounterfactualSampler.Split<EqualityInput> data = task.sampler().split(6000, 3000, new Random(4));
        int[][] subspaces = {range(0, K), range(K, 2 * K), range(0, 2 * K)}; // per intervention index: WX, YZ, both
        RotatedSpace das = RotatedSpace.random(new Random(5), HIDDEN, K);
        Site hidden = new Site(mlp::hidden1, mlp::fromHidden1);
        train(task, das, hidden, subspaces, data.train(), new Random(6));
        Iia[] iia = score(task, das, hidden, subspaces, data.heldOut());
        System.out.printf("DAS at hidden layer 1: held-out WX %s, YZ %s, both %s%n", iia[0], iia[1], iia[2]);
        Iia[] tr = score(task, das, hidden, subspaces, data.train());
        System.out.printf("train WX %s, YZ %s, both %s%n", tr[0], tr[1], tr[2]);
        assertThat(iia[0].accuracy()).isGreaterThanOrEqualTo(0.95);
        assertThat(iia[1].accuracy()).isGreaterThanOrEqualTo(0.95);

        /*
         * Wrong alignment: the same procedure at the logits, a site that cannot carry WX or YZ.
         * The logits only encode O, and under a WX-only intervention the counterfactual label
         * WX(source) == YZ(base) is independent of O(base) and O(source) (it differs from their
         * XNOR by YZ(source) XOR WX(base), a fair coin), so whatever the rotation learns, any map
         * of the two logit vectors scores about 0.5 on balanced pairs. Dim 0 of the rotated
         * logits stands for WX, dim 1 for YZ.
         */
        RotatedSpace atLogits = RotatedSpace.random(new Random(7), 2, 1);
        Site logits = new Site(mlp::forward, h -> h);
        int[][] logitSubspaces = {{0}, {1}, {0, 1}};
        train(task, atLogits, logits, logitSubspaces, data.train(), new Random(8));
        Iia[] wrong = score(task, atLogits, logits, logitSubspaces, data.heldOut());
        System.out.printf("DAS at the logits (control): held-out WX %s, YZ %s, both %s%n", wrong[0], wrong[1], wrong[2]);
        assertThat(wrong[0].accuracy()).isLessThanOrEqualTo(0.65);
        assertThat(wrong[1].accuracy()).isLessThanOrEqualTo(0.65);
    }

    /** Where the interchange happens: input -> activation, and activation -> logits [n, 2]. */
    record Site(UnaryOperator<Tensor> read, UnaryOperator<Tensor> rest) {}

    /**
     * Trains the MLP on fresh balanced inputs; returns its accuracy on 4000 new ones. Strong
     * decoupled weight decay (AdamW, 0.3) prunes first-layer weights that mix the two pairs,
     * which the task never needs: without it some seeds keep WX and YZ entangled at hidden layer 1
     * (held-out IIA about 0.92 to 0.95 instead of about 0.98). A short phase without decay at a
     * lower rate then recovers the factual accuracy the decay costs.
     */
    static double trainTask(HierarchicalEquality task, EqualityMlp mlp, Random rng) {
        Tensor[] params = mlp.parameters().values().toArray(new Tensor[0]);
        fit(task, mlp, AdamW.of(3e-3, 0.3, params), 3000, rng);
        fit(task, mlp, Adam.of(1e-3, params), 1000, rng);
        List<EqualityInput> test = new ArrayList<>();
        for (int i = 0; i < 4000; i++) test.add(task.sample(rng));
        boolean[] predicted = predict(mlp.forward(task.encode(test)));
        int ok = 0;
        for (int i = 0; i < test.size(); i++) if (predicted[i] == test.get(i).label()) ok++;
        return (double) ok / test.size();
    }

    static void fit(HierarchicalEquality task, EqualityMlp mlp, Optimizer opt, int steps, Random rng) {
        for (int step = 0; step < steps; step++) {
            try (Arena a = Arena.open()) {
                List<EqualityInput> batch = new ArrayList<>();
                for (int i = 0; i < 128; i++) batch.add(task.sample(rng));
                Tensor loss = Ops.crossEntropy(mlp.forward(task.encode(batch)), labels(batch), -1); // mean over the batch
                loss.backward();
                opt.step();
                opt.zeroGrad();
            }
        }
    }

    /** Cross-entropy on the counterfactual label through the frozen network, one minibatch per intervention type. */
    static void train(HierarchicalEquality task, RotatedSpace das, Site site, int[][] subspaces, List<CounterfactualPair<EqualityInput>> pairs,
            Random rng) {
        Adam opt = Adam.of(1e-2, das.orthogonal().weight());
        List<List<CounterfactualPair<EqualityInput>>> byIntervention = byIntervention(pairs, subspaces.length);
        for (int step = 0; step < 1000; step++) {
            try (Arena a = Arena.open()) {
                Tensor loss = null;
                for (int j = 0; j < subspaces.length; j++) {
                    List<CounterfactualPair<EqualityInput>> group = byIntervention.get(j);
                    List<CounterfactualPair<EqualityInput>> batch = new ArrayList<>();
                    for (int i = 0; i < 64; i++) batch.add(group.get(rng.nextInt(group.size())));
                    Tensor logits = intervene(task, das, site, subspaces[j], batch);
                    Tensor l = Ops.crossEntropy(logits, counterfactualLabels(batch), -1);
                    loss = loss == null ? l : Ops.add(loss, l);
                }
                loss.backward();
                opt.step();
                opt.zeroGrad();
            }
        }
    }

    /** Logits [n, 2] of the base run with the subspace of the rotated site taken from the source run. */
    static Tensor intervene(HierarchicalEquality task, RotatedSpace das, Site site, int[] subspace, List<CounterfactualPair<EqualityInput>> batch) {
        Tensor base;
        Tensor source;
        try (GradMode off = GradMode.off()) {
            base = site.read().apply(task.encode(batch.stream().map(CounterfactualPair::base).toList()));     // [n, w]
            source = site.read().apply(task.encode(batch.stream().map(CounterfactualPair::source).toList())); // [n, w]
        }
        return site.rest().apply(das.apply(base, source, subspace));
    }

    /** Held-out IIA per intervention index. */
    static Iia[] score(HierarchicalEquality task, RotatedSpace das, Site site, int[][] subspaces, List<CounterfactualPair<EqualityInput>> pairs) {
        Iia[] out = new Iia[subspaces.length];
        List<List<CounterfactualPair<EqualityInput>>> groups = byIntervention(pairs, subspaces.length);
        try (GradMode off = GradMode.off(); Arena a = Arena.open()) {
            for (int j = 0; j < subspaces.length; j++) {
                boolean[] p = predict(intervene(task, das, site, subspaces[j], groups.get(j)));
                List<Boolean> predicted = new ArrayList<>();
                for (boolean b : p) predicted.add(b);
                out[j] = Iia.of(predicted, groups.get(j));
            }
        }
        return out;
    }

    static List<List<CounterfactualPair<EqualityInput>>> byIntervention(List<CounterfactualPair<EqualityInput>> pairs, int n) {
        List<List<CounterfactualPair<EqualityInput>>> out = new ArrayList<>();
        for (int j = 0; j < n; j++) out.add(new ArrayList<>());
        for (CounterfactualPair<EqualityInput> p : pairs) out.get(p.intervention()).add(p);
        return out;
    }

    static boolean[] predict(Tensor logits) {
        boolean[] out = new boolean[logits.size(0)];
        for (int i = 0; i < out.length; i++) out[i] = logits.get(i, 1) > logits.get(i, 0);
        return out;
    }

    static int[] labels(List<EqualityInput> batch) {
        return batch.stream().mapToInt(in -> in.label() ? 1 : 0).toArray();
    }

    static int[] counterfactualLabels(List<CounterfactualPair<EqualityInput>> batch) {
        return batch.stream().mapToInt(p -> (Boolean) p.counterfactualOutput() ? 1 : 0).toArray();
    }

    static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) out[i] = from + i;
        return out;
    }
}
