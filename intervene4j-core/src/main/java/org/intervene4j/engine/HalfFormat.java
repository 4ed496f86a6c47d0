package org.intervene4j.engine;

import org.intervene4j.io.HalfFloats;

/** The two 16-bit float formats weights are stored in: IEEE binary16 (F16) and bfloat16 (BF16). */
public enum HalfFormat {
    /** IEEE binary16: 5 exponent bits, 10 mantissa bits (range +-65504). */
    F16,
    /** bfloat16: the top 16 bits of an fp32 (8 exponent bits, 7 mantissa bits). */
    BF16;

    /** The exact float value of {@code bits} in this format. */
    public float toFloat(short bits) {
        return this == BF16 ? HalfFloats.bf16ToFloat(bits) : HalfFloats.f16ToFloat(bits);
    }

    /** {@code value} rounded to this format (nearest even; F16 overflows to infinity). */
    public short fromFloat(float value) {
        return this == BF16 ? HalfFloats.floatToBf16(value) : HalfFloats.floatToF16(value);
    }
}
