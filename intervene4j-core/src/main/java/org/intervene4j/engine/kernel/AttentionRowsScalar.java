package org.intervene4j.engine.kernel;

/** Scalar reference kernels of {@link AttentionRows}: plain loops, sums in index order. */
final class AttentionRowsScalar {
    private AttentionRowsScalar() {}

    static void scoresTransposed(float[] q, int qo, int hd, float[] kt, int tPad, float scale, float[] row, int from, int to) {
        scoresTransposed(q, qo, hd, kt, tPad, scale, row, 0, from, to);
    }

    private static void scoresTransposed(float[] q, int qo, int hd, float[] kt, int tPad, float scale, float[] row, int ro,
                                         int from, int to) {
        for (int j = from; j < to; j++) {
            float s = 0f;
            for (int d = 0; d < hd; d++) s += q[qo + d] * kt[d * tPad + j];
            row[ro + j] = scale * s;
        }
    }

    static void scoresDots(float[] q, int qo, int hd, float[] k, int ko, int kStride, float scale, float[] row, int from, int to) {
        for (int j = from; j < to; j++) {
            int kj = ko + j * kStride;
            float s = 0f;
            for (int d = 0; d < hd; d++) s += q[qo + d] * k[kj + d];
            row[j] = scale * s;
        }
    }

    static void weightedSum(float[] p, int po, int from, int to, float[] v, int vo, int vStride, float[] out, int oo, int hd) {
        java.util.Arrays.fill(out, oo, oo + hd, 0f);
        for (int j = from; j < to; j++) {
            float pj = p[po + j];
            int vj = vo + j * vStride;
            for (int d = 0; d < hd; d++) out[oo + d] += pj * v[vj + d];
        }
    }

    static void addScaledRows(float[] c, int co, int from, int to, float[] x, int xo, float[] y, int yo, int yStride, int hd) {
        for (int j = from; j < to; j++) {
            float cj = c[co + j];
            int yj = yo + j * yStride;
            for (int d = 0; d < hd; d++) y[yj + d] += cj * x[xo + d];
        }
    }

    static void softmaxWhole(float[] row, int from, int to) {
        RowKernels.softmaxRow(row, from, row, from, to - from);
    }

    static void scoresTransposed4(float[] q, int qo, int qStride, int hd, float[] kt, int tPad, float scale,
                                  float[] rows, int from, int to) {
        for (int r = 0; r < 4; r++) scoresTransposed(q, qo + r * qStride, hd, kt, tPad, scale, rows, r * tPad, from, to);
    }

    static void weightedSum4(float[] p, int from, int to, int pStride, float[] v, int vo, int vStride,
                             float[] out, int oo, int oStride, int hd) {
        for (int r = 0; r < 4; r++) weightedSum(p, r * pStride, from, to, v, vo, vStride, out, oo + r * oStride, hd);
    }

    static void softmaxBackwardWhole(float[] p, int po, float[] dp, int dpo, float[] ds, int dso, int n) {
        RowKernels.softmaxBackwardRow(p, po, dp, dpo, ds, dso, n);
    }

    static void addScaledRows4(float[] c, int co, int cStride, int from, int to, float[] x, int xo, int xStride,
                               float[] y, int yo, int yStride, int hd) {
        for (int r = 0; r < 4; r++) addScaledRows(c, co + r * cStride, from, to, x, xo + r * xStride, y, yo, yStride, hd);
    }
}
