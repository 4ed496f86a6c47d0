package org.intervene4j.causal.search;

import org.intervene4j.model.CausalLM;
import org.intervene4j.site.Site;

/** Checks a site an alignment search can rotate, and gives its width. */
final class AlignmentSites {
    private AlignmentSites() {
    }

    /** The activation width at {@code site} (the rotated space's D). */
    static int width(CausalLM model, Site site) {
        int layers = model.info().layers();
        if (site.component().perLayer && (site.layer() < 0 || site.layer() >= layers)) {
            throw new IllegalArgumentException("layer " + site.layer() + " is out of range: the model has " + layers + " layers (0.."
                    + (layers - 1) + ")");
        }
        for (CausalLM.SiteShape s : model.sites()) {
            if (s.site().equals(site)) {
                int[] shape = s.shapePerToken();
                if (shape.length != 1) {
                    throw new IllegalArgumentException("site " + site + " has shape " + s.describe()
                            + "; an alignment search rotates a single vector per token (e.g. block_output)");
                }
                return shape[0];
            }
        }
        throw new IllegalArgumentException("site " + site + " does not exist in this model (see `intervene4j sites --model DIR`)");
    }

    /** Fails unless {@code position} (negative = from the end) lies inside every prompt of the pairs. */
    static void checkPosition(int position, EncodedPairs... pairs) {
        int shortest = Integer.MAX_VALUE;
        for (EncodedPairs p : pairs) shortest = Math.min(shortest, p.shortestPrompt());
        if (position >= shortest || position < -shortest) {
            throw new IllegalArgumentException("position " + position + " is outside the prompt (the shortest prompt has " + shortest
                    + " tokens: use 0.." + (shortest - 1) + " or -" + shortest + "..-1)");
        }
    }
}
