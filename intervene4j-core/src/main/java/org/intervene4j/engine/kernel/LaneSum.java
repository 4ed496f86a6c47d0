package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a vector's lanes in one fixed order: a halving tree (lane i + lane i + L/2, then
 * + L/4, ...), built from exactly rounded lane-wise adds.
 *
 * <p>{@code reduceLanes(ADD)} leaves the order of a floating-point reduction unspecified, and
 * HotSpot's compiled code and its interpreted fallback do use different orders: a kernel's
 * result then depends on whether the JIT has compiled it yet, so two runs of the same seeded
 * training drift apart in the last bits (and then further). This order is the same in both.
 */
final class LaneSum {
    private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;
    private static final int L = PREFERRED.length();
    /** Lane i reads lane i + h (wrapping), for h = 8, 4, 2, 1 (only those below L are used). */
    private static final VectorShuffle<Float> BY8 = VectorShuffle.iota(PREFERRED, 8 % L, 1, true);
    private static final VectorShuffle<Float> BY4 = VectorShuffle.iota(PREFERRED, 4 % L, 1, true);
    private static final VectorShuffle<Float> BY2 = VectorShuffle.iota(PREFERRED, 2 % L, 1, true);
    private static final VectorShuffle<Float> BY1 = VectorShuffle.iota(PREFERRED, 1 % L, 1, true);

    private LaneSum() {}

    /**
     * {@code v[0] + v[1] + ...}, summed as a halving tree. Written out step by step with constant
     * shuffles (a loop over a shuffle array reassigning a vector variable kept C2 from compiling
     * it to registers: every call boxed its vectors).
     */
    static float of(FloatVector v) {
        if (v.species() != PREFERRED || L > 16) return ofAnySpecies(v);
        FloatVector x = v;
        if (L == 16) x = x.add(x.rearrange(BY8));
        FloatVector y = L >= 8 ? x.add(x.rearrange(BY4)) : x;
        FloatVector z = L >= 4 ? y.add(y.rearrange(BY2)) : y;
        FloatVector w = L >= 2 ? z.add(z.rearrange(BY1)) : z;
        return w.lane(0);
    }

    /** The same order for any species (slow path: other shapes than the preferred one). */
    private static float ofAnySpecies(FloatVector v) {
        float[] lanes = v.toArray();
        for (int half = lanes.length / 2; half >= 1; half /= 2) {
            float[] next = new float[half];
            for (int i = 0; i < half; i++) next[i] = lanes[i] + lanes[i + half];
            lanes = next;
        }
        return lanes[0];
    }
}
