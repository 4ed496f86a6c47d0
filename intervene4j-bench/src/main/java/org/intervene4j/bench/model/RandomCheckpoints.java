package org.intervene4j.bench.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.intervene4j.io.CheckpointException;
import org.intervene4j.io.DType;
import org.intervene4j.io.HalfFloats;
import org.intervene4j.io.SafetensorsFile;

/**
 * Random checkpoints shaped like real models, written once into a cache directory (a Hugging
 * Face layout: {@code config.json} + {@code model.safetensors}) and reused by later runs. The
 * weights are streamed to disk tensor by tensor in 1M-element chunks, so writing the 2.5 GB
 * Llama file never holds more than a few MB in memory.
 *
 * <p>Matrices are N(0, 0.02) (GPT-2's and Llama's initializer range), norm gains 1, GPT-2's
 * biases N(0, 0.01): activations stay of order 1 through every layer.
 */
public final class RandomCheckpoints {
    /** Written into the safetensors metadata; a cached file with another value is rewritten. */
    static final String VERSION = "intervene4j-bench random checkpoint v1";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int CHUNK = 1 << 20;

    private RandomCheckpoints() {}

    /** How one tensor is filled. */
    enum Fill { NORMAL, ONES, ZEROS }

    /** One tensor to write: name, shape, fill and (for NORMAL) standard deviation. */
    record Spec(String name, int[] shape, Fill fill, double std) {
        long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    /** A model to create: directory name, config.json contents, tensors and storage dtype. */
    record Layout(String dirName, ObjectNode config, List<Spec> tensors, DType dtype) {}

    /** GPT-2 small: 12 layers, d 768, 12 heads, MLP 3072, vocab 50257, 1024 positions, F32. */
    public static Layout gpt2Small() {
        return gpt2("gpt2-small-random-f32", 12, 768, 12, 50257, 1024, DType.F32);
    }

    /** A GPT-2 of any size (MLP 4d, gelu_new, tied LM head). */
    static Layout gpt2(String dirName, int layers, int d, int heads, int vocab, int positions, DType dtype) {
        int ff = 4 * d;
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("GPT2LMHeadModel");
        c.put("model_type", "gpt2");
        c.put("n_layer", layers);
        c.put("n_embd", d);
        c.put("n_head", heads);
        c.putNull("n_inner");
        c.put("n_positions", positions);
        c.put("n_ctx", positions);
        c.put("vocab_size", vocab);
        c.put("activation_function", "gelu_new");
        c.put("layer_norm_epsilon", 1e-5);
        c.put("bos_token_id", 50256);
        c.put("eos_token_id", 50256);
        c.put("torch_dtype", torchDtype(dtype));
        List<Spec> t = new ArrayList<>();
        t.add(normal("wte.weight", 0.02, vocab, d));
        t.add(normal("wpe.weight", 0.01, positions, d));
        for (int l = 0; l < layers; l++) {
            String p = "h." + l + ".";
            t.add(new Spec(p + "ln_1.weight", new int[] {d}, Fill.ONES, 0));
            t.add(new Spec(p + "ln_1.bias", new int[] {d}, Fill.ZEROS, 0));
            t.add(normal(p + "attn.c_attn.weight", 0.02, d, 3 * d)); // Conv1D: [in, out]
            t.add(normal(p + "attn.c_attn.bias", 0.01, 3 * d));
            t.add(normal(p + "attn.c_proj.weight", 0.02, d, d));
            t.add(normal(p + "attn.c_proj.bias", 0.01, d));
            t.add(new Spec(p + "ln_2.weight", new int[] {d}, Fill.ONES, 0));
            t.add(new Spec(p + "ln_2.bias", new int[] {d}, Fill.ZEROS, 0));
            t.add(normal(p + "mlp.c_fc.weight", 0.02, d, ff));
            t.add(normal(p + "mlp.c_fc.bias", 0.01, ff));
            t.add(normal(p + "mlp.c_proj.weight", 0.02, ff, d));
            t.add(normal(p + "mlp.c_proj.bias", 0.01, d));
        }
        t.add(new Spec("ln_f.weight", new int[] {d}, Fill.ONES, 0));
        t.add(new Spec("ln_f.bias", new int[] {d}, Fill.ZEROS, 0));
        return new Layout(dirName, c, t, dtype);
    }

    /**
     * Llama 3.2 1B: 16 layers, hidden 2048, 32 heads / 8 kv heads of 64, MLP 8192, vocab 128256,
     * tied embeddings, rope theta 500000 with llama3 scaling (factor 32, low 1, high 4, original
     * 8192), rms eps 1e-5, stored BF16.
     */
    public static Layout llama1B() {
        return llama("llama-3.2-1b-shaped-random-bf16", 16, 2048, 32, 8, 64, 8192, 128256, DType.BF16);
    }

