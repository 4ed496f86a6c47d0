package org.intervene4j.site;

import java.util.function.Predicate;
import org.intervene4j.engine.Tensor;

/**
 * The site calls a forward pass makes: {@code x = sites.at(layer, Component.BLOCK_OUTPUT, x)}.
 * With no hook registered a call is one null check and returns its argument, so the forward
 * is bit-identical to a model without sites. Site objects are made once per model, not per call.
 */
public final class Sites {
    /** No hooks: the plain model. */
    public static final Sites NONE = new Sites(0, null, null);

    private final SiteHook hook;
    /** [layer][component ordinal]: the hook runs there; model-level sites in {@link #modelWatched}. */
    private final boolean[][] watched;
    private final boolean[] modelWatched;
    private final Site[][] perLayer; // [layer][component ordinal]
    private final Site[] modelLevel;
    /** The block in which the hooks end the forward, or -1 when it runs to the end ({@link #endingIn}). */
    private final int endLayer;

    private Sites(int layers, SiteHook hook, Predicate<Site> watches) {
        this.hook = hook;
        this.endLayer = -1;
        Component[] cs = Component.values();
        perLayer = new Site[layers][cs.length];
        modelLevel = new Site[cs.length];
        watched = new boolean[layers][cs.length];
        modelWatched = new boolean[cs.length];
        for (Component c : cs) {
            if (c.perLayer) {
                for (int l = 0; l < layers; l++) {
                    perLayer[l][c.ordinal()] = Site.of(l, c);
                    watched[l][c.ordinal()] = hook != null && (watches == null || watches.test(perLayer[l][c.ordinal()]));
                }
            } else {
                modelLevel[c.ordinal()] = Site.of(c);
                modelWatched[c.ordinal()] = hook != null && (watches == null || watches.test(modelLevel[c.ordinal()]));
            }
        }
    }

    private Sites(Sites sites, int endLayer) {
        this.hook = sites.hook;
        this.watched = sites.watched;
        this.modelWatched = sites.modelWatched;
        this.perLayer = sites.perLayer;
        this.modelLevel = sites.modelLevel;
        this.endLayer = endLayer;
    }

    /** Routes every site of a model with {@code layers} blocks through {@code hook}. */
    public static Sites with(int layers, SiteHook hook) {
        return hook == null ? NONE : new Sites(layers, hook, null);
    }

    /**
     * Routes only the sites {@code watches} accepts through {@code hook}; the forward passes the
     * others untouched and may compute them fused away (the attention weights, for one, are
     * never materialized when no hook watches them).
     */
    public static Sites with(int layers, SiteHook hook, Predicate<Site> watches) {
        return hook == null ? NONE : new Sites(layers, hook, watches);
    }

    /**
     * These hooks, declaring that they end the forward inside block {@code layer} (they throw
     * once they have read what they need, as a source run does). A batch that keeps logits at
     * selected positions then has that block keep only those rows right after its attention:
     * its hooks at later sites get {@code [batch, k, ...]} activations, the selected rows in
     * selection order, and the other rows' output projection and MLP are never computed. A
     * forward going on past the block is an error.
     */
    public Sites endingIn(int layer) {
        if (hook == null) throw new IllegalStateException("a forward without hooks cannot declare where its hooks end it");
        if (layer < 0 || layer >= perLayer.length) {
            throw new IllegalArgumentException("end layer " + layer + " is not a block of this model (0.." + (perLayer.length - 1) + ")");
        }
        return new Sites(this, layer);
    }

    /** The block in which the hooks end the forward ({@link #endingIn}), or -1 when it runs to the end. */
    public int endLayer() {
        return endLayer;
    }

    /** True when a hook is registered. */
    public boolean active() {
        return hook != null;
    }

    /** True when the hook runs at this per-layer site. */
    public boolean watches(int layer, Component c) {
        return hook != null && watched[layer][c.ordinal()];
    }

    /** The activation at a per-layer site, after the hook (if any) saw it. */
    public Tensor at(int layer, Component c, Tensor x) {
        if (hook == null || !watched[layer][c.ordinal()]) return x;
        return checked(hook.apply(perLayer[layer][c.ordinal()], x), x, perLayer[layer][c.ordinal()]);
    }

    /** The activation at a model-level site, after the hook (if any) saw it. */
    public Tensor at(Component c, Tensor x) {
        if (hook == null || !modelWatched[c.ordinal()]) return x;
        return checked(hook.apply(modelLevel[c.ordinal()], x), x, modelLevel[c.ordinal()]);
    }

    private static Tensor checked(Tensor out, Tensor in, Site site) {
        if (out == null || !java.util.Arrays.equals(out.shape(), in.shape())) {
            throw new IllegalStateException("hook at site '" + site + "' returned "
                    + (out == null ? "null" : "shape " + java.util.Arrays.toString(out.shape()))
                    + " for an activation of shape " + java.util.Arrays.toString(in.shape()));
        }
        return out;
    }
}
