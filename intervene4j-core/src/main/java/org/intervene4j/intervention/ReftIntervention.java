package org.intervene4j.intervention;

import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * What the six ReFT types share around their parts ({@link ReftParams}): the bias accessor,
 * the type name and the saved parameters and config. Each subclass adds its own accessors,
 * factories and {@link #apply}.
 */
abstract class ReftIntervention implements Intervention {
    final ReftParams p;

    ReftIntervention(ReftParams p) {
        this.p = p;
    }

    /** The learned bias b [r]. */
    public Tensor bias() {
        return p.bias;
    }

    @Override
    public String type() {
        return p.type;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return p.parameters();
    }

    @Override
    public Map<String, Object> config() {
        return p.config();
    }
}