    /** A Llama-3.2-style model of any size (llama3 rope scaling, tied embeddings, no biases). */
    static Layout llama(String dirName, int layers, int d, int heads, int kvHeads, int hd, int ff, int vocab, DType dtype) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("num_hidden_layers", layers);
        c.put("hidden_size", d);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", hd);
        c.put("intermediate_size", ff);
        c.put("hidden_act", "silu");
        c.put("vocab_size", vocab);
        c.put("max_position_embeddings", 131072);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 500000.0);
        ObjectNode scaling = c.putObject("rope_scaling");
        scaling.put("rope_type", "llama3");
        scaling.put("factor", 32.0);
        scaling.put("low_freq_factor", 1.0);
        scaling.put("high_freq_factor", 4.0);
        scaling.put("original_max_position_embeddings", 8192);
        c.put("tie_word_embeddings", true);
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("bos_token_id", 128000);
        c.put("eos_token_id", 128001);
        c.put("torch_dtype", torchDtype(dtype));
        List<Spec> t = new ArrayList<>();
        t.add(normal("model.embed_tokens.weight", 0.02, vocab, d));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            t.add(new Spec(p + "input_layernorm.weight", new int[] {d}, Fill.ONES, 0));
            t.add(normal(p + "self_attn.q_proj.weight", 0.02, heads * hd, d));
            t.add(normal(p + "self_attn.k_proj.weight", 0.02, kvHeads * hd, d));
            t.add(normal(p + "self_attn.v_proj.weight", 0.02, kvHeads * hd, d));
            t.add(normal(p + "self_attn.o_proj.weight", 0.02, d, heads * hd));
            t.add(new Spec(p + "post_attention_layernorm.weight", new int[] {d}, Fill.ONES, 0));
            t.add(normal(p + "mlp.gate_proj.weight", 0.02, ff, d));
            t.add(normal(p + "mlp.up_proj.weight", 0.02, ff, d));
            t.add(normal(p + "mlp.down_proj.weight", 0.02, d, ff));
        }
        t.add(new Spec("model.norm.weight", new int[] {d}, Fill.ONES, 0));
        return new Layout(dirName, c, t, dtype);
    }

    private static String torchDtype(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException("random checkpoints are F32, F16 or BF16, not " + dtype);
        };
    }

    private static Spec normal(String name, double std, int... shape) {
        return new Spec(name, shape, Fill.NORMAL, std);
    }

    /**
     * The checkpoint directory for {@code layout} under {@code cacheDir}, written first when
     * missing or made by another version or seed.
     */
    public static Path ensure(Path cacheDir, Layout layout, long seed) throws IOException {
        Path dir = cacheDir.resolve(layout.dirName());
        Path weights = dir.resolve("model.safetensors");
        String stamp = VERSION + ", seed " + seed;
        if (Files.exists(weights) && Files.exists(dir.resolve("config.json"))) {
            try (SafetensorsFile f = SafetensorsFile.open(weights)) {
                if (stamp.equals(f.metadata().get("generator"))) return dir;
            } catch (CheckpointException e) {
                System.out.println("rewriting " + weights + ": " + e.getMessage());
            }
        }
        Files.createDirectories(dir);
        long bytes = 0;
        for (Spec s : layout.tensors()) bytes += s.numel() * layout.dtype().bytes;
        System.out.printf("writing random checkpoint %s (%.2f GB, %s)...%n", dir, bytes / 1e9, layout.dtype());
        long t0 = System.nanoTime();
        writeSafetensors(weights, layout, seed, stamp);
        JSON.writeValue(dir.resolve("config.json").toFile(), layout.config());
        System.out.printf("  written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return dir;
    }

    /** Header first (offsets follow from the shapes), then each tensor's values, chunk by chunk. */
    private static void writeSafetensors(Path file, Layout layout, long seed, String stamp) throws IOException {
        DType dtype = layout.dtype();
        ObjectNode header = JSON.createObjectNode();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("generator", stamp);
        ObjectNode m = header.putObject("__metadata__");
        meta.forEach(m::put);
        long offset = 0;
        for (Spec s : layout.tensors()) {
            ObjectNode e = header.putObject(s.name());
            e.put("dtype", dtype.name());
            ArrayNode shape = e.putArray("shape");
            for (int d : s.shape()) shape.add(d);
            long n = s.numel() * dtype.bytes;
            e.putArray("data_offsets").add(offset).add(offset + n);
            offset += n;
        }
        byte[] json = new ObjectMapper().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeAll(ch, head);
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (Spec s : layout.tensors()) {
                SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + s.name().hashCode());
                for (long done = 0, n = s.numel(); done < n; ) {
                    int len = (int) Math.min(CHUNK, n - done);
                    buf.clear();
                    for (int i = 0; i < len; i++) {
                        float v = switch (s.fill()) {
                            case NORMAL -> (float) (s.std() * rng.nextGaussian());
                            case ONES -> 1f;
                            case ZEROS -> 0f;
                        };
                        if (dtype == DType.F32) buf.putFloat(v);
                        else buf.putShort(dtype == DType.BF16 ? HalfFloats.floatToBf16(v) : HalfFloats.floatToF16(v));
                    }
                    buf.flip();
                    writeAll(ch, buf);
                    done += len;
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
