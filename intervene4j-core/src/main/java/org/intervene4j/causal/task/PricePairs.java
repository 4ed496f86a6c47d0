package org.intervene4j.causal.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.causal.CounterfactualPair;
import org.intervene4j.causal.CounterfactualSampler;

/**
 * Counterfactual pairs for price tagging under one {@link PriceHypothesis}, labels computed by
 * running its causal model. Inputs are drawn with {@link PriceInput#sample}; for each aligned
 * variable (an equal share of the pairs — half left, half right for {@link PriceHypothesis#BOTH})
 * the four (base label, counterfactual label) combinations appear equally often.
 *
 * <pre>{@code
 * List<PricePair> pairs = PricePairs.generate(PriceHypothesis.BOTH, 1024, new Random(0));
 * PricePairs.Split s = PricePairs.split(PriceHypothesis.LEFT, 4096, 1024, new Random(1));
 * }</pre>
 */
public final class PricePairs {
    /** Training and held-out pairs sharing no input (as base or source). */
    public record Split(List<PricePair> train, List<PricePair> heldOut) {}

    private PricePairs() {}

    /** The generic sampler behind these pairs: one intervention per aligned variable, balanced. */
    public static CounterfactualSampler<PriceInput> sampler(PriceHypothesis hypothesis) {
        CounterfactualSampler.Builder<PriceInput> b =
                CounterfactualSampler.builder(hypothesis.causalModel(), PriceCausalModels::inputs, PriceInput::sample);
        for (String v : hypothesis.variables()) b.intervention(v);
        return b.build();
    }

    /** {@code n} balanced pairs in random order. */
    public static List<PricePair> generate(PriceHypothesis hypothesis, int n, Random rng) {
        return convert(sampler(hypothesis).sample(n, rng));
    }

    /** {@code nTrain} training pairs and {@code nHeldOut} held-out pairs with disjoint inputs. */
    public static Split split(PriceHypothesis hypothesis, int nTrain, int nHeldOut, Random rng) {
        CounterfactualSampler.Split<PriceInput> s = sampler(hypothesis).split(nTrain, nHeldOut, rng);
        return new Split(convert(s.train()), convert(s.heldOut()));
    }

    private static List<PricePair> convert(List<CounterfactualPair<PriceInput>> pairs) {
        List<PricePair> out = new ArrayList<>(pairs.size());
        for (CounterfactualPair<PriceInput> p : pairs) {
            out.add(new PricePair(p.base(), p.source(), p.intervention(), (Boolean) p.baseOutput(), (Boolean) p.counterfactualOutput()));
        }
        return out;
    }
}
