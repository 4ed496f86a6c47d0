/**
 * Causal-abstraction tasks: price tagging (Boundless DAS paper: {@link org.intervene4j.causal.task.PriceInput},
 * {@link org.intervene4j.causal.task.PriceHypothesis}, {@link org.intervene4j.causal.task.PricePairs}) and hierarchical
 * equality (DAS paper: {@link org.intervene4j.causal.task.HierarchicalEquality}).
 */
package org.intervene4j.causal.task;
