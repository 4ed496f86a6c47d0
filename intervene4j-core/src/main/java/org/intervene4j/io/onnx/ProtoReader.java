package org.intervene4j.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A forward-only reader of the protobuf wire format over a byte buffer: just enough to walk
 * ONNX's ModelProto without a protobuf dependency. Each {@link #next()} positions on a field;
 * the caller reads or skips its value.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buf;
    private final int end;
    private int field;
    private int wireType;

    ProtoReader(ByteBuffer buf, int start, int end) {
        this.buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.buf.position(start);
        this.end = end;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (buf.position() >= end) return false;
        long key = varint();
        field = (int) (key >>> 3);
        wireType = (int) (key & 7);
        return true;
    }

    /** True when the message has no more bytes. */
    boolean atEnd() {
        return buf.position() >= end;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = buf.get();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new IllegalStateException("malformed varint");
    }

    /** A nested message's byte range [start, end) (the reader moves past it). */
    int[] message() {
        int len = length();
        int start = buf.position();
        buf.position(start + len);
        return new int[] {start, start + len};
    }

    String string() {
        int len = length();
        byte[] b = new byte[len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A length-delimited value as a little-endian view (not copied). */
    ByteBuffer bytes() {
        int len = length();
        ByteBuffer slice = buf.slice();
        slice.limit(len);
        buf.position(buf.position() + len);
        return slice.order(ByteOrder.LITTLE_ENDIAN);
    }

    float fixed32Float() {
        return buf.getFloat();
    }

    /** Skips the current field's value. */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> buf.position(buf.position() + 8);
            case LENGTH_DELIMITED -> {
                int len = length(); // read first: it moves the position past the length varint
                buf.position(buf.position() + len);
            }
            case FIXED32 -> buf.position(buf.position() + 4);
            default -> throw new IllegalStateException("unsupported protobuf wire type " + wireType);
        }
    }

    private int length() {
        long len = varint();
        if (len < 0 || buf.position() + len > end) throw new IllegalStateException("protobuf length runs past its message");
        return (int) len;
    }
}
