package org.intervene4j.intervention;

import org.intervene4j.engine.Tensor;

/**
 * An intervention whose training loss has a regularization term of its own (Boundless DAS:
 * the sum of the interval widths). Trainers add {@code λ · penalty()} to the task loss.
 */
public interface Penalized {
    /** The penalty term, a differentiable scalar (rank 0). */
    Tensor penalty();
}
