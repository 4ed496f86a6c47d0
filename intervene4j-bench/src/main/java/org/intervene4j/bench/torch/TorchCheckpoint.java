package org.intervene4j.bench.torch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.intervene4j.io.TensorInfo;
import org.intervene4j.io.hf.CheckpointDir;

/**
 * Copies tensors of a checkpoint (read with our {@link CheckpointDir}: the very bytes our models
 * load) into libtorch tensors of a chosen dtype, straight from the memory-mapped file. Every
 * tensor it returns is owned by this object (one reference each) until {@link #close}.
 */
public final class TorchCheckpoint implements AutoCloseable {
    private final CheckpointDir dir;
    private final ScalarType dtype;
    private final List<Tensor> owned = new ArrayList<>();

    /** @param dtype {@code ScalarType.Float} or {@code ScalarType.BFloat16} */
    public TorchCheckpoint(CheckpointDir dir, ScalarType dtype) {
        this.dir = dir;
        this.dtype = dtype;
    }

    public ScalarType dtype() {
        return dtype;
    }

    /** "float32" or "bfloat16". */
    public String dtypeName() {
        return dtype == ScalarType.BFloat16 ? "bfloat16" : dtype == ScalarType.Float ? "float32" : dtype.toString();
    }

    /** A weight as stored (shape from the file), converted to this loader's dtype. */
    public Tensor read(String name, String... prefixes) {
        return load(name, false, prefixes);
    }

    /** A GPT-2 Conv1D weight {@code [in, out]}, transposed to nn.Linear's {@code [out, in]} (contiguous). */
    public Tensor readTransposed(String name, String... prefixes) {
        return load(name, true, prefixes);
    }

    /** Makes a tensor owned by this loader (e.g. a table computed once). */
    public Tensor own(Tensor t) {
        t.retainReference();
        owned.add(t);
        return t;
    }

    private Tensor load(String name, boolean transpose, String... prefixes) {
        String stored = dir.resolve(name, prefixes);
        if (stored == null) throw new IllegalArgumentException("libtorch loader: no tensor '" + name + "' in " + dir.dir());
        TensorInfo info = dir.info(stored);
        ScalarType storedType = switch (info.dtype()) {
            case F32 -> ScalarType.Float;
            case BF16 -> ScalarType.BFloat16;
            case F16 -> ScalarType.Half;
            default -> throw new IllegalArgumentException("libtorch loader: tensor '" + stored + "' has dtype " + info.dtype());
        };
        long[] shape = new long[info.shape().length];
        for (int i = 0; i < shape.length; i++) shape[i] = info.shape()[i];
        try (PointerScope scope = new PointerScope()) {
            ByteBuffer bytes = dir.fileOf(stored).bytes(stored);
            Tensor raw = torch.from_blob(new BytePointer(bytes), shape, new TensorOptions(storedType)); // a view of the mapping
            Tensor t = transpose ? raw.t() : raw;
            // clone / to always copy out of the mapping into libtorch's own memory
            Tensor out = storedType == dtype ? t.contiguous().clone() : t.to(dtype).contiguous();
            java.lang.ref.Reference.reachabilityFence(bytes); // the mapping must outlive the copy
            return own(out);
        }
    }

    /** Bytes of the distinct tensors owned. */
    public long bytes() {
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        long n = 0;
        for (Tensor t : owned) if (seen.put(t, Boolean.TRUE) == null) n += t.nbytes();
        return n;
    }

    /** Frees every owned tensor. */
    @Override
    public void close() {
        for (Tensor t : owned) t.releaseReference();
        owned.clear();
    }

    /** The libtorch dtype for a name given on the command line ("f32", "bf16"). */
    public static ScalarType parseDtype(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "fp32", "float32" -> ScalarType.Float;
            case "bf16", "bfloat16" -> ScalarType.BFloat16;
            default -> throw new IllegalArgumentException("libtorch dtype must be f32 or bf16, got '" + s + "'");
        };
    }

}
