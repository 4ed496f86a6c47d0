package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/**
 * Cosine and sine tables for {@link Rotary}: angle {@code position * invFreq[j]}. Computed in
 * double and rounded once to float, so long positions keep their precision. Frequency
 * scalings (llama3, linear, NTK) are applied to {@code invFreq} by the caller.
 */
public final class RotaryTables {
    private RotaryTables() {}

    /**
     * The standard rotary inverse frequencies {@code theta^(-2j / rot)} for
     * {@code j in [0, rot/2)}.
     *
     * @param rot   number of rotated dims per head (even, positive)
     * @param theta the base (10000 in GPT-NeoX, 500000 in Llama 3)
     */
    public static float[] inverseFrequencies(int rot, double theta) {
        if (rot <= 0 || rot % 2 != 0) {
            throw new IllegalArgumentException("rotary tables: rot must be a positive even number of dims, got " + rot);
        }
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException("rotary tables: theta must be positive and finite, got " + theta);
        }
        float[] inv = new float[rot / 2];
        for (int j = 0; j < inv.length; j++) inv[j] = (float) Math.pow(theta, -2.0 * j / rot);
        return inv;
    }

    /**
     * {cos, sin}, each {@code [batch, seq, invFreq.length]}, for per-example positions.
     *
     * @param positions {@code [batch][seq]} token positions (all rows the same length)
     * @param invFreq   {@code [rot/2]} inverse frequencies
     */
    public static Tensor[] tables(int[][] positions, float[] invFreq) {
        int batch = positions.length;
        int seq = batch == 0 ? 0 : positions[0].length;
        int half = invFreq.length;
        float[] cos = new float[batch * seq * half];
        float[] sin = new float[batch * seq * half];
        for (int b = 0; b < batch; b++) {
            if (positions[b].length != seq) {
                throw new IllegalArgumentException("rotary tables: positions row " + b + " has " + positions[b].length
                        + " entries, row 0 has " + seq);
            }
            for (int s = 0; s < seq; s++) {
                int at = (b * seq + s) * half;
                for (int j = 0; j < half; j++) {
                    double angle = (double) positions[b][s] * invFreq[j];
                    cos[at + j] = (float) Math.cos(angle);
                    sin[at + j] = (float) Math.sin(angle);
                }
            }
        }
        return new Tensor[] {Tensor.of(cos, batch, seq, half), Tensor.of(sin, batch, seq, half)};
    }
}
