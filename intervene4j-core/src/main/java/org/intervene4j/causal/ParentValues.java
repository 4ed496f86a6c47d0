package org.intervene4j.causal;

import java.util.Map;
import java.util.Set;

/**
 * What a {@link Mechanism} sees: the values of its variable's parents, and only those (asking
 * for any other variable is an error, so a mechanism cannot silently read outside its parents).
 */
public final class ParentValues {
    private final String model;
    private final String variable;
    private final Set<String> parents;
    private final Map<String, Object> values; // every variable computed so far

    ParentValues(String model, String variable, Set<String> parents, Map<String, Object> values) {
        this.model = model;
        this.variable = variable;
        this.parents = parents;
        this.values = values;
    }

    /** The value of parent {@code name}. */
    public Object get(String name) {
        if (!parents.contains(name)) {
            throw new IllegalArgumentException("causal model '" + model + "': mechanism of '" + variable + "' reads '" + name
                    + "', which is not one of its parents");
        }
        return values.get(name);
    }

    /** The value of parent {@code name} as an int. */
    public int getInt(String name) {
        return (Integer) get(name);
    }

    /** The value of parent {@code name} as a boolean. */
    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }
}
