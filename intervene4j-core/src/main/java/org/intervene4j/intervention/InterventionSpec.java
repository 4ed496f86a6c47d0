package org.intervene4j.intervention;

import java.util.Arrays;
import org.intervene4j.site.Site;

/**
 * One intervention placed in a model: where (site, unit, positions, heads, subspace), with
 * which source (index into the sources of a run, or none), doing what ({@link Intervention}).
 * The same {@link Intervention} object may serve several specs: its parameters are shared.
 *
 * @param site            the base site; a per-head site ({@code blocks.L.head_*}) cuts rows per head
 * @param sourceSite      where source rows are read (usually the same site)
 * @param source          index of the source input feeding this intervention, or -1
 * @param basePositions   positions in the base examples
 * @param sourcePositions positions in the source examples (same count per example as the base)
 * @param heads           heads for per-head sites (null = all heads), ignored otherwise
 * @param subspace        dimensions the intervention acts on (null = all)
 */
public record InterventionSpec(Site site, Site sourceSite, Intervention intervention, int source,
                               Positions basePositions, Positions sourcePositions, int[] heads, int[] subspace) {
    public InterventionSpec {
        if (site == null) throw new IllegalArgumentException("intervention: site is missing");
        if (intervention == null) throw new IllegalArgumentException("intervention at " + site + ": no intervention given");
        if (sourceSite == null) sourceSite = site;
        if (sourceSite.heads() != site.heads()) {
            throw new IllegalArgumentException("intervention at " + site + ": source site " + sourceSite
                    + " must cut rows the same way (both per head or neither)");
        }
        if (basePositions == null) basePositions = Positions.all();
        if (sourcePositions == null) sourcePositions = basePositions;
        if (intervention.needsSource() && source < 0) {
            throw new IllegalArgumentException("intervention '" + intervention.type() + "' at " + site + " needs a source");
        }
        if (heads != null && !site.heads()) {
            throw new IllegalArgumentException("intervention at " + site + ": heads are given but the site is not per head (use blocks.L.head_"
                    + site.component().key + ")");
        }
    }

    /** A spec with positions shared by all examples. */
    public static InterventionSpec at(Site site, Intervention intervention, int source, int[] basePositions, int[] sourcePositions) {
        return new InterventionSpec(site, site, intervention, source, basePositions == null ? null : Positions.of(basePositions),
                sourcePositions == null ? null : Positions.of(sourcePositions), null, null);
    }

    /** The same spec acting only on {@code dims}. */
    public InterventionSpec withSubspace(int... dims) {
        return new InterventionSpec(site, sourceSite, intervention, source, basePositions, sourcePositions, heads, dims.clone());
    }

    /** The same spec on the given heads (per-head sites). */
    public InterventionSpec withHeads(int... h) {
        return new InterventionSpec(site, sourceSite, intervention, source, basePositions, sourcePositions, h.clone(), subspace);
    }

    @Override
    public String toString() {
        return intervention.type() + " at " + site + " positions " + basePositions
                + (heads == null ? "" : " heads " + Arrays.toString(heads))
                + (subspace == null ? "" : " subspace " + Arrays.toString(subspace))
                + (source >= 0 ? " from source " + source + " " + sourceSite + " positions " + sourcePositions : "");
    }
}
