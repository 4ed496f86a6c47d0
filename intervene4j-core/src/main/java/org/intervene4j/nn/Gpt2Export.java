package org.intervene4j.nn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.DType;
import org.intervene4j.io.SafetensorsWriter;

/**
 * Writes a {@link TinyDecoder} as a Hugging Face GPT-2 checkpoint ({@code config.json} and
 * {@code model.safetensors}), loadable by {@link org.intervene4j.model.Models#loadCausalLM} and
 * by {@code transformers.GPT2LMHeadModel}.
 *
 * <p>The two architectures are the same computation: learned positions, pre-LN blocks, the
 * tanh GELU ({@code activation_function: gelu_new}, what {@link Mlp} applies), layer norm
 * epsilon 1e-5, attention scaled by {@code 1/sqrt(head_dim)}. Only the layout differs: GPT-2's
 * Conv1D stores weights {@code [in, out]} (the transpose of our {@link Linear}), and
 * {@code c_attn} fuses query, key and value along its output axis in that order.
 */
public final class Gpt2Export {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Gpt2Export() {}

    /**
     * Writes {@code dir/config.json} and {@code dir/model.safetensors} (F32).
     *
     * @param bosId    {@code bos_token_id} of the config, or null
     * @param eosId    {@code eos_token_id} of the config, or null
     * @param metadata string pairs for the safetensors header (provenance), may be empty
     */
    public static void write(TinyDecoder model, Path dir, Integer bosId, Integer eosId, Map<String, String> metadata) {
        try {
            Files.createDirectories(dir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config(model.config(), bosId, eosId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("config.json") + ": " + e.getMessage(), e);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors(model), DType.F32, meta);
    }

    /** The config.json fields of GPT-2 for {@code c}. */
    static ObjectNode config(TinyDecoder.Config c, Integer bosId, Integer eosId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", "gpt2");
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("vocab_size", c.vocab());
        n.put("n_positions", c.maxSeq());
        n.put("n_ctx", c.maxSeq());
        n.put("n_embd", c.dModel());
        n.put("n_layer", c.layers());
        n.put("n_head", c.heads());
        n.put("n_inner", c.mlpHidden());
        n.put("activation_function", "gelu_new"); // Ops.gelu is the tanh approximation
        n.put("layer_norm_epsilon", 1e-5);
        n.put("scale_attn_weights", true);
        n.put("scale_attn_by_inverse_layer_idx", false);
        n.put("reorder_and_upcast_attn", false);
        n.put("tie_word_embeddings", c.tiedHead());
        n.put("resid_pdrop", 0.0);
        n.put("embd_pdrop", 0.0);
        n.put("attn_pdrop", 0.0);
        n.put("initializer_range", 0.02);
        if (bosId != null) n.put("bos_token_id", bosId);
        if (eosId != null) n.put("eos_token_id", eosId);
        n.put("torch_dtype", "float32");
        return n;
    }

    /** Every tensor under its GPT2LMHeadModel name, Conv1D weights transposed to {@code [in, out]}. */
    static Map<String, Tensor> tensors(TinyDecoder model) {
        Map<String, Tensor> p = model.parameters();
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("transformer.wte.weight", copy(p.get("tokens.weight")));        // [vocab, d]
        out.put("transformer.wpe.weight", copy(p.get("positions.weight")));     // [maxSeq, d]
        for (int l = 0; l < model.config().layers(); l++) {
            String ours = "blocks." + l + ".";
            String hf = "transformer.h." + l + ".";
            out.put(hf + "ln_1.weight", copy(p.get(ours + "ln1.weight")));
            out.put(hf + "ln_1.bias", copy(p.get(ours + "ln1.bias")));
            // [d, 3d]: columns 0..d-1 are the query outputs, then key, then value
            out.put(hf + "attn.c_attn.weight", conv1d(p.get(ours + "attn.query.weight"),
                    p.get(ours + "attn.key.weight"), p.get(ours + "attn.value.weight")));
            out.put(hf + "attn.c_attn.bias", concat(p.get(ours + "attn.query.bias"),
                    p.get(ours + "attn.key.bias"), p.get(ours + "attn.value.bias")));          // [3d]
            out.put(hf + "attn.c_proj.weight", conv1d(p.get(ours + "attn.output.weight")));    // [d, d]
            out.put(hf + "attn.c_proj.bias", copy(p.get(ours + "attn.output.bias")));
            out.put(hf + "ln_2.weight", copy(p.get(ours + "ln2.weight")));
            out.put(hf + "ln_2.bias", copy(p.get(ours + "ln2.bias")));
            out.put(hf + "mlp.c_fc.weight", conv1d(p.get(ours + "mlp.fc.weight")));           // [d, hidden]
            out.put(hf + "mlp.c_fc.bias", copy(p.get(ours + "mlp.fc.bias")));
            out.put(hf + "mlp.c_proj.weight", conv1d(p.get(ours + "mlp.proj.weight")));       // [hidden, d]
            out.put(hf + "mlp.c_proj.bias", copy(p.get(ours + "mlp.proj.bias")));
        }
        out.put("transformer.ln_f.weight", copy(p.get("norm.weight")));
        out.put("transformer.ln_f.bias", copy(p.get("norm.bias")));
        if (!model.config().tiedHead()) out.put("lm_head.weight", copy(p.get("head.weight"))); // [vocab, d]
        return out;
    }

    /**
     * The Conv1D weight {@code [in, sum of outs]} of Linear weights {@code [out_i, in]} placed
     * side by side: {@code result[i][offset_k + o] = linear_k[o][i]}.
     */
    private static Tensor conv1d(Tensor... linears) {
        int in = linears[0].size(1);
        int total = 0;
        for (Tensor w : linears) total += w.size(0);
        float[] out = new float[in * total];
        int offset = 0;
        for (Tensor w : linears) {
            float[] v = w.toFloatArray(); // [out, in]
            int rows = w.size(0);
            for (int o = 0; o < rows; o++) {
                for (int i = 0; i < in; i++) out[i * total + offset + o] = v[o * in + i];
            }
            offset += rows;
        }
        return Tensor.of(out, in, total);
    }

    private static Tensor concat(Tensor... vectors) {
        int total = 0;
        for (Tensor v : vectors) total += v.numel();
        float[] out = new float[total];
        int at = 0;
        for (Tensor v : vectors) {
            float[] d = v.toFloatArray();
            System.arraycopy(d, 0, out, at, d.length);
            at += d.length;
        }
        return Tensor.of(out, total);
    }

    private static Tensor copy(Tensor t) {
        return Tensor.of(t.toFloatArray(), t.shape());
    }
}
