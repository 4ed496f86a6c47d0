package org.intervene4j.engine.op;

import org.intervene4j.engine.Tensor;

/**
 * The bias half of every {@code linear} op (fp32, half-precision and prepacked weights): the
 * bias is written into the output first so the product can accumulate onto it (no extra pass),
 * and its gradient is the sum of the output gradient's rows.
 */
final class LinearBias {
    private LinearBias() {}

    /** Writes {@code bias [outF]} into each of the {@code rows} contiguous rows of {@code out}; nothing for a null bias. */
    static void fill(Tensor bias, float[] out, int rows, int outF) {
        if (bias == null || rows == 0) return;
        float[] bd = bias.data();
        int bOff = bias.offset();
        int bStride = bias.strides()[0];
        for (int j = 0; j < outF; j++) out[j] = bd[bOff + j * bStride];
        for (int r = 1; r < rows; r++) System.arraycopy(out, 0, out, r * outF, outF);
    }

    /**
     * {@code dbias [outF]}: the sum over rows of the output gradient, whose element (r, j) is
     * {@code g[off + r * rowStride + j * colStride]}.
     */
    static Tensor gradient(float[] g, int off, int rowStride, int colStride, int rows, int outF) {
        Tensor db = Tensor.zeros(outF);
        float[] acc = db.data();
        for (int r = 0; r < rows; r++) {
            int base = off + r * rowStride;
            for (int j = 0; j < outF; j++) acc[j] += g[base + j * colStride];
        }
        return db;
    }
}
