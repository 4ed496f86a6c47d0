package org.intervene4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Writes tensors as a safetensors file in F32, F16 or BF16. The file appears atomically
 * (written beside the target, then moved), so a failure never leaves a partial file.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    /** Writes {@code tensors} (in map order) stored as {@code dtype}, with optional metadata. */
    public static void write(Path file, Map<String, Tensor> tensors, DType dtype, Map<String, String> metadata) {
        if (!dtype.isWeightType()) {
            throw new IllegalArgumentException("safetensors writer: dtype " + dtype + " is not F32, F16 or BF16");
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("safetensors writer: '__metadata__' is not a valid tensor name");
            }
            Tensor t = e.getValue();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long bytes = (long) t.numel() * dtype.bytes;
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8; // keep the data section 8-byte aligned
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) headerBytes[i] = ' ';
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(headerBytes);
                for (Tensor t : tensors.values()) out.write(encode(t, dtype));
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort cleanup
            }
            throw new CheckpointException(file, "cannot write: " + e.getMessage(), e);
        }
    }

    private static byte[] encode(Tensor t, DType dtype) {
        float[] v = t.toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(v.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(v);
            case F16 -> {
                for (float x : v) b.putShort(HalfFloats.floatToF16(x));
            }
            case BF16 -> {
                for (float x : v) b.putShort(HalfFloats.floatToBf16(x));
            }
            default -> throw new IllegalStateException();
        }
        return b.array();
    }
}
