package org.intervene4j.site;

import org.intervene4j.engine.Tensor;

/**
 * What runs at a site during a forward pass: it sees the activation and returns the one the
 * model continues with (the same tensor to only read it). Interventions are site hooks.
 */
@FunctionalInterface
public interface SiteHook {
    /**
     * @param site       where the forward pass is
     * @param activation the activation at that site (shape per {@link Component})
     * @return the activation to continue with; same shape
     */
    Tensor apply(Site site, Tensor activation);
}
