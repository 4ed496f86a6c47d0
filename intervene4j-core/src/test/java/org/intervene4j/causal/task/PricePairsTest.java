package org.intervene4j.causal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.intervene4j.causal.CausalModel;
import org.junit.jupiter.api.Test;

/** Price-tagging pairs: labels checked against the task logic written out here, balance, disjoint splits. */
class PricePairsTest {
    /**
     * The counterfactual answer written directly from the task, independent of the causal
     * models: the intervened quantity is computed on the source, the rest on the base.
     */
    static boolean expectedCounterfactual(PriceHypothesis h, PriceInput b, PriceInput s, int variable) {
        return switch (h) {
            case LEFT -> s.amount() >= s.lo() && b.amount() <= b.hi();
            case RIGHT -> b.amount() >= b.lo() && s.amount() <= s.hi();
            case BOTH -> variable == 0 ? s.amount() >= s.lo() && b.amount() <= b.hi() : b.amount() >= b.lo() && s.amount() <= s.hi();
            // doubled distance of the source's amount to the source's midpoint vs the base's width
            case MIDPOINT -> Math.abs(2 * s.amount() - (s.lo() + s.hi())) <= b.hi() - b.lo();
            case BRACKET -> s.lo() <= b.amount() && b.amount() <= s.hi();
        };
    }

    @Test
    void allModelsAgreeOnFactualOutputs() {
        Random rng = new Random(11);
        Set<CausalModel> models = new HashSet<>();
        for (PriceHypothesis h : PriceHypothesis.values()) models.add(h.causalModel());
        assertThat(models).hasSize(3);
        int inside = 0;
        for (int i = 0; i < 20000; i++) {
            PriceInput in = PriceInput.sample(rng);
            boolean expected = in.lo() <= in.amount() && in.amount() <= in.hi();
            if (expected) inside++;
            for (PriceHypothesis h : PriceHypothesis.values()) assertThat(h.causalModel().predict(PriceCausalModels.inputs(in))).isEqualTo(expected);
        }
        // edges: the bounds themselves are inside
        for (PriceInput in : List.of(new PriceInput(200, 600, 200), new PriceInput(200, 600, 600), new PriceInput(200, 600, 199),
                new PriceInput(200, 600, 601))) {
            for (PriceHypothesis h : PriceHypothesis.values()) assertThat(h.causalModel().predict(PriceCausalModels.inputs(in))).isEqualTo(in.inside());
        }
        assertThat(inside).isBetween(5000, 15000); // both answers are common, so the check above means something
    }

    @Test
    void counterfactualLabelsMatchTheTaskLogic() {
        for (PriceHypothesis h : PriceHypothesis.values()) {
            List<PricePair> pairs = PricePairs.generate(h, 4000, new Random(h.ordinal()));
            assertThat(pairs).hasSize(4000);
            for (PricePair p : pairs) {
                assertThat(p.baseLabel()).as("%s base %s", h, p).isEqualTo(p.base().inside());
                assertThat(p.counterfactualLabel()).as("%s %s", h, p).isEqualTo(expectedCounterfactual(h, p.base(), p.source(), p.variableIndex()));
            }
        }
    }

    @Test
    void pairsAreBalancedPerVariable() {
        for (PriceHypothesis h : PriceHypothesis.values()) {
            List<PricePair> pairs = PricePairs.generate(h, 1600, new Random(40 + h.ordinal()));
            Map<String, Integer> counts = new HashMap<>();
            for (PricePair p : pairs) counts.merge(p.variableIndex() + ":" + p.baseLabel() + ">" + p.counterfactualLabel(), 1, Integer::sum);
            int cells = 4 * h.variableCount();
            assertThat(counts).as("%s", h).hasSize(cells);
            for (int c : counts.values()) assertThat(c).as("%s", h).isEqualTo(1600 / cells);
            // ignoring the intervention and always saying yes both score exactly 0.5
            assertThat(pairs.stream().filter(p -> p.baseLabel() == p.counterfactualLabel()).count()).isEqualTo(800);
            assertThat(pairs.stream().filter(PricePair::counterfactualLabel).count()).isEqualTo(800);
        }
        List<PricePair> both = PricePairs.generate(PriceHypothesis.BOTH, 1000, new Random(3));
        assertThat(both.stream().filter(p -> p.variableIndex() == 0).count()).isEqualTo(500);
        assertThat(both.stream().filter(p -> p.variableIndex() == 1).count()).isEqualTo(500);
    }

    @Test
    void heldOutPairsShareNoInputWithTraining() {
        PricePairs.Split s = PricePairs.split(PriceHypothesis.BOTH, 4000, 1000, new Random(8));
        assertThat(s.train()).hasSize(4000);
        assertThat(s.heldOut()).hasSize(1000);
        Set<PriceInput> train = new HashSet<>();
        for (PricePair p : s.train()) {
            train.add(p.base());
            train.add(p.source());
        }
        for (PricePair p : s.heldOut()) {
            assertThat(train).doesNotContain(p.base(), p.source());
        }
    }

    @Test
    void hypothesisNames() {
        for (PriceHypothesis h : PriceHypothesis.values()) assertThat(PriceHypothesis.parse(h.cliName())).isEqualTo(h);
        assertThat(PriceHypothesis.parse(" Both ")).isEqualTo(PriceHypothesis.BOTH);
        assertThat(PriceHypothesis.BOTH.variables()).containsExactly("left", "right");
        assertThat(PriceHypothesis.MIDPOINT.variables()).containsExactly("midpoint_distance");
        assertThatThrownBy(() -> PriceHypothesis.parse("middle")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'middle'").hasMessageContaining("left|right|both|midpoint|bracket");
    }

    @Test
    void interventionValuesOutsideTheSetsAreRejected() {
        Map<String, Object> in = PriceCausalModels.inputs(new PriceInput(200, 600, 300));
        assertThatThrownBy(() -> PriceCausalModels.midpoint().run(in, Map.of("midpoint_distance", 5000)))
                .hasMessageContaining("midpoint").hasMessageContaining("integers 0..1998");
        assertThatThrownBy(() -> PriceCausalModels.bracket().run(in, Map.of("bracket", new Bracket(600, 200))))
                .hasMessageContaining("'bracket'");
        assertThat(PriceCausalModels.bracket().run(in, Map.of("bracket", new Bracket(400, 900))).get("output")).isEqualTo(false);
    }
}
