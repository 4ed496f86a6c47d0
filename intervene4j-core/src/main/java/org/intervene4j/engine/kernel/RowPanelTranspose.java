package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packs eight rows of a row-major matrix into the GEMM's 8-row panel order (for each step p, the
 * eight rows' values at p) with vector shuffles instead of one scalar load and store per value.
 * One group of L steps (L = 8 or 16 lanes) is loaded as eight row vectors and transposed in three
 * rounds of two-input interleaves: single values of row pairs, then pairs (four rows per step),
 * then quads (all eight rows per step), leaving eight vectors that hold the group's steps in
 * order. Measured on Zen 5 (AVX-512): a 256 x 768 block packs in ~26 us against ~90 us for the
 * scalar eight-stream copy.
 */
final class RowPanelTranspose {
    private static final int ROWS = 8;

    /**
     * The first JDK on which the two-input rearranges compile to shuffles: measured on JDK 25
     * (26 us per 256 x 768 block); on JDK 17 the same code took 490 us, 3x the scalar copy.
     * JDKs in between are not measured and keep the scalar copy.
     */
    static final int FIRST_FAST_JDK = 25;

    /** The instance for the kernel's vectors, or null when their width or the JDK does not suit it. */
    static final RowPanelTranspose FOR_KERNEL = supports(VectorGemm.S) && VectorGemm.MR == ROWS
            && Runtime.version().feature() >= FIRST_FAST_JDK ? new RowPanelTranspose(VectorGemm.S) : null;

    private final VectorSpecies<Float> s;
    private final int lanes;
    /** Interleaves of chunks of 1, 2 and 4 values from the lower (LO) or upper (HI) halves of two vectors. */
    private final VectorShuffle<Float> lo1, hi1, lo2, hi2, lo4, hi4;

    /** True for 8- and 16-lane float vectors (AVX2, AVX-512). */
    static boolean supports(VectorSpecies<Float> species) {
        return species.length() == 8 || species.length() == 16;
    }

    RowPanelTranspose(VectorSpecies<Float> species) {
        if (!supports(species)) {
            throw new IllegalArgumentException("RowPanelTranspose needs 8 or 16 float lanes, got " + species.length());
        }
        s = species;
        lanes = species.length();
        lo1 = interleave(1, false);
        hi1 = interleave(1, true);
        lo2 = interleave(2, false);
        hi2 = interleave(2, true);
        lo4 = interleave(4, false);
        hi4 = interleave(4, true);
    }

    /**
     * Writes {@code dst[d + p * 8 + r] = a[off + r * rs + p]} for rows r < 8 and steps p < kc:
     * the vector rounds cover whole groups of L steps, a scalar loop the rest.
     */
    void pack(float[] a, int off, int rs, int kc, float[] dst, int d) {
        int o1 = off + rs, o2 = o1 + rs, o3 = o2 + rs, o4 = o3 + rs, o5 = o4 + rs, o6 = o5 + rs, o7 = o6 + rs;
        int l = lanes;
        int p = 0;
        for (; p + l <= kc; p += l) {
            FloatVector r0 = FloatVector.fromArray(s, a, off + p);
            FloatVector r1 = FloatVector.fromArray(s, a, o1 + p);
            FloatVector r2 = FloatVector.fromArray(s, a, o2 + p);
            FloatVector r3 = FloatVector.fromArray(s, a, o3 + p);
            FloatVector r4 = FloatVector.fromArray(s, a, o4 + p);
            FloatVector r5 = FloatVector.fromArray(s, a, o5 + p);
            FloatVector r6 = FloatVector.fromArray(s, a, o6 + p);
            FloatVector r7 = FloatVector.fromArray(s, a, o7 + p);
            // Round 1: row pairs value by value; "a" holds the group's first half of steps, "b" the second.
            FloatVector p01a = r0.rearrange(lo1, r1), p01b = r0.rearrange(hi1, r1);
            FloatVector p23a = r2.rearrange(lo1, r3), p23b = r2.rearrange(hi1, r3);
            FloatVector p45a = r4.rearrange(lo1, r5), p45b = r4.rearrange(hi1, r5);
            FloatVector p67a = r6.rearrange(lo1, r7), p67b = r6.rearrange(hi1, r7);
            // Round 2: rows 0-3 (and 4-7) of each step together; quarters of the group's steps in order a-d.
            FloatVector q03a = p01a.rearrange(lo2, p23a), q03b = p01a.rearrange(hi2, p23a);
            FloatVector q03c = p01b.rearrange(lo2, p23b), q03d = p01b.rearrange(hi2, p23b);
            FloatVector q47a = p45a.rearrange(lo2, p67a), q47b = p45a.rearrange(hi2, p67a);
            FloatVector q47c = p45b.rearrange(lo2, p67b), q47d = p45b.rearrange(hi2, p67b);
            // Round 3: all eight rows of each step, the group's steps in order.
            int o = d + p * ROWS;
            q03a.rearrange(lo4, q47a).intoArray(dst, o);
            q03a.rearrange(hi4, q47a).intoArray(dst, o + l);
            q03b.rearrange(lo4, q47b).intoArray(dst, o + 2 * l);
            q03b.rearrange(hi4, q47b).intoArray(dst, o + 3 * l);
            q03c.rearrange(lo4, q47c).intoArray(dst, o + 4 * l);
            q03c.rearrange(hi4, q47c).intoArray(dst, o + 5 * l);
            q03d.rearrange(lo4, q47d).intoArray(dst, o + 6 * l);
            q03d.rearrange(hi4, q47d).intoArray(dst, o + 7 * l);
        }
        VectorGemm.eightStreams(a, off, rs, p, kc, dst, d, ROWS);
    }

    /**
     * The shuffle that interleaves chunks of {@code chunk} values of two vectors x and y: x's
     * chunk 0, y's chunk 0, x's chunk 1, ..., from the lower halves of x and y, or from the upper
     * halves when {@code upper}. Lanes of y are given as negative indices (lane - L), which
     * {@code x.rearrange(shuffle, y)} reads from y.
     */
    private VectorShuffle<Float> interleave(int chunk, boolean upper) {
        int[] index = new int[lanes];
        for (int lane = 0; lane < lanes; lane++) {
            int within = lane % (2 * chunk);
            int source = lane / (2 * chunk) * chunk + within % chunk + (upper ? lanes / 2 : 0);
            index[lane] = within < chunk ? source : source - lanes;
        }
        return VectorShuffle.fromArray(s, index, 0);
    }
}
