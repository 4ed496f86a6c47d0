package org.intervene4j.intervention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.DType;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.io.SafetensorsWriter;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.ModelInfo;

/**
 * Saves placed interventions to a directory and loads them back onto a model of the same
 * architecture. The directory holds
 * <ul>
 *   <li>{@code intervention.json}: format and version, the model architecture (family, layers,
 *   d_model, heads, kv heads, head_dim, d_ff, vocab) with its SHA-256 fingerprint, the distinct
 *   interventions (type, config, which tensors are theirs; an intervention shared by several
 *   specs is saved once) and the specs (placement fields of {@link SpecJson} plus the index of
 *   their intervention);</li>
 *   <li>{@code parameters.safetensors}: every intervention tensor in F32, named
 *   {@code interventions.<id>.<name>}.</li>
 * </ul>
 * Types are rebuilt through {@link InterventionTypes}; a custom type must be registered there.
 */
public final class InterventionIO {
    public static final String FORMAT = "intervene4j.interventions";
    public static final int FORMAT_VERSION = 1;
    public static final String SPEC_FILE = "intervention.json";
    public static final String PARAMETER_FILE = "parameters.safetensors";

    private InterventionIO() {}

    /** Saves the specs of {@code model} to {@code dir} (created if needed; the two files are replaced). */
    public static void save(IntervenableModel model, Path dir) {
        save(model.specs(), model.model().info(), dir);
    }

