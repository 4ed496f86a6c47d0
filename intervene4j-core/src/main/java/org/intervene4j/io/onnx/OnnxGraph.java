package org.intervene4j.io.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.CheckpointException;

/**
 * The parts of an ONNX model needed to import weights: float initializers by name and the
 * node list (op type, inputs, outputs) to trace anonymous initializers to named ones.
 */
public final class OnnxGraph {
    /** One graph node. */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs) {}

    private final Path file;
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();

    private OnnxGraph(Path file) {
        this.file = file;
    }

    /** Reads {@code file} (memory-mapped); only float32 initializers stored inline are supported. */
    public static OnnxGraph read(Path file) {
        OnnxGraph g = new OnnxGraph(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) throw new CheckpointException(file, "ONNX files over 2 GiB are not supported");
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            ProtoReader model = new ProtoReader(buf, 0, buf.limit());
            boolean sawGraph = false;
            while (model.next()) {
                if (model.field() == 7 && model.wireType() == ProtoReader.LENGTH_DELIMITED) { // ModelProto.graph
                    int[] r = model.message();
                    g.readGraph(new ProtoReader(buf, r[0], r[1]), buf);
                    sawGraph = true;
                } else {
                    model.skip();
                }
            }
            if (!sawGraph) throw new CheckpointException(file, "no graph found: not an ONNX model");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        } catch (IllegalStateException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            throw new CheckpointException(file, "malformed ONNX protobuf: " + e.getMessage());
        }
        return g;
    }

    private void readGraph(ProtoReader graph, ByteBuffer buf) {
        while (graph.next()) {
            if (graph.field() == 1 && graph.wireType() == ProtoReader.LENGTH_DELIMITED) { // GraphProto.node
                int[] r = graph.message();
                nodes.add(readNode(new ProtoReader(buf, r[0], r[1])));
            } else if (graph.field() == 5 && graph.wireType() == ProtoReader.LENGTH_DELIMITED) { // GraphProto.initializer
                int[] r = graph.message();
                readInitializer(new ProtoReader(buf, r[0], r[1]), buf);
            } else {
                graph.skip();
            }
        }
    }

    private static Node readNode(ProtoReader n) {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String name = "";
        String op = "";
        while (n.next()) {
            switch (n.field()) {
                case 1 -> in.add(n.string());
                case 2 -> out.add(n.string());
                case 3 -> name = n.string();
                case 4 -> op = n.string();
                default -> n.skip();
            }
        }
        return new Node(name, op, in, out);
    }

    private void readInitializer(ProtoReader t, ByteBuffer buf) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteBuffer raw = null;
        List<Float> floats = new ArrayList<>();
        while (t.next()) {
            switch (t.field()) {
                case 1 -> {
                    if (t.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        int[] r = t.message(); // packed repeated int64
                        ProtoReader p = new ProtoReader(buf, r[0], r[1]);
                        while (!p.atEnd()) dims.add(p.varint());
                    } else {
                        dims.add(t.varint());
                    }
                }
                case 2 -> dataType = (int) t.varint();
                case 4 -> {
                    if (t.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        ByteBuffer b = t.bytes();
                        while (b.remaining() >= 4) floats.add(b.getFloat());
                    } else {
                        floats.add(t.fixed32Float());
                    }
                }
                case 8 -> name = t.string();
                case 9 -> raw = t.bytes();
                default -> t.skip();
            }
        }
        if (dataType != 1) return; // only FLOAT initializers carry weights we import
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact(dims.get(i));
        Tensor out = Tensor.zerosPersistent(shape);
        float[] d = out.data();
        if (raw != null) {
            if (raw.remaining() != 4L * d.length) {
                throw new CheckpointException(file, "initializer '" + name + "' has " + raw.remaining() + " bytes for shape "
                        + java.util.Arrays.toString(shape));
            }
            raw.asFloatBuffer().get(d);
        } else if (floats.size() == d.length) {
            for (int i = 0; i < d.length; i++) d[i] = floats.get(i);
        } else {
            throw new CheckpointException(file, "initializer '" + name + "' has no inline data (external data is not supported)");
        }
        initializers.put(name, out);
    }

    public Path file() {
        return file;
    }

    /** Float initializers by name, in file order. */
    public Map<String, Tensor> initializers() {
        return initializers;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The nodes that consume {@code value}. */
    public List<Node> consumers(String value) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) if (n.inputs().contains(value)) out.add(n);
        return out;
    }
}
