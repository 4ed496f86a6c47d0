package org.intervene4j.intervention;

/**
 * An intervention with a sigmoid mask whose sharpness is a temperature τ: trainers anneal τ
 * (Boundless DAS: 50 -> 0.1, linearly) and switch the mask to its hard limit (τ -> 0) for
 * evaluation. Not thread-safe: the setting applies to every later forward.
 */
public interface SoftMasked {
    /** The current temperature (> 0). */
    double temperature();

    /** Sets the temperature used by later forwards while the mask is soft. */
    void setTemperature(double tau);

    /** True when the mask is hard (its τ -> 0 limit, used at evaluation). */
    boolean hard();

    /** Switches between the soft (training) and hard (evaluation) mask. */
    void setHard(boolean hard);
}
