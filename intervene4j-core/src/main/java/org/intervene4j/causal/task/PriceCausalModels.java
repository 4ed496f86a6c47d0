package org.intervene4j.causal.task;

import java.util.Map;
import org.intervene4j.causal.CausalModel;
import org.intervene4j.causal.ValueSet;

/**
 * The price-tagging causal models (methods.md §3). All take the inputs {@code lo}, {@code hi},
 * {@code amount} (cents) and give the same factual output, {@code lo <= amount <= hi}; they
 * differ in the intermediate variable a neural alignment can be tested against:
 * <ul>
 *   <li>{@link #task()}: {@code left = amount >= lo}, {@code right = amount <= hi},
 *       {@code output = left AND right} (the paper's model);</li>
 *   <li>{@link #midpoint()}: {@code midpoint_distance = |2 amount - (lo + hi)|} (twice the
 *       distance to the middle, so exact in integers), {@code output = midpoint_distance <= hi - lo};</li>
 *   <li>{@link #bracket()}: {@code bracket = (lo, hi)} as one value, {@code output = lo <= amount <= hi}
 *       read from the bracket.</li>
 * </ul>
 *
 * <pre>{@code
 * CausalModel m = PriceCausalModels.task();
 * m.run(PriceCausalModels.inputs(new PriceInput(200, 600, 450))).get("output");   // true
 * }</pre>
 */
public final class PriceCausalModels {
    public static final String LO = "lo";
    public static final String HI = "hi";
    public static final String AMOUNT = "amount";
    public static final String LEFT = "left";
    public static final String RIGHT = "right";
    public static final String MIDPOINT_DISTANCE = "midpoint_distance";
    public static final String BRACKET = "bracket";
    public static final String OUTPUT = "output";

    private static final CausalModel TASK = buildTask();
    private static final CausalModel MIDPOINT = buildMidpoint();
    private static final CausalModel BRACKET_MODEL = buildBracket();

    private PriceCausalModels() {}

    /** The input variables of {@code in}: lo, hi, amount in cents. */
    public static Map<String, Object> inputs(PriceInput in) {
        return Map.of(LO, in.lo(), HI, in.hi(), AMOUNT, in.amount());
    }

    /** left = amount >= lo, right = amount <= hi, output = left AND right. */
    public static CausalModel task() {
        return TASK;
    }

    /** midpoint_distance = |2 amount - (lo + hi)|, output = midpoint_distance <= hi - lo. */
    public static CausalModel midpoint() {
        return MIDPOINT;
    }

    /** bracket = (lo, hi), output = lo <= amount <= hi. */
    public static CausalModel bracket() {
        return BRACKET_MODEL;
    }

    private static CausalModel.Builder withInputs(String name) {
        return CausalModel.builder(name)
                .input(LO, ValueSet.intRange(PriceInput.MIN_BOUND, PriceInput.MAX_BOUND - PriceInput.MIN_WIDTH))
                .input(HI, ValueSet.intRange(PriceInput.MIN_BOUND + PriceInput.MIN_WIDTH, PriceInput.MAX_BOUND))
                .input(AMOUNT, ValueSet.intRange(PriceInput.MIN_AMOUNT, PriceInput.MAX_AMOUNT));
    }

    private static CausalModel buildTask() {
        return withInputs("price tagging (left, right)")
                .variable(LEFT, ValueSet.booleans(), p -> p.getInt(AMOUNT) >= p.getInt(LO), AMOUNT, LO)
                .variable(RIGHT, ValueSet.booleans(), p -> p.getInt(AMOUNT) <= p.getInt(HI), AMOUNT, HI)
                .variable(OUTPUT, ValueSet.booleans(), p -> p.getBoolean(LEFT) && p.getBoolean(RIGHT), LEFT, RIGHT)
                .output(OUTPUT)
                .build();
    }

    private static CausalModel buildMidpoint() {
        // |2a - (lo + hi)| <= 2 * 999: the largest doubled distance any task input can give
        return withInputs("price tagging (midpoint)")
                .variable(MIDPOINT_DISTANCE, ValueSet.intRange(0, 2 * PriceInput.MAX_AMOUNT),
                        p -> Math.abs(2 * p.getInt(AMOUNT) - (p.getInt(LO) + p.getInt(HI))), AMOUNT, LO, HI)
                .variable(OUTPUT, ValueSet.booleans(), p -> p.getInt(MIDPOINT_DISTANCE) <= p.getInt(HI) - p.getInt(LO),
                        MIDPOINT_DISTANCE, LO, HI)
                .output(OUTPUT)
                .build();
    }

    private static CausalModel buildBracket() {
        return withInputs("price tagging (bracket)")
                .variable(BRACKET, ValueSet.matching("task intervals [lo, hi] in cents", v -> v instanceof Bracket b && b.isTaskInterval()),
                        p -> new Bracket(p.getInt(LO), p.getInt(HI)), LO, HI)
                .variable(OUTPUT, ValueSet.booleans(), p -> ((Bracket) p.get(BRACKET)).contains(p.getInt(AMOUNT)), BRACKET, AMOUNT)
                .output(OUTPUT)
                .build();
    }
}
