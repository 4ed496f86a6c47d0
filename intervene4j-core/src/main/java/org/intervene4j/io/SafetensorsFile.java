package org.intervene4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.HalfFormat;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Tensor;

/**
 * A memory-mapped safetensors file. The whole header is validated when the file is opened —
 * size cap, JSON shape, known dtypes, offsets inside the file, byte counts equal to
 * dtype x shape, no overlaps and no holes — so no tensor is ever read from a file that lies.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}),
 * then the data section that the offsets index.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest header accepted (the format's own limit is 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}; throws {@link CheckpointException} naming what is wrong. */
    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path, "file not found");
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(path, "truncated: " + size
                        + " bytes, but a safetensors file starts with an 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new CheckpointException(path, "header length " + Long.toUnsignedString(headerLen)
                        + " is outside [2, " + MAX_HEADER_BYTES + "] bytes");
            }
            if (8 + headerLen > size) {
                throw new CheckpointException(path, "truncated: header length " + headerLen
                        + " runs past the end of the file (" + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            JsonNode root;
            try {
                root = JSON.readTree(json);
            } catch (JsonProcessingException e) {
                throw new CheckpointException(path, "header is not valid JSON: " + e.getOriginalMessage());
            }
            if (root == null || !root.isObject()) {
                throw new CheckpointException(path, "header is not a JSON object");
            }
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    readMetadata(path, e.getValue(), metadata);
                } else {
                    tensors.put(e.getKey(), readEntry(path, e.getKey(), e.getValue(), dataSize));
                }
            }
            checkLayout(path, tensors, dataSize);
            return new SafetensorsFile(path, ch, dataStart, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot read: " + e.getMessage(), e);
        }
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) throw new CheckpointException(path, "__metadata__ is not a JSON object");
        node.fields().forEachRemaining(m -> {
            if (!m.getValue().isTextual()) {
                throw new CheckpointException(path, "__metadata__ value of '" + m.getKey() + "' is not a string");
            }
            out.put(m.getKey(), m.getValue().asText());
        });
    }

    private static TensorInfo readEntry(Path path, String name, JsonNode node, long dataSize) {
        String where = "tensor '" + name + "': ";
        if (!node.isObject()) throw new CheckpointException(path, where + "entry is not a JSON object");
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw new CheckpointException(path, where + "missing dtype");
        DType dtype = DType.parse(dtypeNode.asText());
        if (dtype == null) throw new CheckpointException(path, where + "unknown dtype '" + dtypeNode.asText() + "'");
        if (shapeNode == null || !shapeNode.isArray()) throw new CheckpointException(path, where + "missing shape");
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new CheckpointException(path, where + "shape " + shapeNode + " has an invalid dimension");
            }
            shape[i] = (int) d.asLong();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        if (offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2
                || !offsetsNode.get(0).isIntegralNumber() || !offsetsNode.get(1).isIntegralNumber()) {
            throw new CheckpointException(path, where + "data_offsets must be [begin, end]");
        }
        long begin = offsetsNode.get(0).asLong();
        long end = offsetsNode.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new CheckpointException(path, where + "data_offsets [" + begin + ", " + end + "] are not an increasing range");
        }
        if (end > dataSize) {
            throw new CheckpointException(path, where + "data_offsets [" + begin + ", " + end
                    + "] run past the end of the data section (" + dataSize + " bytes): the file is truncated or the header lies");
        }
        long expected = Math.multiplyExact(numel, dtype.bytes);
        if (end - begin != expected) {
            throw new CheckpointException(path, where + dtype + " " + java.util.Arrays.toString(shape) + " needs "
                    + expected + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** Entries sorted by offset must tile the data section exactly: no overlap, no hole. */
    private static void checkLayout(Path path, Map<String, TensorInfo> tensors, long dataSize) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long cursor = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < cursor) {
                throw new CheckpointException(path, "tensors '" + prev.name() + "' and '" + t.name() + "' overlap (bytes ["
                        + t.begin() + ", " + Math.min(cursor, t.end()) + ") of the data section)");
            }
            if (t.begin() > cursor) {
                throw new CheckpointException(path, "bytes [" + cursor + ", " + t.begin()
                        + ") of the data section belong to no tensor");
            }
            cursor = t.end();
            prev = t;
        }
        if (cursor != dataSize) {
            throw new CheckpointException(path, "the data section has " + dataSize + " bytes but the tensors cover " + cursor);
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of {@code name}, or an error naming the file and the tensor. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new CheckpointException(path, "no tensor named '" + name + "'");
        return t;
    }

    /** The {@code __metadata__} strings of the header. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The raw little-endian bytes of a tensor, memory-mapped (read-only, not copied). */
    public ByteBuffer bytes(String name) {
        TensorInfo t = info(name);
        long len = t.end() - t.begin();
        if (len > Integer.MAX_VALUE) {
            throw new CheckpointException(path, "tensor '" + name + "' is larger than 2 GiB; split the checkpoint into shards");
        }
        try {
            if (len == 0) return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** A tensor widened to an fp32 {@link Tensor} (outside any arena). */
    public Tensor readFloat(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isWeightType()) {
            throw new CheckpointException(path, "tensor '" + name + "' has dtype " + t.dtype()
                    + "; only F32, F16 and BF16 can be read as floats");
        }
        ByteBuffer b = bytes(name);
        Tensor out = Tensor.zerosPersistent(t.shape());
        float[] d = out.data();
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().get(d);
            case F16 -> {
                for (int i = 0; i < d.length; i++) d[i] = HalfFloats.f16ToFloat(b.getShort(2 * i));
            }
            case BF16 -> {
                for (int i = 0; i < d.length; i++) d[i] = HalfFloats.bf16ToFloat(b.getShort(2 * i));
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    /**
     * A 2-d F16 or BF16 tensor kept compact: its bits copied once into a {@link HalfMatrix}
     * (2 bytes per value, outside any arena), never widened.
     */
    public HalfMatrix readHalf(String name) {
        TensorInfo t = info(name);
        HalfFormat format = switch (t.dtype()) {
            case F16 -> HalfFormat.F16;
            case BF16 -> HalfFormat.BF16;
            default -> throw new CheckpointException(path, "tensor '" + name + "' has dtype " + t.dtype()
                    + "; only F16 and BF16 can be read as half-precision matrices");
        };
        if (t.shape().length != 2) {
            throw new CheckpointException(path, "tensor '" + name + "' has shape " + java.util.Arrays.toString(t.shape())
                    + "; a half-precision matrix must be 2-d");
        }
        short[] bits = new short[(int) t.numel()];
        bytes(name).asShortBuffer().get(bits);
        return HalfMatrix.of(format, bits, t.shape()[0], t.shape()[1]);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new IOException("unexpected end of file");
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }
}
