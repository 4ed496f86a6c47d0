package org.intervene4j.engine.op;

import java.util.function.Supplier;
import org.intervene4j.engine.kernel.KernelConfig;

/** Runs code under the vector and the scalar kernels, restoring the setting afterwards. */
final class KernelModes {
    private KernelModes() {}

    /** {@code [vector result, scalar result]} of {@code f}. */
    static float[][] both(Supplier<float[]> f) {
        boolean before = KernelConfig.vectorized();
        try {
            KernelConfig.setVectorized(true);
            float[] v = f.get();
            KernelConfig.setVectorized(false);
            float[] s = f.get();
            return new float[][] {v, s};
        } finally {
            KernelConfig.setVectorized(before);
        }
    }

    /** Runs {@code body} once with each kernel kind. */
    static void each(java.util.function.Consumer<Boolean> body) {
        boolean before = KernelConfig.vectorized();
        try {
            for (boolean vector : new boolean[] {true, false}) {
                KernelConfig.setVectorized(vector);
                body.accept(vector);
            }
        } finally {
            KernelConfig.setVectorized(before);
        }
    }
}
