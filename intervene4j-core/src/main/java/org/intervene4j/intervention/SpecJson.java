package org.intervene4j.intervention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;

/**
 * The JSON form of where an intervention sits (shared by saved interventions and the CLI's
 * spec files, see docs/intervene-spec.md): {@code site}, {@code source_site}, {@code unit},
 * {@code source}, {@code base_positions}, {@code source_positions}, {@code heads},
 * {@code subspace}. Reading checks every field against the model and names the field at fault
 * ({@code interventions[2].heads: head 7 is out of range (the site has 4 heads)}).
 */
public final class SpecJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private SpecJson() {}

    /** Where an intervention sits, read and checked; {@link #toSpec} adds the intervention. */
    public record Placement(Site site, Site sourceSite, int source, Positions basePositions, Positions sourcePositions,
                            int[] heads, int[] subspace) {
        public InterventionSpec toSpec(Intervention intervention) {
            return new InterventionSpec(site, sourceSite, intervention, source, basePositions, sourcePositions, heads, subspace);
        }
    }

    /** The fields an intervention entry of a spec file may have. */
    public static final String[] ENTRY_FIELDS = {"site", "type", "source", "source_site", "unit", "base_positions",
            "source_positions", "heads", "subspace", "vector", "config", "parameters"};

    /**
     * A whole intervention entry of a spec file: the placement fields plus {@code type}, and
     * for the type's factory ({@link InterventionTypes}) an optional {@code config} object and
     * {@code parameters} (name to nested number arrays); {@code vector} is short for the
     * {@code vector} parameter of addition / subtraction. Unknown fields are errors.
     */
    public static InterventionSpec readEntry(JsonNode node, String field, ModelInfo info, int sources) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException(field + ": expected an object");
        onlyKnownFields(node, field, ENTRY_FIELDS);
        JsonNode typeNode = node.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new IllegalArgumentException(field + ".type: missing (one of " + String.join(", ", InterventionTypes.names()) + ")");
        }
        String type = typeNode.asText();
        if (!InterventionTypes.known(type)) {
            throw new IllegalArgumentException(field + ".type: unknown type '" + type + "' (known: "
                    + String.join(", ", InterventionTypes.names()) + ")");
        }
        Placement p = read(node, field, info, sources);
        Map<String, Tensor> params = new LinkedHashMap<>();
        JsonNode pn = node.get("parameters");
        if (pn != null && !pn.isNull()) {
            if (!pn.isObject()) throw new IllegalArgumentException(field + ".parameters: expected an object of name: array");
            pn.fields().forEachRemaining(e -> params.put(e.getKey(), tensorOf(e.getValue(), field + ".parameters." + e.getKey())));
        }
        JsonNode vec = node.get("vector");
        if (vec != null && !vec.isNull()) {
            if (!type.equals("addition") && !type.equals("subtraction")) {
                throw new IllegalArgumentException(field + ".vector: only addition and subtraction take a vector (this is '" + type + "')");
            }
            Tensor v = tensorOf(vec, field + ".vector");
            int w = width(p.site(), info);
            boolean fits = v.dim() == 1 && (v.numel() == w || p.subspace() != null && v.numel() == p.subspace().length);
            if (!fits) {
                throw new IllegalArgumentException(field + ".vector: " + v.numel() + " values, but the rows of " + p.site()
                        + " have width " + w + (p.subspace() == null ? "" : " and the subspace has " + p.subspace().length + " dims"));
            }
            params.put("vector", v);
        }
        Intervention iv;
        try {
            iv = InterventionTypes.create(type, plain(node.get("config"), field + ".config"), params);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
        if (iv.needsSource() && p.source() < 0) {
            throw new IllegalArgumentException(field + ".source: '" + type + "' reads a source; give \"source\": <index into sources>");
        }
        if (iv.needsSource()) {
            int nb = p.basePositions().shared() != null ? p.basePositions().shared().length : -1;
            int ns = p.sourcePositions().shared() != null ? p.sourcePositions().shared().length : -1;
            if (nb >= 0 && ns >= 0 && nb != ns) {
                throw new IllegalArgumentException(field + ".source_positions: " + ns + " positions for " + nb
                        + " base positions (they pair up one to one)");
            }
        }
        try {
            return p.toSpec(iv);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** The placement fields of {@code s} (type and intervention reference are the caller's). */
    public static ObjectNode write(InterventionSpec s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("site", s.site().name());
        o.put("source_site", s.sourceSite().name());
        o.put("unit", unitOf(s).key);
        if (s.source() >= 0) o.put("source", s.source());
        else o.putNull("source");
        o.set("base_positions", positions(s.basePositions()));
        o.set("source_positions", positions(s.sourcePositions()));
        o.set("heads", ints(s.heads()));
        o.set("subspace", ints(s.subspace()));
        return o;
    }

    /** {@code h} for every head at every position, {@code h.pos} for heads at chosen positions, else {@code pos}. */
    public static Unit unitOf(InterventionSpec s) {
        if (!s.site().heads()) return Unit.POS;
        return s.basePositions().shared() == null && s.basePositions().perExampleLists() == null ? Unit.HEAD : Unit.HEAD_POS;
    }

    /**
     * Reads the placement fields of {@code node}; {@code field} prefixes every error
     * ({@code "interventions[2]"}). {@code sources} is how many source inputs exist (-1: not known).
     */
    public static Placement read(JsonNode node, String field, ModelInfo info, int sources) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException(field + ": expected an object");
        Site site = site(node.get("site"), field + ".site", info, true);
        JsonNode ss = node.get("source_site");
        Site sourceSite = ss == null || ss.isNull() ? site : site(ss, field + ".source_site", info, true);
        if (sourceSite.heads() != site.heads()) {
            throw new IllegalArgumentException(field + ".source_site: " + sourceSite + " must cut rows like " + site
                    + " (both per head or neither)");
        }
        int source = -1;
        JsonNode src = node.get("source");
        if (src != null && !src.isNull()) {
            if (!src.isIntegralNumber()) throw new IllegalArgumentException(field + ".source: expected an integer source index");
            source = src.asInt();
            if (source < 0) throw new IllegalArgumentException(field + ".source: " + source + " is negative");
            if (sources >= 0 && source >= sources) {
                throw new IllegalArgumentException(field + ".source: source " + source + " does not exist (the spec has "
                        + sources + " source" + (sources == 1 ? "" : "s") + ")");
            }
        }
        Positions base = positionsOf(node.get("base_positions"), field + ".base_positions");
        JsonNode sp = node.get("source_positions");
        Positions sourcePositions = sp == null ? base : positionsOf(sp, field + ".source_positions");
        int[] heads = intsOf(node.get("heads"), field + ".heads");
        if (heads != null) {
            if (!site.heads()) {
                throw new IllegalArgumentException(field + ".heads: " + site + " is not per head (use blocks." + site.layer()
                        + ".head_" + site.component().key + ")");
            }
            int n = headCount(site, info);
            for (int h : heads) {
                if (h < 0 || h >= n) {
                    throw new IllegalArgumentException(field + ".heads: head " + h + " is out of range (the site has " + n + " heads)");
                }
            }
        }
        int[] subspace = intsOf(node.get("subspace"), field + ".subspace");
        if (subspace != null) {
            int w = width(site, info);
            for (int d : subspace) {
                if (d < 0 || d >= w) {
                    throw new IllegalArgumentException(field + ".subspace: index " + d + " is beyond the width of " + site
                            + " (" + w + (site.heads() ? " per head" : "") + ")");
                }
            }
        }
        JsonNode unit = node.get("unit");
        if (unit != null && !unit.isNull()) {
            Unit u;
            try {
                u = Unit.byKey(unit.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ".unit: " + e.getMessage());
            }
            if ((u == Unit.POS) == site.heads()) {
                throw new IllegalArgumentException(field + ".unit: '" + u.key + "' does not fit " + site
                        + (site.heads() ? " (per-head sites use h or h.pos)" : " (use pos, or a head_ site for h / h.pos)"));
            }
        }
        return new Placement(site, sourceSite, source, base, sourcePositions, heads, subspace);
    }

    /** Parses and range-checks a site name. */
    public static Site site(JsonNode node, String field, ModelInfo info, boolean forWriting) {
        if (node == null || node.isNull()) throw new IllegalArgumentException(field + ": missing");
        if (!node.isTextual()) throw new IllegalArgumentException(field + ": expected a site name string");
        Site site;
        try {
            site = Site.parse(node.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
        if (site.component().perLayer && site.layer() >= info.layers()) {
            throw new IllegalArgumentException(field + ": layer " + site.layer() + " is out of range (the model has " + info.layers()
                    + " layers)");
        }
        if (forWriting && site.component() == Component.ATTENTION_WEIGHTS) {
            throw new IllegalArgumentException(field + ": " + site + " is an attention pattern; patch query/key/value or head outputs instead");
        }
        return site;
    }

    /** Heads of a per-head site (kv heads for keys and values). */
    public static int headCount(Site site, ModelInfo info) {
        Component c = site.component();
        return c == Component.KEY_OUTPUT || c == Component.VALUE_OUTPUT ? info.kvHeads() : info.heads();
    }

    /** Width of one row the site's interventions see: head_dim for per-head sites, else the activation's last dim. */
    public static int width(Site site, ModelInfo info) {
        if (site.heads()) return info.headDim();
        return switch (site.component()) {
            case QUERY_OUTPUT, ATTENTION_VALUE_OUTPUT -> info.heads() * info.headDim();
            case KEY_OUTPUT, VALUE_OUTPUT -> info.kvHeads() * info.headDim();
            case MLP_ACTIVATION -> info.dFf();
            case LOGITS -> info.vocab();
            case ATTENTION_WEIGHTS -> throw new IllegalArgumentException(site + " has no row width");
            default -> info.dModel();
        };
    }

    /**
     * Checks a single-example spec's positions against the base length and, when it reads a
     * source, the source lengths ({@code sourceLengths[k]} tokens in source k).
     */
    public static void checkPositions(InterventionSpec s, String field, int baseLength, int[] sourceLengths) {
        checkPositions(s.basePositions(), field + ".base_positions", 0, baseLength, "the base");
        if (s.intervention().needsSource() && s.source() >= 0 && s.source() < sourceLengths.length) {
            checkPositions(s.sourcePositions(), field + (s.sourcePositions() == s.basePositions() ? ".base_positions" : ".source_positions"),
                    0, sourceLengths[s.source()], "source " + s.source());
            int nb = s.basePositions().forExample(0, baseLength).length;
            int ns = s.sourcePositions().forExample(0, sourceLengths[s.source()]).length;
            if (nb != ns) {
                throw new IllegalArgumentException(field + ".source_positions: " + ns + " source positions for " + nb
                        + " base positions (they pair up one to one; give source_positions when the lengths differ)");
            }
        }
    }

    /** Checks {@code positions} against an example of {@code length} tokens; {@code what} names it ("the base"). */
    public static void checkPositions(Positions positions, String field, int example, int length, String what) {
        if (positions.shared() == null && positions.perExampleLists() == null) return;
        int[] ps;
        try {
            ps = positions.forExample(example, length);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
        for (int p : ps) {
            if (p >= length || p < -length) {
                throw new IllegalArgumentException(field + ": position " + p + " is beyond " + what + ", which has " + length + " tokens");
            }
        }
    }

    static JsonNode positions(Positions p) {
        if (p.shared() != null) return ints(p.shared());
        if (p.perExampleLists() != null) {
            ArrayNode a = JSON.createArrayNode();
            for (int[] e : p.perExampleLists()) a.add(ints(e));
            return a;
        }
        return JSON.nullNode();
    }

    static JsonNode ints(int[] v) {
        if (v == null) return JSON.nullNode();
        ArrayNode a = JSON.createArrayNode();
        for (int x : v) a.add(x);
        return a;
    }

    /** null or absent: every position; [p, ...]: the same in every example; [[...], [...]]: per example. */
    static Positions positionsOf(JsonNode node, String field) {
        if (node == null || node.isNull()) return Positions.all();
        if (!node.isArray()) throw new IllegalArgumentException(field + ": expected an array of positions (or null for all)");
        if (node.size() > 0 && node.get(0).isArray()) {
            int[][] per = new int[node.size()][];
            for (int i = 0; i < per.length; i++) per[i] = intsOf(node.get(i), field + "[" + i + "]");
            return Positions.perExample(per);
        }
        return Positions.of(intsOf(node, field));
    }

    /** An int array, or null when the node is absent or null. */
    public static int[] intsOf(JsonNode node, String field) {
        if (node == null || node.isNull()) return null;
        if (!node.isArray()) throw new IllegalArgumentException(field + ": expected an array of integers");
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected an integer, got " + v);
            }
            out[i] = v.asInt();
        }
        return out;
    }

    /** A tensor from a (nested) JSON array of numbers; the shape follows the nesting. */
    public static Tensor tensorOf(JsonNode node, String field) {
        if (node == null || !node.isArray()) throw new IllegalArgumentException(field + ": expected an array of numbers");
        List<Integer> shape = new ArrayList<>();
        for (JsonNode n = node; n.isArray(); n = n.get(0)) {
            shape.add(n.size());
            if (n.size() == 0) break;
        }
        int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
        int total = 1;
        for (int d : dims) total *= d;
        if (total == 0) throw new IllegalArgumentException(field + ": empty array");
        float[] data = new float[total];
        int[] at = {0};
        fill(node, 0, dims, data, at, field);
        return Tensor.of(data, dims);
    }

    private static void fill(JsonNode node, int depth, int[] dims, float[] data, int[] at, String field) {
        if (depth == dims.length) {
            if (!node.isNumber()) throw new IllegalArgumentException(field + ": expected a number, got " + node);
            data[at[0]++] = (float) node.asDouble();
            return;
        }
        if (!node.isArray() || node.size() != dims[depth]) {
            throw new IllegalArgumentException(field + ": ragged array (expected " + dims[depth] + " entries at depth " + depth + ")");
        }
        for (int i = 0; i < dims[depth]; i++) fill(node.get(i), depth + 1, dims, data, at, field + "[" + i + "]");
    }

    /** A JSON object as plain Java values (maps, lists, numbers, strings, booleans, nulls). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> plain(JsonNode node, String field) {
        if (node == null || node.isNull()) return new LinkedHashMap<>();
        if (!node.isObject()) throw new IllegalArgumentException(field + ": expected an object");
        return JSON.convertValue(node, LinkedHashMap.class);
    }

    /** Fails on keys of {@code node} outside {@code known}, naming the key and the known ones. */
    public static void onlyKnownFields(JsonNode node, String field, String... known) {
        List<String> k = Arrays.asList(known);
        node.fieldNames().forEachRemaining(name -> {
            if (!k.contains(name)) {
                throw new IllegalArgumentException((field.isEmpty() ? "" : field + ".") + name + ": unknown field (known: "
                        + String.join(", ", known) + ")");
            }
        });
    }
}
