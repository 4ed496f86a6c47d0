package org.intervene4j.io;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param begin byte offset of its data, relative to the start of the data section
 * @param end   byte offset one past its data
 */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
    /** Number of elements. */
    public long numel() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
