package org.intervene4j.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.CheckpointException;
import org.intervene4j.io.DType;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.io.TensorInfo;

/**
 * A Hugging Face checkpoint directory: {@code config.json} plus either {@code model.safetensors}
 * or shards listed in {@code model.safetensors.index.json}. Tensors are looked up by their
 * name without the family prefix ({@code transformer.}, {@code model.}, {@code gpt_neox.},
 * {@code bert.}); whichever of the two key layouts the files use is found.
 */
public final class CheckpointDir implements AutoCloseable {
    private final Path dir;
    private final HfConfig config;
    private final Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    private final List<SafetensorsFile> files = new ArrayList<>();

    private CheckpointDir(Path dir, HfConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** Opens {@code dir}, validating config.json and every safetensors header it uses. */
    public static CheckpointDir open(Path dir) {
        if (!Files.isDirectory(dir)) throw new CheckpointException(dir, "not a directory");
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) throw new CheckpointException(configFile, "file not found (a checkpoint directory needs config.json)");
        CheckpointDir c = new CheckpointDir(dir, HfConfig.read(configFile));
        try {
            c.openWeights();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void openWeights() {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            files.add(f);
            for (String n : f.names()) byTensor.put(n, f);
        } else if (Files.exists(index)) {
            Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : readIndex(index).entrySet()) {
                SafetensorsFile f = shards.computeIfAbsent(e.getValue(), shard -> {
                    Path p = dir.resolve(shard);
                    if (!Files.exists(p)) throw new CheckpointException(index, "lists shard '" + shard + "', which does not exist");
                    SafetensorsFile opened = SafetensorsFile.open(p);
                    files.add(opened);
                    return opened;
                });
                if (!f.contains(e.getKey())) {
                    throw new CheckpointException(index, "maps tensor '" + e.getKey() + "' to " + e.getValue() + ", which does not contain it");
                }
                byTensor.put(e.getKey(), f);
            }
        } else {
            throw new CheckpointException(dir, "no model.safetensors or model.safetensors.index.json (only safetensors checkpoints are read)");
        }
    }

    private static Map<String, String> readIndex(Path index) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(index));
            JsonNode map = root == null ? null : root.get("weight_map");
            if (map == null || !map.isObject()) throw new CheckpointException(index, "missing 'weight_map' object");
            Map<String, String> out = new LinkedHashMap<>();
            map.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) throw new CheckpointException(index, "weight_map entry '" + e.getKey() + "' is not a file name");
                String shard = e.getValue().asText();
                if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                    throw new CheckpointException(index, "shard name '" + shard + "' must be a plain file name in the directory");
                }
                out.put(e.getKey(), shard);
            });
            return out;
        } catch (IOException e) {
            throw new CheckpointException(index, "cannot read: " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public HfConfig config() {
        return config;
    }

    /** All tensor names as stored. */
    public Set<String> names() {
        return new LinkedHashSet<>(byTensor.keySet());
    }

    /**
     * The stored name for {@code name}, trying it as given and with each of {@code prefixes}
     * prepended; null when none exists.
     */
    public String resolve(String name, String... prefixes) {
        if (byTensor.containsKey(name)) return name;
        for (String p : prefixes) if (byTensor.containsKey(p + name)) return p + name;
        return null;
    }

    /** True when some layout of {@code name} exists. */
    public boolean has(String name, String... prefixes) {
        return resolve(name, prefixes) != null;
    }

    /** The header entry of a tensor, or an error naming the missing tensor and the directory. */
    public TensorInfo info(String name, String... prefixes) {
        String stored = require(name, prefixes);
        return byTensor.get(stored).info(stored);
    }

    /**
     * Reads a tensor widened to fp32 and checks its shape; a shape that disagrees with the
     * config is an error naming the tensor, both shapes and the file.
     */
    public Tensor read(String name, int[] expectedShape, String... prefixes) {
        String stored = require(name, prefixes);
        SafetensorsFile f = byTensor.get(stored);
        checkShape(f, stored, expectedShape);
        return f.readFloat(stored);
    }

    /** True when the tensor is stored as F16 or BF16, so {@link #readHalf} can keep it compact. */
    public boolean isHalf(String name, String... prefixes) {
        DType t = info(name, prefixes).dtype();
        return t == DType.F16 || t == DType.BF16;
    }

    /**
     * Reads a 2-d F16 or BF16 tensor as a {@link HalfMatrix} (2 bytes per value, widened only
     * inside the kernels) and checks its shape like {@link #read}.
     */
    public HalfMatrix readHalf(String name, int[] expectedShape, String... prefixes) {
        String stored = require(name, prefixes);
        SafetensorsFile f = byTensor.get(stored);
        checkShape(f, stored, expectedShape);
        return f.readHalf(stored);
    }

    private static void checkShape(SafetensorsFile f, String stored, int[] expectedShape) {
        TensorInfo info = f.info(stored);
        if (expectedShape != null && !java.util.Arrays.equals(info.shape(), expectedShape)) {
            throw new CheckpointException(f.path(), "tensor '" + stored + "' has shape " + java.util.Arrays.toString(info.shape())
                    + " but config.json implies " + java.util.Arrays.toString(expectedShape));
        }
    }

    /** The file holding a tensor (for mapping its raw bytes). */
    public SafetensorsFile fileOf(String name, String... prefixes) {
        return byTensor.get(require(name, prefixes));
    }

    private String require(String name, String... prefixes) {
        String stored = resolve(name, prefixes);
        if (stored == null) {
            throw new CheckpointException(dir, "missing tensor '" + name + "'"
                    + (prefixes.length > 0 ? " (also tried with prefixes " + java.util.Arrays.toString(prefixes) + ")" : ""));
        }
        return stored;
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) f.close();
    }
}
