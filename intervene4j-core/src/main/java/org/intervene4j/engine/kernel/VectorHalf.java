package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.intervene4j.engine.HalfFormat;

/**
 * Widening half-precision values to fp32 with vectors. The shorts are sign-extended to ints
 * (half the register width to full), then:
 * <ul>
 *   <li>BF16: shifted left by 16, which is exactly the fp32 with those top bits;</li>
 *   <li>F16: sign, exponent and mantissa shifted into fp32 position ({@code << 13}) and
 *       scaled by 2^112 (the exponent bias difference 127 - 15). Normals and subnormals both
 *       come out exact: a half subnormal becomes an fp32 subnormal that the multiply
 *       normalizes. Lanes with the all-ones exponent (infinity, NaN) get the fp32 all-ones
 *       exponent instead.</li>
 * </ul>
 * The scalar twin is {@link HalfFormat#toFloat}; both are exact, so they agree bit for bit.
 */
final class VectorHalf {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** L shorts: half the bit width of the float species. */
    static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** L ints: the float species' shape. */
    static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());

    /** 2L shorts: the float species' full bit width (a row of an interleaved BF16 panel, {@link PackedPanels}). */
    static final VectorSpecies<Short> SH_FULL = VectorSpecies.of(short.class, S.vectorShape());

    private VectorHalf() {}

    /** L bfloat16 values at {@code b[off]} as floats. */
    static FloatVector bf16(short[] b, int off) {
        IntVector w = (IntVector) ShortVector.fromArray(SH, b, off).convertShape(VectorOperators.S2I, SI, 0);
        return w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * {@code dst[d + i] = widen(src[s + i])} for i < n: full vectors, then a scalar tail. This
     * is the only place F16 is decoded with vectors, and the decode is written out in the loop
     * body: as a helper method returning a vector, C2 sometimes left it out of line (a call
     * site it judged cold, or too big) and boxed every vector, 10-100x slower. Callers widen
     * into small L1-resident fp32 buffers and run fp32 loops on them.
     */
    static void widen(boolean bf16, short[] src, int s, float[] dst, int d, int n) {
        widenRows(bf16, src, s, 0, dst, d, 0, 1, n);
    }

    /**
     * {@code rows} runs of n values: run r reads {@code src[s + r * srcStride ..]} and writes
     * {@code dst[d + r * dstStride ..]} (one call for a whole block of strided weight rows).
     */
    static void widenRows(boolean bf16, short[] src, int s, int srcStride, float[] dst, int d, int dstStride,
                          int rows, int n) {
        HalfFormat f = bf16 ? HalfFormat.BF16 : HalfFormat.F16;
        for (int r = 0; r < rows; r++, s += srcStride, d += dstStride) {
            int i = 0;
            if (bf16) {
                for (; i + L <= n; i += L) bf16(src, s + i).intoArray(dst, d + i);
            } else {
                for (; i + L <= n; i += L) {
                    IntVector h = (IntVector) ShortVector.fromArray(SH, src, s + i).convertShape(VectorOperators.S2I, SI, 0);
                    // h is sign-extended, so h << 13 holds sign | em << 13 once bits 30..28 are
                    // cleared; the 2^112 scaling keeps the sign and normalizes subnormals.
                    IntVector scaled = h.lanewise(VectorOperators.LSHL, 13).and(0x8fffffff).reinterpretAsFloats()
                            .mul(0x1p112f).reinterpretAsInts();
                    // Infinity and NaN came out with fp32 exponent 0x8f: add 0x70 << 23 to make
                    // it 0xff. The exponent field plus one carries into bit 15 only when all ones.
                    IntVector infNan = h.and(0x7c00).add(0x0400).and(0x8000).mul(0x7000);
                    scaled.add(infNan).reinterpretAsFloats().intoArray(dst, d + i);
                }
            }
            for (; i < n; i++) dst[d + i] = f.toFloat(src[s + i]);
        }
    }
}
