package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/** Stub: implemented by its owner. */
public final class Rotary {
    private Rotary() {}

    public static Tensor rotary(Tensor x, Tensor cos, Tensor sin) {
        throw new UnsupportedOperationException("Rotary.rotary");
    }
}
