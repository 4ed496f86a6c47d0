package org.intervene4j.model.common;

import org.intervene4j.engine.Tensor;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.WeightFootprint;

/**
 * Reads a family's tensors from a checkpoint directory and keeps count of what they hold.
 * Big matrices ({@link #matrix}) stay in half precision when stored F16/BF16; small tensors
 * (norms, biases: {@link #vector}) are widened to fp32, which costs little.
 */
public final class WeightLoader {
    private final CheckpointDir dir;
    private long parameters;
    private long bytes;

    public WeightLoader(CheckpointDir dir) {
        this.dir = dir;
    }

    public CheckpointDir dir() {
        return dir;
    }

    /** True when some layout of {@code name} exists. */
    public boolean has(String name, String... prefixes) {
        return dir.has(name, prefixes);
    }

    /** A weight matrix of the expected shape: compact when stored F16/BF16, fp32 otherwise. */
    public WeightMatrix matrix(String name, int[] shape, String... prefixes) {
        WeightMatrix w = dir.isHalf(name, prefixes)
                ? WeightMatrix.of(dir.readHalf(name, shape, prefixes))
                : WeightMatrix.of(dir.read(name, shape, prefixes));
        count(w.numel(), w.bytesHeld());
        return w;
    }

    /** A small tensor (norm gain, bias) of the expected shape, widened to fp32. */
    public Tensor vector(String name, int[] shape, String... prefixes) {
        Tensor t = dir.read(name, shape, prefixes);
        count(t.numel(), 4L * t.numel());
        return t;
    }

    /** Parameters and bytes of everything read so far (tied matrices are read, and counted, once). */
    public WeightFootprint footprint() {
        return new WeightFootprint(parameters, bytes);
    }

    private void count(long values, long held) {
        parameters += values;
        bytes += held;
    }
}
