/**
 * Training parts: parameter groups, optimizers ({@link org.intervene4j.train.Sgd},
 * {@link org.intervene4j.train.Adam}, {@link org.intervene4j.train.AdamW}), learning-rate and
 * scalar schedules, gradient clipping, and the orthogonal parametrization used by distributed
 * alignment search ({@link org.intervene4j.train.Orthogonal}).
 *
 * <p>A typical step:
 *
 * <pre>{@code
 * Orthogonal rotation = Orthogonal.random(new Random(0), 768, 768);
 * Adam opt = new Adam(List.of(ParamGroup.builder("rotation").add(rotation.weight()).lr(1e-3).build()));
 * LrSchedule schedule = LrSchedule.warmupLinear(100, steps, 0.0);
 * for (int step = 0; step < steps; step++) {
 *     try (Arena arena = Arena.open()) {
 *         opt.zeroGrad();
 *         Tensor loss = lossOf(rotation.matrix(), batch(step));
 *         loss.backward();
 *         GradClip.clipGradNorm(opt.params(), 1.0);
 *         schedule.apply(opt);
 *         opt.step();
 *     }
 * }
 * }</pre>
 */
package org.intervene4j.train;
