package org.intervene4j.report;

import java.util.Map;

/**
 * The outcome of one Boundless DAS alignment search at one (hypothesis, layer, position):
 * a rotation and learned boundaries trained on {@code trainPairs} counterfactual pairs and
 * evaluated, with a hard mask, on {@code heldOutPairs} others.
 *
 * @param hypothesis       left, right, both, midpoint or bracket (see {@link Hypotheses})
 * @param layer            the layer of the intervened site (0-based)
 * @param position         the position as requested: negative counts from the end of the prompt (-1 = last token)
 * @param absolutePosition the token index it resolved to in the example prompt (equals {@code position} when that is not negative)
 * @param token            the token text at that position in the example prompt (may be blank, never null)
 * @param iia              held-out interchange intervention accuracy, 0..1
 * @param iiaPerVariable   held-out IIA per intervened variable ({@code both} → {left, right}; one entry otherwise), each 0..1
 * @param widths           learned boundary width per variable, in whole rotated dimensions (hard mask)
 * @param rotatedWidth     D, the width of the rotated space (the site's row width)
 * @param trainPairs       counterfactual pairs trained on
 * @param heldOutPairs     counterfactual pairs the IIA was measured on
 * @param steps            optimizer steps taken
 * @param seconds          wall-clock seconds of training plus evaluation
 * @param seed             the seed of this run
 */
public record CellResult(String hypothesis, int layer, int position, int absolutePosition, String token, double iia,
                         Map<String, Double> iiaPerVariable, Map<String, Integer> widths, int rotatedWidth,
                         int trainPairs, int heldOutPairs, int steps, double seconds, long seed) {
    public CellResult {
        Hypotheses.checkName(hypothesis, "hypothesis");
        Checks.atLeast(layer, 0, "layer");
        Checks.atLeast(absolutePosition, 0, "absolute_position");
        if (position >= 0 && absolutePosition != position) {
            throw new IllegalArgumentException("absolute_position: " + absolutePosition + " differs from position " + position
                    + " (only a negative position counts from the end)");
        }
        Checks.text(token, "token");
        Checks.fraction(iia, "iia");
        iiaPerVariable = Checks.orderedCopy(iiaPerVariable, "iia_per_variable");
        iiaPerVariable.forEach((v, x) -> Checks.fraction(x, "iia_per_variable." + v));
        Checks.atLeast(rotatedWidth, 1, "rotated_width");
        widths = Checks.orderedCopy(widths, "widths");
        long total = 0;
        for (Map.Entry<String, Integer> e : widths.entrySet()) {
            Checks.atLeast(e.getValue(), 0, "widths." + e.getKey());
            total += e.getValue();
        }
        if (total > rotatedWidth) {
            throw new IllegalArgumentException("widths: " + total + " dims in all, more than the rotated width " + rotatedWidth);
        }
        Checks.atLeast(trainPairs, 0, "train_pairs");
        Checks.atLeast(heldOutPairs, 0, "held_out_pairs");
        Checks.atLeast(steps, 0, "steps");
        Checks.seconds(seconds, "seconds");
    }

    /** Same hypothesis, layer, position and seed: one run of the search (a resumed search skips it). */
    public boolean sameRunAs(CellResult other) {
        return hypothesis.equals(other.hypothesis) && layer == other.layer && position == other.position && seed == other.seed;
    }

    /** Same hypothesis, layer and position (another seed of the same heatmap cell included). */
    public boolean sameCellAs(CellResult other) {
        return hypothesis.equals(other.hypothesis) && layer == other.layer && position == other.position;
    }
}
