package org.intervene4j.causal;

/**
 * How a non-input variable of a {@link CausalModel} is computed from its parents:
 * {@code p -> p.getInt("amount") >= p.getInt("lo")}. Must be a pure function of the parents'
 * values and return a value of the variable's {@link ValueSet}.
 */
@FunctionalInterface
public interface Mechanism {
    Object compute(ParentValues parents);
}
