package org.intervene4j.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CounterfactualSamplerTest {
    record Digits(int a, int b) {
        static Digits sample(Random rng) {
            return new Digits(rng.nextInt(10), rng.nextInt(10));
        }

        Map<String, Object> encode() {
            return Map.of("a", a, "b", b);
        }
    }

    static CounterfactualSampler.Builder<Digits> builder() {
        return CounterfactualSampler.builder(CausalModelTest.sumModel(), Digits::encode, Digits::sample);
    }

    @Test
    void pairsAreLabelledByTheModelAndBalanced() {
        CounterfactualSampler<Digits> s = builder().intervention("a").intervention("s").build();
        List<CounterfactualPair<Digits>> pairs = s.sample(4002, new Random(3));
        assertThat(pairs).hasSize(4002);
        Map<String, Integer> counts = new HashMap<>();
        for (CounterfactualPair<Digits> p : pairs) {
            Digits b = p.base();
            Digits src = p.source();
            // independent reference: big = a + b >= 10, with a (or the sum) from the source
            boolean cf = p.intervention() == 0 ? src.a() + b.b() >= 10 : src.a() + src.b() >= 10;
            assertThat(p.variables()).isEqualTo(p.intervention() == 0 ? List.of("a") : List.of("s"));
            assertThat(p.baseOutput()).isEqualTo(b.a() + b.b() >= 10);
            assertThat(p.counterfactualOutput()).isEqualTo(cf);
            counts.merge(p.intervention() + ":" + p.baseOutput() + ">" + p.counterfactualOutput(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(8);
        for (int c : counts.values()) assertThat(c).isBetween(500, 501); // 2001 per intervention, 4 cells each
        // the two trivial predictors both score 0.5 on balanced pairs
        assertThat(Iia.score(pairs, CounterfactualPair::baseOutput).accuracy()).isBetween(0.4995, 0.5005);
        assertThat(Iia.score(pairs, p -> true).accuracy()).isBetween(0.4995, 0.5005);
        assertThat(Iia.score(pairs, CounterfactualPair::counterfactualOutput)).isEqualTo(new Iia(4002, 4002));
    }

    @Test
    void unbalancedKeepsTheNaturalRate() {
        List<CounterfactualPair<Digits>> pairs = builder().intervention("b").unbalanced().build().sample(20000, new Random(1));
        long bigBase = pairs.stream().filter(p -> (Boolean) p.baseOutput()).count();
        assertThat(bigBase / 20000.0).isBetween(0.43, 0.47); // P(a + b >= 10) = 45/100
    }

    @Test
    void impossibleCombinationsAreReported() {
        // digits 0..4 never sum to 10, so no pair has a big base and a big counterfactual
        CounterfactualSampler<Digits> s = CounterfactualSampler.builder(CausalModelTest.sumModel(), Digits::encode,
                (Random r) -> new Digits(r.nextInt(5), r.nextInt(5))).intervention("a").maxTries(2000).build();
        assertThatThrownBy(() -> s.sample(8, new Random(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'sum'").hasMessageContaining("[a]")
                .hasMessageContaining("(base output true, counterfactual output true)");
    }

    @Test
    void heldOutSharesNoInputWithTraining() {
        CounterfactualSampler.Split<Digits> split = builder().intervention("a").build().split(40, 40, new Random(5));
        assertThat(split.train()).hasSize(40);
        assertThat(split.heldOut()).hasSize(40);
        Set<Digits> train = CounterfactualPair.inputsOf(split.train());
        for (Digits d : CounterfactualPair.inputsOf(split.heldOut())) assertThat(train).doesNotContain(d);
        assertThatThrownBy(() -> builder().intervention("a").maxTries(5000).build().split(2000, 10, new Random(5)))
                .hasMessageContaining("excluded");
    }

    @Test
    void builderChecks() {
        assertThatThrownBy(() -> builder().build()).hasMessageContaining("at least one intervention");
        assertThatThrownBy(() -> builder().intervention("zz")).hasMessageContaining("no variable 'zz'");
        CausalModel intOut = CausalModel.builder("ints").input("a", ValueSet.intRange(0, 3)).output("a").build();
        assertThatThrownBy(() -> CounterfactualSampler.builder(intOut, (Integer i) -> Map.of("a", i), r -> r.nextInt(4))
                .intervention("a").build()).hasMessageContaining("cannot balance");
    }

    @Test
    void iiaCounts() {
        Iia iia = new Iia(3, 4).plus(new Iia(1, 4));
        assertThat(iia.accuracy()).isEqualTo(0.5);
        assertThat(iia.toString()).isEqualTo("IIA 0.5000 (4/8)");
        assertThatThrownBy(() -> new Iia(5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
