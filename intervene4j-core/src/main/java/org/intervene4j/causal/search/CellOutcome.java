package org.intervene4j.causal.search;

/**
 * What training one alignment cell gave.
 *
 * @param iia            interchange intervention accuracy on the held-out test pairs (hard mask)
 * @param iiaPerVariable the same, over the test pairs of each aligned variable
 * @param dims           rotated dims each variable owns under the hard mask (learned by
 *                       Boundless DAS; fixed for DAS)
 * @param rotatedWidth   D, the width of the rotated site
 * @param steps          optimizer steps taken
 * @param bestStep       the step whose parameters were kept (best dev IIA)
 * @param devIia         dev IIA of the kept parameters
 * @param seconds        wall-clock training and evaluation time
 */
public record CellOutcome(double iia, double[] iiaPerVariable, int[] dims, int rotatedWidth, long steps, long bestStep,
                          double devIia, double seconds) {
    public CellOutcome {
        iiaPerVariable = iiaPerVariable.clone();
        dims = dims.clone();
    }
}
