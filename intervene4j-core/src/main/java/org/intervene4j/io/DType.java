package org.intervene4j.io;

/** Element types a safetensors file may declare; only F32, F16 and BF16 hold weights here. */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    /** Bytes per element. */
    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** True for the floating types the engine can widen to fp32 (F32, F16, BF16). */
    public boolean isWeightType() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype named {@code name} in a header, or null when unknown. */
    static DType parse(String name) {
        for (DType d : values()) if (d.name().equals(name)) return d;
        return null;
    }
}
