package org.intervene4j.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The hypotheses of the price-tagging alignment search and how the report presents them:
 * {@code left} and {@code right} (the two boundary checks of the causal model), {@code both}
 * (both at once, two subspaces), and the controls {@code midpoint} and {@code bracket}, which
 * describe the task differently and should align worse. Other names are accepted and shown
 * after the known ones.
 */
public final class Hypotheses {
    /** The known hypotheses in display order: variables first, then controls. */
    public static final List<String> KNOWN = List.of("left", "right", "both", "midpoint", "bracket");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private Hypotheses() {}

    /** Lower-case identifier ({@code [a-z][a-z0-9_]*}); {@code what} names the field in the error. */
    static String checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a hypothesis name (lower case, e.g. "
                    + String.join(", ", KNOWN) + ")");
        }
        return name;
    }

    /** True for the control hypotheses (midpoint, bracket). */
    public static boolean isControl(String hypothesis) {
        return hypothesis.equals("midpoint") || hypothesis.equals("bracket");
    }

    /** "variable" or "control". */
    public static String role(String hypothesis) {
        return isControl(hypothesis) ? "control" : "variable";
    }

    /** The variables a hypothesis intervenes on when no cell says otherwise ({@code both} → left, right). */
    public static List<String> defaultVariables(String hypothesis) {
        return hypothesis.equals("both") ? List.of("left", "right") : List.of(hypothesis);
    }

    /** One line on what the hypothesis claims, for the report. */
    public static String describe(String hypothesis) {
        return switch (hypothesis) {
            case "left" -> "Left = amount ≥ lower bound";
            case "right" -> "Right = amount ≤ upper bound";
            case "both" -> "Left and Right as two adjacent subspaces";
            case "midpoint" -> "control: |amount − midpoint| ≤ half-width";
            case "bracket" -> "control: the whole interval as one variable";
            default -> "";
        };
    }

    /** {@code names} in display order: the known ones in {@link #KNOWN} order, then the rest as given. */
    public static List<String> displayOrder(Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String k : KNOWN) if (names.contains(k)) out.add(k);
        for (String n : names) if (!out.contains(n)) out.add(n);
        return out;
    }
}
