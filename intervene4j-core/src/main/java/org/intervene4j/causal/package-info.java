/**
 * Causal abstraction (methods.md §3): high-level {@link org.intervene4j.causal.CausalModel}s run
 * on inputs and under interventions, counterfactual pairs labelled by running the model
 * ({@link org.intervene4j.causal.CounterfactualSampler}, balanced, with disjoint held-out
 * splits), and interchange intervention accuracy ({@link org.intervene4j.causal.Iia}).
 */
package org.intervene4j.causal;
