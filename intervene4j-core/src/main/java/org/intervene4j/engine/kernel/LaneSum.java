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
    /** SHIFTS[j]: lane i reads lane i + (L >> (j + 1)), wrapping. */
    private static final VectorShuffle<Float>[] SHIFTS = shifts(PREFERRED);

    private LaneSum() {}

    /** {@code v[0] + v[1] + ...}, summed as a halving tree. */
    static float of(FloatVector v) {
        VectorShuffle<Float>[] shifts = v.species() == PREFERRED ? SHIFTS : shifts(v.species());
        FloatVector x = v;
        for (VectorShuffle<Float> shift : shifts) x = x.add(x.rearrange(shift));
        return x.lane(0);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] shifts(VectorSpecies<Float> species) {
        int lanes = species.length();
        int steps = Integer.numberOfTrailingZeros(lanes); // lanes is a power of two
        VectorShuffle<Float>[] out = new VectorShuffle[steps];
        for (int j = 0, half = lanes / 2; j < steps; j++, half /= 2) out[j] = VectorShuffle.iota(species, half, 1, true);
        return out;
    }
}
