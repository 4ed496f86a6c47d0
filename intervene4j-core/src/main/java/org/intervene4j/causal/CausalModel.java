package org.intervene4j.causal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A high-level causal model: named variables, each with a finite {@link ValueSet}; input
 * variables (no parents) take their values from the input, every other variable is computed by
 * its {@link Mechanism} from its parents. One variable is the output. It runs on an input, under
 * interventions that fix any set of variables, and as an interchange intervention (variables
 * set to the values they take on a source input) — the high-level side of IIA.
 *
 * <pre>{@code
 * CausalModel m = CausalModel.builder("price")
 *         .input("lo", ValueSet.intRange(0, 1000))
 *         .input("hi", ValueSet.intRange(0, 1000))
 *         .input("amount", ValueSet.intRange(0, 1000))
 *         .variable("left", ValueSet.booleans(), p -> p.getInt("amount") >= p.getInt("lo"), "amount", "lo")
 *         .variable("right", ValueSet.booleans(), p -> p.getInt("amount") <= p.getInt("hi"), "amount", "hi")
 *         .variable("out", ValueSet.booleans(), p -> p.getBoolean("left") && p.getBoolean("right"), "left", "right")
 *         .output("out")
 *         .build();
 * Map<String, Object> base = Map.of("lo", 200, "hi", 600, "amount", 100);
 * Map<String, Object> source = Map.of("lo", 50, "hi", 600, "amount", 100);
 * m.run(base).get("out");                                            // false (100 < 200)
 * m.interchange(base, source, List.of("left")).get("out");           // true: left taken from the source
 * m.run(base, Map.of("right", false)).get("out");                    // false
 * }</pre>
 *
 * <p>Immutable and thread-safe when the mechanisms are. The topological order is computed once,
 * at {@link Builder#build()}.
 */
public final class CausalModel {
    private final String name;
    private final Map<String, Variable> variables; // in topological order
    private final List<String> order;
    private final List<String> inputs;
    private final String output;

    /** One variable: its values, its parents (empty for inputs) and its mechanism (null for inputs). */
    private record Variable(String name, ValueSet values, List<String> parents, Set<String> parentSet, Mechanism mechanism) {
        boolean isInput() {
            return mechanism == null;
        }
    }

    private CausalModel(String name, Map<String, Variable> variables, List<String> order, String output) {
        this.name = name;
        this.order = List.copyOf(order);
        Map<String, Variable> ordered = new LinkedHashMap<>();
        List<String> in = new ArrayList<>();
        for (String v : order) {
            ordered.put(v, variables.get(v));
            if (variables.get(v).isInput()) in.add(v);
        }
        this.variables = Collections.unmodifiableMap(ordered);
        this.inputs = List.copyOf(in);
        this.output = output;
    }

    /** Starts a model called {@code name} (the name appears in every error message). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Runs the model on {@code inputs} (a value for every input variable).
     *
     * @return every variable's value, in topological order (unmodifiable)
     */
    public Map<String, Object> run(Map<String, ?> inputs) {
        return run(inputs, Map.of());
    }

    /**
     * Runs the model with the variables in {@code fixed} held at the given values: a fixed
     * variable keeps its value, its descendants are recomputed from it. A fixed input variable
     * needs no value in {@code inputs}.
     *
     * @return every variable's value, in topological order (unmodifiable)
     */
    public Map<String, Object> run(Map<String, ?> inputs, Map<String, ?> fixed) {
        for (String key : inputs.keySet()) {
            Variable v = variables.get(key);
            if (v == null || !v.isInput()) {
                throw new IllegalArgumentException(where() + "'" + key + "' is not an input variable (inputs: " + this.inputs + ")");
            }
        }
        for (Map.Entry<String, ?> e : fixed.entrySet()) {
            Variable v = variables.get(e.getKey());
            if (v == null) {
                throw new IllegalArgumentException(where() + "intervention on unknown variable '" + e.getKey() + "' (variables: " + order + ")");
            }
            checkValue(v, e.getValue(), "intervention sets");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Variable v : variables.values()) {
            Object value;
            if (fixed.containsKey(v.name)) {
                value = fixed.get(v.name);
            } else if (v.isInput()) {
                value = inputs.get(v.name);
                if (value == null) throw new IllegalArgumentException(where() + "missing input '" + v.name + "' (inputs: " + this.inputs + ")");
                checkValue(v, value, "input gives");
            } else {
                value = v.mechanism.compute(new ParentValues(name, v.name, v.parentSet, values));
                checkValue(v, value, "mechanism returned");
            }
            values.put(v.name, value);
        }
        return Collections.unmodifiableMap(values);
    }

    /**
     * Interchange intervention: runs {@code base} with each of {@code intervened} set to the
     * value it takes when the model runs on {@code source}.
     */
    public Map<String, Object> interchange(Map<String, ?> base, Map<String, ?> source, Collection<String> intervened) {
        Map<String, Object> sourceRun = run(source);
        Map<String, Object> fixed = new LinkedHashMap<>();
        for (String v : intervened) {
            if (!variables.containsKey(v)) {
                throw new IllegalArgumentException(where() + "intervention on unknown variable '" + v + "' (variables: " + order + ")");
            }
            fixed.put(v, sourceRun.get(v));
        }
        return run(base, fixed);
    }

    /** The output variable's value on {@code inputs}. */
    public Object predict(Map<String, ?> inputs) {
        return run(inputs).get(output);
    }

    /** The model's name. */
    public String name() {
        return name;
    }

    /** The output variable's name. */
    public String output() {
        return output;
    }

    /** Every variable, in topological order (parents before children; ties in declaration order). */
    public List<String> variables() {
        return order;
    }

    /** The input variables, in topological order. */
    public List<String> inputs() {
        return inputs;
    }

    /** The parents of {@code variable}, as declared (empty for an input). */
    public List<String> parents(String variable) {
        return variable(variable).parents;
    }

    /** The value set of {@code variable}. */
    public ValueSet values(String variable) {
        return variable(variable).values;
    }

    private Variable variable(String v) {
        Variable out = variables.get(v);
        if (out == null) throw new IllegalArgumentException(where() + "unknown variable '" + v + "' (variables: " + order + ")");
        return out;
    }

    private void checkValue(Variable v, Object value, String what) {
        if (!v.values.contains(value)) {
            throw new IllegalArgumentException(where() + what + " " + value + " for '" + v.name + "', outside its values " + v.values);
        }
    }

    private String where() {
        return "causal model '" + name + "': ";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CausalModel '" + name + "' [");
        for (Variable v : variables.values()) {
            sb.append(v.name);
            if (!v.isInput()) sb.append(" <- ").append(v.parents);
            sb.append("; ");
        }
        return sb.append("output ").append(output).append(']').toString();
    }

    /** Declares variables in any order (parents may be declared after their children); {@link #build()} checks the graph. */
    public static final class Builder {
        private final String name;
        private final Map<String, Variable> variables = new LinkedHashMap<>();
        private String output;

        private Builder(String name) {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("causal model: name must not be blank");
            this.name = name;
        }

        /** An input variable: no parents, its value comes from the input. */
        public Builder input(String variable, ValueSet values) {
            return add(new Variable(variable, values, List.of(), Set.of(), null));
        }

        /** A computed variable with at least one parent. */
        public Builder variable(String variable, ValueSet values, Mechanism mechanism, String... parents) {
            if (mechanism == null) throw new IllegalArgumentException(where() + "variable '" + variable + "' needs a mechanism");
            if (parents.length == 0) {
                throw new IllegalArgumentException(where() + "variable '" + variable + "' has no parents (declare it with input(...))");
            }
            Set<String> set = new LinkedHashSet<>(List.of(parents));
            if (set.size() != parents.length) {
                throw new IllegalArgumentException(where() + "variable '" + variable + "' lists a parent twice: " + List.of(parents));
            }
            return add(new Variable(variable, values, List.of(parents), Set.copyOf(set), mechanism));
        }

        /** Names the output variable. */
        public Builder output(String variable) {
            this.output = variable;
            return this;
        }

        private Builder add(Variable v) {
            if (v.name == null || v.name.isBlank()) throw new IllegalArgumentException(where() + "variable names must not be blank");
            if (v.values == null) throw new IllegalArgumentException(where() + "variable '" + v.name + "' needs a value set");
            if (variables.putIfAbsent(v.name, v) != null) {
                throw new IllegalArgumentException(where() + "variable '" + v.name + "' is declared twice");
            }
            return this;
        }

        /** Checks parents (all defined, no cycle) and the output, and computes the topological order. */
        public CausalModel build() {
            for (Variable v : variables.values()) {
                for (String p : v.parents) {
                    if (!variables.containsKey(p)) {
                        throw new IllegalArgumentException(where() + "variable '" + v.name + "' has undefined parent '" + p + "'");
                    }
                }
            }
            if (output == null) throw new IllegalArgumentException(where() + "no output variable named (call output(...))");
            if (!variables.containsKey(output)) {
                throw new IllegalArgumentException(where() + "output '" + output + "' is not a variable (variables: " + variables.keySet() + ")");
            }
            return new CausalModel(name, variables, topologicalOrder(), output);
        }

        /** Depth-first post-order; a variable met again while on the stack closes a cycle, reported as a path. */
        private List<String> topologicalOrder() {
            List<String> order = new ArrayList<>();
            Set<String> done = new LinkedHashSet<>();
            List<String> stack = new ArrayList<>();
            for (String v : variables.keySet()) visit(v, done, stack, order);
            return order;
        }

        private void visit(String v, Set<String> done, List<String> stack, List<String> order) {
            if (done.contains(v)) return;
            int at = stack.indexOf(v);
            if (at >= 0) {
                List<String> cycle = new ArrayList<>(stack.subList(at, stack.size())); // each one's parent is the next
                cycle.add(v);
                Collections.reverse(cycle);
                throw new IllegalArgumentException(where() + "cycle " + String.join(" -> ", cycle) + " (arrows go from parent to child)");
            }
            stack.add(v);
            for (String p : variables.get(v).parents) visit(p, done, stack, order);
            stack.remove(stack.size() - 1);
            done.add(v);
            order.add(v);
        }

        private String where() {
            return "causal model '" + name + "': ";
        }
    }
}
