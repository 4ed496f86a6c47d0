package org.intervene4j.causal.task;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.intervene4j.causal.CausalModel;

/**
 * Which high-level variable(s) of price tagging a neural representation is aligned with: the
 * task's own {@code left} / {@code right} boundaries (alone or both), or one of the paper's
 * control hypotheses, {@code midpoint} and {@code bracket}, which should align worse.
 *
 * <pre>{@code
 * PriceHypothesis h = PriceHypothesis.parse("both");
 * h.variables();      // [left, right]: variable index 0 = left, 1 = right
 * h.causalModel();    // PriceCausalModels.task()
 * }</pre>
 */
public enum PriceHypothesis {
    LEFT("left", PriceCausalModels.task(), PriceCausalModels.LEFT),
    RIGHT("right", PriceCausalModels.task(), PriceCausalModels.RIGHT),
    BOTH("both", PriceCausalModels.task(), PriceCausalModels.LEFT, PriceCausalModels.RIGHT),
    MIDPOINT("midpoint", PriceCausalModels.midpoint(), PriceCausalModels.MIDPOINT_DISTANCE),
    BRACKET("bracket", PriceCausalModels.bracket(), PriceCausalModels.BRACKET);

    private final String cliName;
    private final CausalModel model;
    private final List<String> variables;

    PriceHypothesis(String cliName, CausalModel model, String... variables) {
        this.cliName = cliName;
        this.model = model;
        this.variables = List.of(variables);
    }

    /** {@code left | right | both | midpoint | bracket}. */
    public String cliName() {
        return cliName;
    }

    /** The hypothesis named {@code name} (its {@link #cliName()}, case-insensitive). */
    public static PriceHypothesis parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (PriceHypothesis h : values()) if (h.cliName.equals(n)) return h;
        throw new IllegalArgumentException("price hypothesis: unknown '" + name + "', expected one of "
                + Arrays.stream(values()).map(PriceHypothesis::cliName).collect(Collectors.joining("|")));
    }

    /** The causal model whose variables this hypothesis aligns. */
    public CausalModel causalModel() {
        return model;
    }

    /** The aligned variables; a pair's variable index points into this list. */
    public List<String> variables() {
        return variables;
    }

    /** Number of aligned variables (2 for {@link #BOTH}, else 1). */
    public int variableCount() {
        return variables.size();
    }
}
