package org.intervene4j.intervention.training;

import java.util.List;
import org.intervene4j.model.TokenBatch;

/**
 * A batch of counterfactual examples: base inputs, the source inputs that feed the
 * interventions (source k feeds the specs whose source index is k), and for each example the
 * label the high-level causal model gives under the matching intervention, read at one token
 * position of the base.
 *
 * @param base           the base inputs
 * @param sources        the source inputs, each with as many examples as the base
 * @param labels         target token id per example
 * @param labelPositions per example, the (unpadded, negative from the end) base position whose
 *                       logits predict the label
 * @param variables      per example, the high-level variable it intervenes on (multi-variable
 *                       Boundless DAS), or null
 */
public record CounterfactualBatch(TokenBatch base, List<TokenBatch> sources, int[] labels, int[] labelPositions, int[] variables) {
    public CounterfactualBatch {
        if (base == null) throw new IllegalArgumentException("counterfactual batch: base is missing");
        sources = List.copyOf(sources);
        int n = base.batch();
        check("labels", labels, n);
        check("labelPositions", labelPositions, n);
        if (variables != null) check("variables", variables, n);
        for (int k = 0; k < sources.size(); k++) {
            if (sources.get(k).batch() != n) {
                throw new IllegalArgumentException("counterfactual batch: source " + k + " has " + sources.get(k).batch()
                        + " examples but the base has " + n);
            }
        }
        labels = labels.clone();
        labelPositions = labelPositions.clone();
        variables = variables == null ? null : variables.clone();
    }

    /** Labels read at the last token of every base example, one variable (or none). */
    public static CounterfactualBatch atLastToken(TokenBatch base, List<TokenBatch> sources, int[] labels) {
        int[] last = new int[base.batch()];
        java.util.Arrays.fill(last, -1);
        return new CounterfactualBatch(base, sources, labels, last, null);
    }

    /** The same batch with a variable index per example. */
    public CounterfactualBatch withVariables(int[] perExample) {
        return new CounterfactualBatch(base, sources, labels, labelPositions, perExample);
    }

    public int size() {
        return base.batch();
    }

    private static void check(String what, int[] a, int n) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException("counterfactual batch: " + what + " has " + (a == null ? "no" : a.length)
                    + " entries for " + n + " examples");
        }
    }
}
