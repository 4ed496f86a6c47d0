package org.intervene4j.intervention.training;

/** Progress of an {@link InterventionTrainer}: called on the training thread. */
public interface TrainingListener {
    /**
     * One optimizer step.
     *
     * @param step         steps done, counting this one (from 1)
     * @param loss         the total loss (cross-entropy + weighted penalties), mean over the step's micro-batches
     * @param crossEntropy the counterfactual cross-entropy alone
     * @param penalty      the weighted penalty terms alone
     * @param accuracy     interchange accuracy on the training examples of this step (soft masks)
     * @param temperature  the mask temperature used, or NaN when no intervention has one
     * @param gradNorm     global gradient norm before clipping
     */
    record Step(long step, double loss, double crossEntropy, double penalty, double accuracy, double temperature, double gradNorm) {
    }

    /**
     * One evaluation on held-out examples (hard masks, no gradients).
     *
     * @param accuracy interchange intervention accuracy (IIA)
     * @param loss     mean cross-entropy
     * @param best     true when these parameters became the best kept so far
     */
    record Evaluation(long step, double accuracy, double loss, int examples, boolean best) {
    }

    default void onStep(Step step) {
    }

    default void onEvaluation(Evaluation evaluation) {
    }
}
