package org.intervene4j.cli.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.intervene4j.cli.UserError;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.intervention.Fired;
import org.intervene4j.intervention.IntervenableModel;
import org.intervene4j.intervention.InterventionIO;
import org.intervene4j.intervention.InterventionSpec;
import org.intervene4j.intervention.SpecJson;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code intervene4j intervene}: the logits of a base input under the interventions of a JSON
 * spec (docs/intervene-spec.md), with a report of where each one fired. Every mistake in the
 * spec is one line naming the field ({@code interventions[2].heads: head 7 is out of range
 * (the site has 4 heads)}); nothing is written then.
 */
@Command(name = "intervene", mixinStandardHelpOptions = true,
        description = "Run a base input under interventions from a JSON spec (docs/intervene-spec.md); write "
                + "{\"ids\", \"logits\": [[...vocab...] per base position], \"fired\": [...], \"collected\": {...}}.")
public final class InterveneCommand implements Callable<Integer> {
    @Mixin
    ModelInput model;

    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "The intervention spec (JSON).")
    Path spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSON file.")
    Path out;

    private Tokenizer tokenizer;

    @Override
    public Integer call() {
        JsonNode root = readSpec(spec);
        CausalLM lm = model.load();
        try {
            JsonNode loadNode = root.get("load");
            SpecJson.onlyKnownFields(root, "", "base", "sources", "interventions", "load");
            int[] baseIds = input(root.get("base"), "base", lm);
            List<TokenBatch> sources = new ArrayList<>();
            int[] sourceLengths;
            JsonNode srcNodes = root.get("sources");
            if (srcNodes != null && !srcNodes.isNull() && !srcNodes.isArray()) throw new UserError("sources: expected an array of inputs");
            int nSources = srcNodes == null || srcNodes.isNull() ? 0 : srcNodes.size();
            sourceLengths = new int[nSources];
            for (int i = 0; i < nSources; i++) {
                int[] ids = input(srcNodes.get(i), "sources[" + i + "]", lm);
                sources.add(TokenBatch.of(ids));
                sourceLengths[i] = ids.length;
            }
            List<InterventionSpec> specs = new ArrayList<>();
            JsonNode ivs = root.get("interventions");
            if (ivs != null && !ivs.isNull() && !ivs.isArray()) throw new UserError("interventions: expected an array");
            for (int k = 0; ivs != null && k < ivs.size(); k++) {
                String field = "interventions[" + k + "]";
                InterventionSpec s = SpecJson.readEntry(ivs.get(k), field, lm.info(), nSources);
                SpecJson.checkPositions(s, field, baseIds.length, sourceLengths);
                specs.add(s);
            }
            if (loadNode != null && !loadNode.isNull()) {
                if (!loadNode.isTextual()) throw new UserError("load: expected a directory name");
                Path dir = resolve(loadNode.asText());
                List<InterventionSpec> loaded;
                try {
                    loaded = InterventionIO.loadSpecs(dir, lm.info());
                } catch (IllegalArgumentException e) {
                    throw new UserError("load: " + e.getMessage(), e);
                }
                for (int k = 0; k < loaded.size(); k++) {
                    InterventionSpec s = loaded.get(k);
                    String field = "load: specs[" + k + "]";
                    if (s.source() >= nSources && s.intervention().needsSource()) {
                        throw new UserError(field + ".source: source " + s.source() + " does not exist (the spec has " + nSources + ")");
                    }
                    SpecJson.checkPositions(s, field, baseIds.length, sourceLengths);
                    specs.add(s);
                }
            }
            Map<String, Object> json = new LinkedHashMap<>();
            try (GradMode off = GradMode.off()) {
                IntervenableModel.Result r = new IntervenableModel(lm, specs).run(TokenBatch.of(baseIds), sources);
                json.put("ids", baseIds);
                json.put("logits", rows(r.logits().select(0, 0)));
                List<Map<String, Object>> fired = new ArrayList<>();
                for (Fired f : r.fired()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("intervention", f.spec());
                    e.put("type", specs.get(f.spec()).intervention().type());
                    e.put("site", f.site());
                    e.put("position", f.position());
                    if (f.head() >= 0) e.put("head", f.head());
                    fired.add(e);
                }
                json.put("fired", fired);
                Map<String, Object> collected = new LinkedHashMap<>();
                for (var e : new java.util.TreeMap<>(r.collected()).entrySet()) collected.put(Integer.toString(e.getKey()), rows(e.getValue()));
                if (!collected.isEmpty()) json.put("collected", collected);
            }
            JsonFiles.write(out, json);
            return 0;
        } finally {
            if (tokenizer != null) tokenizer.close();
        }
    }

    /** Parses the spec file; a syntax error names the line and column. */
    static JsonNode readSpec(Path file) {
        if (!Files.isRegularFile(file)) throw new UserError("--spec " + file + ": no such file");
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject()) throw new UserError("--spec " + file + ": expected a JSON object at the top level");
            return root;
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new UserError("--spec " + file + ": not valid JSON at line " + (loc == null ? "?" : loc.getLineNr()) + ", column "
                    + (loc == null ? "?" : loc.getColumnNr()) + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new UserError("--spec " + file + ": cannot read: " + e.getMessage());
        }
    }

    /** Token ids of an input object: {"ids": [...]} or {"prompt": "..."}. */
    private int[] input(JsonNode node, String field, CausalLM lm) {
        if (node == null || node.isNull()) throw new UserError(field + ": missing (give {\"ids\": [...]} or {\"prompt\": \"...\"})");
        if (!node.isObject()) throw new UserError(field + ": expected {\"ids\": [...]} or {\"prompt\": \"...\"}");
        SpecJson.onlyKnownFields(node, field, "ids", "prompt");
        JsonNode ids = node.get("ids");
        JsonNode prompt = node.get("prompt");
        if ((ids == null) == (prompt == null)) throw new UserError(field + ": give exactly one of \"ids\" and \"prompt\"");
        int[] out;
        if (ids != null) {
            out = SpecJson.intsOf(ids, field + ".ids");
            if (out == null) throw new UserError(field + ".ids: expected an array of token ids");
            int vocab = lm.info().vocab();
            for (int i = 0; i < out.length; i++) {
                if (out[i] < 0 || out[i] >= vocab) {
                    throw new UserError(field + ".ids[" + i + "]: token id " + out[i] + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
        } else {
            if (!prompt.isTextual()) throw new UserError(field + ".prompt: expected a string");
            if (tokenizer == null) {
                try {
                    tokenizer = model.tokenizer();
                } catch (RuntimeException e) {
                    throw new UserError(field + ".prompt: " + e.getMessage(), e);
                }
            }
            out = tokenizer.encode(prompt.asText());
        }
        if (out.length == 0) throw new UserError(field + ": the input has no tokens");
        if (out.length > lm.info().maxPositions()) {
            throw new UserError(field + ": " + out.length + " tokens, but the model supports " + lm.info().maxPositions() + " positions");
        }
        return out;
    }

    /** A directory named in the spec: relative to the spec file's directory. */
    private Path resolve(String name) {
        Path p = Path.of(name);
        if (p.isAbsolute()) return p;
        Path parent = spec.toAbsolutePath().getParent();
        return parent == null ? p : parent.resolve(p);
    }

    private static float[][] rows(Tensor t) { // [n, w]
        float[][] out = new float[t.size(0)][];
        for (int i = 0; i < out.length; i++) out[i] = t.select(0, i).toFloatArray();
        return out;
    }
}
