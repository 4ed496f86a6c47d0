package org.intervene4j.causal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One counterfactual example: the base input, the source input, which intervention was made
 * (its index in the sampler's list and the variables it sets to their source values), the
 * base's output and the counterfactual output — the output of the causal model run on the base
 * with those variables taken from the source. Built by {@link CounterfactualSampler}, which
 * always computes both outputs by running the model.
 *
 * @param <I>                  the input type (a record with value equality)
 * @param intervention         index of the intervention in {@link CounterfactualSampler#interventions()}
 * @param variables            the variables set to their source values
 * @param baseOutput           the model's output on the base
 * @param counterfactualOutput the model's output on the base under the interchange intervention
 */
public record CounterfactualPair<I>(I base, I source, int intervention, List<String> variables, Object baseOutput,
        Object counterfactualOutput) {
    public CounterfactualPair {
        variables = List.copyOf(variables);
    }

    /** Whether the intervention changes the output. */
    public boolean changesOutput() {
        return !baseOutput.equals(counterfactualOutput);
    }

    /** Every input (bases and sources) used by {@code pairs}. */
    public static <I> Set<I> inputsOf(Collection<CounterfactualPair<I>> pairs) {
        Set<I> out = new LinkedHashSet<>();
        for (CounterfactualPair<I> p : pairs) {
            out.add(p.base);
            out.add(p.source);
        }
        return out;
    }
}