    /** Saves {@code specs}, placed on a model with architecture {@code info}, to {@code dir}. */
    public static void save(List<InterventionSpec> specs, ModelInfo info, Path dir) {
        ObjectNode root = SpecJson.JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.set("model", architecture(info));
        ArrayNode interventions = root.putArray("interventions");
        ArrayNode specNodes = root.putArray("specs");
        Map<Intervention, Integer> ids = new IdentityHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (InterventionSpec s : specs) {
            Intervention iv = s.intervention();
            Integer id = ids.get(iv);
            if (id == null) {
                id = ids.size();
                ids.put(iv, id);
                if (!InterventionTypes.known(iv.type())) {
                    throw new IllegalArgumentException("save interventions: type '" + iv.type() + "' is not registered in InterventionTypes"
                            + " (register it with InterventionTypes.register(\"" + iv.type() + "\", YourType::fromConfig))");
                }
                ObjectNode entry = interventions.addObject();
                entry.put("id", id);
                entry.put("type", iv.type());
                entry.set("config", SpecJson.JSON.valueToTree(iv.config()));
                ObjectNode params = entry.putObject("parameters");
                for (Map.Entry<String, Tensor> p : iv.parameters().entrySet()) {
                    String key = "interventions." + id + "." + p.getKey();
                    ObjectNode pn = params.putObject(p.getKey());
                    pn.put("tensor", key);
                    pn.set("shape", SpecJson.ints(p.getValue().shape()));
                    pn.put("requires_grad", p.getValue().requiresGrad());
                    tensors.put(key, p.getValue());
                }
            }
            ObjectNode sn = specNodes.addObject();
            sn.put("type", iv.type());
            sn.put("intervention", id);
            sn.setAll(SpecJson.write(s));
            ArrayNode names = sn.putArray("parameters"); // informative: the tensors of its (possibly shared) intervention
            for (String p : iv.parameters().keySet()) names.add("interventions." + id + "." + p);
        }
        try {
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve(PARAMETER_FILE), tensors, DType.F32,
                    Map.of("format", FORMAT, "format_version", Integer.toString(FORMAT_VERSION)));
            Path json = dir.resolve(SPEC_FILE);
            Path tmp = dir.resolve(SPEC_FILE + ".tmp-" + ProcessHandle.current().pid());
            Files.write(tmp, SpecJson.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root));
            Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot save interventions to " + dir + ": " + e.getMessage(), e));
        }
    }

    /** Loads the interventions saved in {@code dir} onto {@code model}. */
    public static IntervenableModel load(Path dir, CausalLM model) {
        return new IntervenableModel(model, loadSpecs(dir, model.info()));
    }

    /**
     * The specs saved in {@code dir}, checked against a model with architecture {@code info}: a
     * different architecture fails with a message saying what differs. Interventions that were
     * shared are shared again (one object, one set of tensors).
     */
    public static List<InterventionSpec> loadSpecs(Path dir, ModelInfo info) {
        Path json = dir.resolve(SPEC_FILE);
        if (!Files.isRegularFile(json)) throw new IllegalArgumentException("load interventions: " + json + " does not exist");
        JsonNode root;
        try {
            root = SpecJson.JSON.readTree(Files.readAllBytes(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("load interventions: " + json + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        String where = json.toString();
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(where + ": not a saved intervention file (format is not '" + FORMAT + "')");
        }
        int version = root.path("format_version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException(where + ": format_version " + version + " is not supported (this build reads " + FORMAT_VERSION + ")");
        }
        checkArchitecture(root.get("model"), info, where);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Path stFile = dir.resolve(PARAMETER_FILE);
        if (Files.exists(stFile)) {
            try (SafetensorsFile st = SafetensorsFile.open(stFile)) {
                for (String name : st.names()) tensors.put(name, st.readFloat(name));
            }
        }
        List<Intervention> interventions = new ArrayList<>();
        JsonNode ivs = root.path("interventions");
        for (int i = 0; i < ivs.size(); i++) {
            JsonNode e = ivs.get(i);
            String field = where + ": interventions[" + i + "]";
            Map<String, Tensor> params = new LinkedHashMap<>();
            JsonNode pn = e.path("parameters");
            for (var it = pn.fields(); it.hasNext(); ) {
                var p = it.next();
                String key = p.getValue().path("tensor").asText();
                Tensor t = tensors.get(key);
                if (t == null) throw new IllegalArgumentException(field + ".parameters." + p.getKey() + ": tensor '" + key + "' is missing from " + stFile);
                int[] shape = SpecJson.intsOf(p.getValue().get("shape"), field + ".parameters." + p.getKey() + ".shape");
                if (shape != null && !java.util.Arrays.equals(shape, t.shape())) {
                    throw new IllegalArgumentException(field + ".parameters." + p.getKey() + ": tensor '" + key + "' has shape "
                            + java.util.Arrays.toString(t.shape()) + ", the spec says " + java.util.Arrays.toString(shape));
                }
                if (p.getValue().path("requires_grad").asBoolean(false)) t.requiresGrad(true);
                params.put(p.getKey(), t);
            }
            String type = e.path("type").asText();
            try {
                interventions.add(InterventionTypes.create(type, SpecJson.plain(e.get("config"), field + ".config"), params));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(field + ": " + ex.getMessage(), ex);
            }
        }
        List<InterventionSpec> specs = new ArrayList<>();
        JsonNode sn = root.path("specs");
        for (int k = 0; k < sn.size(); k++) {
            String field = where + ": specs[" + k + "]";
            JsonNode s = sn.get(k);
            int id = s.path("intervention").asInt(-1);
            if (id < 0 || id >= interventions.size()) {
                throw new IllegalArgumentException(field + ".intervention: " + id + " is not an intervention of this file (it has "
                        + interventions.size() + ")");
            }
            specs.add(SpecJson.read(s, field, info, -1).toSpec(interventions.get(id)));
        }
        return specs;
    }

    /** The architecture facts as saved, with their fingerprint. */
    static ObjectNode architecture(ModelInfo info) {
        ObjectNode m = SpecJson.JSON.createObjectNode();
        for (Map.Entry<String, Object> e : facts(info).entrySet()) {
            if (e.getValue() instanceof Integer i) m.put(e.getKey(), i);
            else m.put(e.getKey(), e.getValue().toString());
        }
        m.put("fingerprint", fingerprint(info));
        return m;
    }

    /** The facts an intervention depends on, in canonical order. */
    static Map<String, Object> facts(ModelInfo info) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("family", info.family());
        f.put("layers", info.layers());
        f.put("d_model", info.dModel());
        f.put("heads", info.heads());
        f.put("kv_heads", info.kvHeads());
        f.put("head_dim", info.headDim());
        f.put("d_ff", info.dFf());
        f.put("vocab", info.vocab());
        return f;
    }

    /** {@code sha256:<hex>} of the canonical facts line {@code family=gpt2;layers=12;d_model=768;...}. */
    public static String fingerprint(ModelInfo info) {
        return fingerprint(facts(info));
    }

    private static String fingerprint(Map<String, Object> facts) {
        StringBuilder sb = new StringBuilder();
        facts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ";").append(k).append('=').append(v));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkArchitecture(JsonNode saved, ModelInfo info, String where) {
        if (saved == null || !saved.isObject()) throw new IllegalArgumentException(where + ": the model architecture is missing");
        Map<String, Object> have = facts(info);
        Map<String, Object> was = new LinkedHashMap<>();
        for (String k : have.keySet()) {
            JsonNode v = saved.get(k);
            if (v == null) throw new IllegalArgumentException(where + ": model." + k + " is missing");
            was.put(k, v.isIntegralNumber() ? (Object) v.asInt() : v.asText());
        }
        if (!fingerprint(was).equals(saved.path("fingerprint").asText())) {
            throw new IllegalArgumentException(where + ": model.fingerprint does not match the saved architecture facts (edited or corrupt file)");
        }
        List<String> savedDiff = new ArrayList<>();
        List<String> haveDiff = new ArrayList<>();
        for (String k : have.keySet()) {
            if (k.equals("family") || was.get(k).equals(have.get(k))) continue;
            savedDiff.add(k + " " + was.get(k));
            haveDiff.add(k + " " + have.get(k));
        }
        if (savedDiff.isEmpty() && was.get("family").equals(have.get("family"))) return;
        throw new IllegalArgumentException("interventions in " + where + " were saved for " + was.get("family")
                + (savedDiff.isEmpty() ? "" : " with " + String.join(", ", savedDiff)) + ", this model is " + have.get("family")
                + (haveDiff.isEmpty() ? "" : " with " + String.join(", ", haveDiff)));
    }
}
