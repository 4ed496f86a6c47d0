package org.intervene4j.model;

/**
 * How much memory a loaded model's weights hold: {@code parameters} values in {@code bytes}
 * (4 per value for fp32 tensors, 2 for F16/BF16 matrices kept compact). Tied matrices count once.
 */
public record WeightFootprint(long parameters, long bytes) {
    /** Average bytes per parameter (2.0 for an all-half model, 4.0 for fp32). */
    public double bytesPerParameter() {
        return parameters == 0 ? 0 : (double) bytes / parameters;
    }

    @Override
    public String toString() {
        return String.format("%,d parameters in %.1f MiB (%.2f bytes/parameter)", parameters, bytes / (1024.0 * 1024.0),
                bytesPerParameter());
    }
}
