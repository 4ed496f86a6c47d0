package org.intervene4j.site;

import java.util.ArrayList;
import java.util.List;

/**
 * A named hook point: a component in a layer ({@code blocks.6.mlp_output}) or at model level
 * ({@code embeddings}, {@code final_norm}, {@code logits}). {@code heads} marks the per-head
 * view of a head-splittable component ({@code blocks.2.head_attention_value_output}), which is
 * the same activation seen as [batch, heads, seq, head_dim].
 *
 * @param layer block index, or -1 for model-level components
 */
public record Site(int layer, Component component, boolean heads) {
    public Site {
        if (component.perLayer && layer < 0) {
            throw new IllegalArgumentException("site '" + component.key + "' needs a layer (blocks.L." + component.key + ")");
        }
        if (!component.perLayer && layer != -1) {
            throw new IllegalArgumentException("site '" + component.key + "' is model-level and has no layer");
        }
        if (heads && !component.hasHeads) {
            throw new IllegalArgumentException("component '" + component.key + "' has no per-head view");
        }
    }

    /** A per-layer site. */
    public static Site of(int layer, Component component) {
        return new Site(layer, component, false);
    }

    /** A model-level site. */
    public static Site of(Component component) {
        return new Site(-1, component, false);
    }

    /** The per-head view of a head-splittable per-layer site. */
    public static Site heads(int layer, Component component) {
        return new Site(layer, component, true);
    }

    /** The same activation without the per-head view. */
    public Site whole() {
        return heads ? new Site(layer, component, false) : this;
    }

    /** The canonical string: {@code blocks.L.component}, {@code blocks.L.head_component} or {@code component}. */
    public String name() {
        String c = (heads ? "head_" : "") + component.key;
        return component.perLayer ? "blocks." + layer + "." + c : c;
    }

    @Override
    public String toString() {
        return name();
    }

    /**
     * Parses a canonical site name. Errors name the part at fault and list the valid
     * components; the layer range is checked by the model, which knows its depth.
     */
    public static Site parse(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("site name is empty");
        String[] parts = name.split("\\.", -1);
        if (parts.length == 1) {
            Component c = Component.byKey(parts[0]);
            if (c == null || c.perLayer) {
                throw new IllegalArgumentException("unknown site '" + name + "': model-level sites are "
                        + modelLevelKeys() + "; per-layer sites are written blocks.L.<component>");
            }
            return of(c);
        }
        if (parts.length != 3 || !parts[0].equals("blocks")) {
            throw new IllegalArgumentException("unknown site '" + name + "': expected blocks.L.<component> or one of " + modelLevelKeys());
        }
        int layer;
        try {
            layer = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("site '" + name + "': layer '" + parts[1] + "' is not an integer");
        }
        if (layer < 0) throw new IllegalArgumentException("site '" + name + "': layer " + layer + " is negative");
        boolean heads = parts[2].startsWith("head_");
        String key = heads ? parts[2].substring(5) : parts[2];
        Component c = Component.byKey(key);
        if (c == null || !c.perLayer) {
            throw new IllegalArgumentException("site '" + name + "': unknown component '" + parts[2] + "'; per-layer components are "
                    + perLayerKeys());
        }
        if (heads && !c.hasHeads) {
            throw new IllegalArgumentException("site '" + name + "': component '" + key + "' has no per-head view; head_ works with "
                    + headKeys());
        }
        return new Site(layer, c, heads);
    }

    private static List<String> modelLevelKeys() {
        List<String> out = new ArrayList<>();
        for (Component c : Component.values()) if (!c.perLayer) out.add(c.key);
        return out;
    }

    private static List<String> perLayerKeys() {
        List<String> out = new ArrayList<>();
        for (Component c : Component.values()) if (c.perLayer) out.add(c.key);
        return out;
    }

    private static List<String> headKeys() {
        List<String> out = new ArrayList<>();
        for (Component c : Component.values()) if (c.hasHeads) out.add("head_" + c.key);
        return out;
    }
}
