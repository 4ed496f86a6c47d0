/**
 * Training interventions (DAS, Boundless DAS, sigmoid masks, steering vectors) through a frozen
 * model on counterfactual data: {@link org.intervene4j.intervention.training.CounterfactualBatch}
 * holds base and source inputs with the labels the high-level causal model gives under the
 * intervention; {@link org.intervene4j.intervention.training.InterventionTrainer} optimizes the
 * interventions' parameters and measures interchange intervention accuracy (IIA) on held-out
 * pairs.
 *
 * <pre>{@code
 * RotatedSpace das = RotatedSpace.random(new Random(0), 768, 2);
 * IntervenableModel im = new IntervenableModel(model, List.of(
 *         InterventionSpec.at(Site.of(6, Component.BLOCK_OUTPUT), das, 0, new int[] {-1}, new int[] {-1})));
 * InterventionTrainer trainer = InterventionTrainer.builder(im).lr(1e-3).evaluateEvery(100, heldOut).build();
 * trainer.train(step -> trainBatches.get((int) (step % trainBatches.size())), 2000);
 * double iia = trainer.evaluate(heldOut).accuracy();
 * }</pre>
 */
package org.intervene4j.intervention.training;
