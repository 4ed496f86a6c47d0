package org.intervene4j.causal.task;

/**
 * A price-tagging counterfactual pair: the base and source inputs, which aligned variable the
 * pair intervenes on (an index into {@link PriceHypothesis#variables()}: 0 = left, 1 = right for
 * {@link PriceHypothesis#BOTH}; always 0 otherwise), the base's answer and the counterfactual
 * answer (true = "Yes"), both computed by the hypothesis's causal model.
 */
public record PricePair(PriceInput base, PriceInput source, int variableIndex, boolean baseLabel, boolean counterfactualLabel) {}
