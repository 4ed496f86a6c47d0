package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized kernels of {@link AttentionRows}. Loops over the head dimension keep up to four
 * vectors (4L floats) in registers and cover a ragged end with a masked vector; scores against
 * transposed keys run four key vectors at a time.
 */
final class AttentionRowsVector {
    private AttentionRowsVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    static void scoresTransposed(float[] q, int qo, int hd, float[] kt, int tPad, float scale, float[] row, int from, int to) {
        int j = from / L * L;
        for (; j + 4 * L <= to; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int d = 0, base = j; d < hd; d++, base += tPad) {
                FloatVector qd = FloatVector.broadcast(S, q[qo + d]);
                a0 = qd.fma(FloatVector.fromArray(S, kt, base), a0);
                a1 = qd.fma(FloatVector.fromArray(S, kt, base + L), a1);
                a2 = qd.fma(FloatVector.fromArray(S, kt, base + 2 * L), a2);
                a3 = qd.fma(FloatVector.fromArray(S, kt, base + 3 * L), a3);
            }
            a0.mul(scale).intoArray(row, j);
            a1.mul(scale).intoArray(row, j + L);
            a2.mul(scale).intoArray(row, j + 2 * L);
            a3.mul(scale).intoArray(row, j + 3 * L);
        }
        for (; j < to; j += L) {
            // one key vector: four accumulators over interleaved d, so the FMAs do not wait on each other
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            int d = 0;
            for (int base = j; d + 4 <= hd; d += 4, base += 4 * tPad) {
                a0 = FloatVector.broadcast(S, q[qo + d]).fma(FloatVector.fromArray(S, kt, base), a0);
                a1 = FloatVector.broadcast(S, q[qo + d + 1]).fma(FloatVector.fromArray(S, kt, base + tPad), a1);
                a2 = FloatVector.broadcast(S, q[qo + d + 2]).fma(FloatVector.fromArray(S, kt, base + 2 * tPad), a2);
                a3 = FloatVector.broadcast(S, q[qo + d + 3]).fma(FloatVector.fromArray(S, kt, base + 3 * tPad), a3);
            }
            for (; d < hd; d++) a0 = FloatVector.broadcast(S, q[qo + d]).fma(FloatVector.fromArray(S, kt, d * tPad + j), a0);
            a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(row, j);
        }
    }

    static void scoresDots(float[] q, int qo, int hd, float[] k, int ko, int kStride, float scale, float[] row, int from, int to) {
        int bound = S.loopBound(hd);
        VectorMask<Float> tail = S.indexInRange(bound, hd);
        for (int j = from; j < to; j++) {
            int kj = ko + j * kStride;
            FloatVector acc = FloatVector.zero(S);
            int d = 0;
            for (; d < bound; d += L) acc = FloatVector.fromArray(S, q, qo + d).fma(FloatVector.fromArray(S, k, kj + d), acc);
            if (d < hd) acc = FloatVector.fromArray(S, q, qo + d, tail).fma(FloatVector.fromArray(S, k, kj + d, tail), acc);
            row[j] = scale * acc.reduceLanes(VectorOperators.ADD);
        }
    }

    static void weightedSum(float[] p, int po, int from, int to, float[] v, int vo, int vStride, float[] out, int oo, int hd) {
        int c = 0;
        for (; c + 4 * L <= hd; c += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int j = from, vj = vo + from * vStride + c; j < to; j++, vj += vStride) {
                FloatVector pj = FloatVector.broadcast(S, p[po + j]);
                a0 = pj.fma(FloatVector.fromArray(S, v, vj), a0);
                a1 = pj.fma(FloatVector.fromArray(S, v, vj + L), a1);
                a2 = pj.fma(FloatVector.fromArray(S, v, vj + 2 * L), a2);
                a3 = pj.fma(FloatVector.fromArray(S, v, vj + 3 * L), a3);
            }
            a0.intoArray(out, oo + c);
            a1.intoArray(out, oo + c + L);
            a2.intoArray(out, oo + c + 2 * L);
            a3.intoArray(out, oo + c + 3 * L);
        }
        for (; c < hd; c += L) {
            VectorMask<Float> m = S.indexInRange(c, hd);
            FloatVector a = FloatVector.zero(S);
            for (int j = from, vj = vo + from * vStride + c; j < to; j++, vj += vStride) {
                a = FloatVector.broadcast(S, p[po + j]).fma(FloatVector.fromArray(S, v, vj, m), a);
            }
            a.intoArray(out, oo + c, m);
        }
    }

    static void addScaledRows(float[] c, int co, int from, int to, float[] x, int xo, float[] y, int yo, int yStride, int hd) {
        int d = 0;
        for (; d + 4 * L <= hd; d += 4 * L) {
            FloatVector x0 = FloatVector.fromArray(S, x, xo + d), x1 = FloatVector.fromArray(S, x, xo + d + L);
            FloatVector x2 = FloatVector.fromArray(S, x, xo + d + 2 * L), x3 = FloatVector.fromArray(S, x, xo + d + 3 * L);
            for (int j = from, yj = yo + from * yStride + d; j < to; j++, yj += yStride) {
                FloatVector cj = FloatVector.broadcast(S, c[co + j]);
                cj.fma(x0, FloatVector.fromArray(S, y, yj)).intoArray(y, yj);
                cj.fma(x1, FloatVector.fromArray(S, y, yj + L)).intoArray(y, yj + L);
                cj.fma(x2, FloatVector.fromArray(S, y, yj + 2 * L)).intoArray(y, yj + 2 * L);
                cj.fma(x3, FloatVector.fromArray(S, y, yj + 3 * L)).intoArray(y, yj + 3 * L);
            }
        }
        for (; d < hd; d += L) {
            VectorMask<Float> m = S.indexInRange(d, hd);
            FloatVector xv = FloatVector.fromArray(S, x, xo + d, m);
            for (int j = from, yj = yo + from * yStride + d; j < to; j++, yj += yStride) {
                FloatVector.broadcast(S, c[co + j]).fma(xv, FloatVector.fromArray(S, y, yj, m)).intoArray(y, yj, m);
            }
        }
    }

    static void softmaxWhole(float[] row, int from, int to) {
        FloatVector mv = FloatVector.fromArray(S, row, from);
        for (int j = from + L; j < to; j += L) mv = mv.max(FloatVector.fromArray(S, row, j));
        float m = mv.reduceLanes(VectorOperators.MAX);
        if (m == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(row, from, to, 0f);
            return;
        }
        FloatVector acc = FloatVector.zero(S);
        for (int j = from; j < to; j += L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(S, row, j).sub(m));
            e.intoArray(row, j);
            acc = acc.add(e);
        }
        float inv = 1f / LaneSum.of(acc);
        for (int j = from; j < to; j += L) FloatVector.fromArray(S, row, j).mul(inv).intoArray(row, j);
    }

    static void scoresTransposed4(float[] q, int qo, int qStride, int hd, float[] kt, int tPad, float scale,
                                  float[] rows, int from, int to) {
        int q1 = qo + qStride, q2 = q1 + qStride, q3 = q2 + qStride;
        int r1 = tPad, r2 = 2 * tPad, r3 = 3 * tPad;
        int j = from / L * L;
        for (; j + L < to; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S), a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            for (int d = 0, base = j; d < hd; d++, base += tPad) {
                FloatVector k0 = FloatVector.fromArray(S, kt, base), k1 = FloatVector.fromArray(S, kt, base + L);
                FloatVector x0 = FloatVector.broadcast(S, q[qo + d]);
                a0 = x0.fma(k0, a0);
                b0 = x0.fma(k1, b0);
                FloatVector x1 = FloatVector.broadcast(S, q[q1 + d]);
                a1 = x1.fma(k0, a1);
                b1 = x1.fma(k1, b1);
                FloatVector x2 = FloatVector.broadcast(S, q[q2 + d]);
                a2 = x2.fma(k0, a2);
                b2 = x2.fma(k1, b2);
                FloatVector x3 = FloatVector.broadcast(S, q[q3 + d]);
                a3 = x3.fma(k0, a3);
                b3 = x3.fma(k1, b3);
            }
            a0.mul(scale).intoArray(rows, j);
            b0.mul(scale).intoArray(rows, j + L);
            a1.mul(scale).intoArray(rows, r1 + j);
            b1.mul(scale).intoArray(rows, r1 + j + L);
            a2.mul(scale).intoArray(rows, r2 + j);
            b2.mul(scale).intoArray(rows, r2 + j + L);
            a3.mul(scale).intoArray(rows, r3 + j);
            b3.mul(scale).intoArray(rows, r3 + j + L);
        }
        if (j < to) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int d = 0, base = j; d < hd; d++, base += tPad) {
                FloatVector k0 = FloatVector.fromArray(S, kt, base);
                a0 = FloatVector.broadcast(S, q[qo + d]).fma(k0, a0);
                a1 = FloatVector.broadcast(S, q[q1 + d]).fma(k0, a1);
                a2 = FloatVector.broadcast(S, q[q2 + d]).fma(k0, a2);
                a3 = FloatVector.broadcast(S, q[q3 + d]).fma(k0, a3);
            }
            a0.mul(scale).intoArray(rows, j);
            a1.mul(scale).intoArray(rows, r1 + j);
            a2.mul(scale).intoArray(rows, r2 + j);
            a3.mul(scale).intoArray(rows, r3 + j);
        }
    }

    static void weightedSum4(float[] p, int from, int to, int pStride, float[] v, int vo, int vStride,
                             float[] out, int oo, int oStride, int hd) {
        if (hd % L != 0) {
            for (int r = 0; r < 4; r++) weightedSum(p, r * pStride, from, to, v, vo, vStride, out, oo + r * oStride, hd);
            return;
        }
        int p1 = pStride, p2 = 2 * pStride, p3 = 3 * pStride;
        int c = 0;
        for (; c + L < hd; c += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S), a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S), a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            for (int j = from, vj = vo + from * vStride + c; j < to; j++, vj += vStride) {
                FloatVector v0 = FloatVector.fromArray(S, v, vj), v1 = FloatVector.fromArray(S, v, vj + L);
                FloatVector x0 = FloatVector.broadcast(S, p[j]);
                a0 = x0.fma(v0, a0);
                b0 = x0.fma(v1, b0);
                FloatVector x1 = FloatVector.broadcast(S, p[p1 + j]);
                a1 = x1.fma(v0, a1);
                b1 = x1.fma(v1, b1);
                FloatVector x2 = FloatVector.broadcast(S, p[p2 + j]);
                a2 = x2.fma(v0, a2);
                b2 = x2.fma(v1, b2);
                FloatVector x3 = FloatVector.broadcast(S, p[p3 + j]);
                a3 = x3.fma(v0, a3);
                b3 = x3.fma(v1, b3);
            }
            a0.intoArray(out, oo + c);
            b0.intoArray(out, oo + c + L);
            a1.intoArray(out, oo + oStride + c);
            b1.intoArray(out, oo + oStride + c + L);
            a2.intoArray(out, oo + 2 * oStride + c);
            b2.intoArray(out, oo + 2 * oStride + c + L);
            a3.intoArray(out, oo + 3 * oStride + c);
            b3.intoArray(out, oo + 3 * oStride + c + L);
        }
        if (c < hd) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int j = from, vj = vo + from * vStride + c; j < to; j++, vj += vStride) {
                FloatVector v0 = FloatVector.fromArray(S, v, vj);
                a0 = FloatVector.broadcast(S, p[j]).fma(v0, a0);
                a1 = FloatVector.broadcast(S, p[p1 + j]).fma(v0, a1);
                a2 = FloatVector.broadcast(S, p[p2 + j]).fma(v0, a2);
                a3 = FloatVector.broadcast(S, p[p3 + j]).fma(v0, a3);
            }
            a0.intoArray(out, oo + c);
            a1.intoArray(out, oo + oStride + c);
            a2.intoArray(out, oo + 2 * oStride + c);
            a3.intoArray(out, oo + 3 * oStride + c);
        }
    }

    static void softmaxBackwardWhole(float[] p, int po, float[] dp, int dpo, float[] ds, int dso, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < n; j += L) acc = FloatVector.fromArray(S, p, po + j).fma(FloatVector.fromArray(S, dp, dpo + j), acc);
        float dot = LaneSum.of(acc);
        for (int j = 0; j < n; j += L) {
            FloatVector.fromArray(S, p, po + j).mul(FloatVector.fromArray(S, dp, dpo + j).sub(dot)).intoArray(ds, dso + j);
        }
    }

    static void addScaledRows4(float[] c, int co, int cStride, int from, int to, float[] x, int xo, int xStride,
                               float[] y, int yo, int yStride, int hd) {
        if (hd % L != 0) {
            for (int r = 0; r < 4; r++) addScaledRows(c, co + r * cStride, from, to, x, xo + r * xStride, y, yo, yStride, hd);
            return;
        }
        int c1 = co + cStride, c2 = c1 + cStride, c3 = c2 + cStride;
        int d = 0;
        for (; d + L < hd; d += 2 * L) {
            int x0 = xo + d, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
            FloatVector x0a = FloatVector.fromArray(S, x, x0), x0b = FloatVector.fromArray(S, x, x0 + L);
            FloatVector x1a = FloatVector.fromArray(S, x, x1), x1b = FloatVector.fromArray(S, x, x1 + L);
            FloatVector x2a = FloatVector.fromArray(S, x, x2), x2b = FloatVector.fromArray(S, x, x2 + L);
            FloatVector x3a = FloatVector.fromArray(S, x, x3), x3b = FloatVector.fromArray(S, x, x3 + L);
            for (int j = from, yj = yo + from * yStride + d; j < to; j++, yj += yStride) {
                FloatVector ya = FloatVector.fromArray(S, y, yj), yb = FloatVector.fromArray(S, y, yj + L);
                FloatVector k0 = FloatVector.broadcast(S, c[co + j]);
                ya = k0.fma(x0a, ya);
                yb = k0.fma(x0b, yb);
                FloatVector k1 = FloatVector.broadcast(S, c[c1 + j]);
                ya = k1.fma(x1a, ya);
                yb = k1.fma(x1b, yb);
                FloatVector k2 = FloatVector.broadcast(S, c[c2 + j]);
                ya = k2.fma(x2a, ya);
                yb = k2.fma(x2b, yb);
                FloatVector k3 = FloatVector.broadcast(S, c[c3 + j]);
                ya = k3.fma(x3a, ya);
                yb = k3.fma(x3b, yb);
                ya.intoArray(y, yj);
                yb.intoArray(y, yj + L);
            }
        }
        if (d < hd) {
            int x0 = xo + d;
            FloatVector xa = FloatVector.fromArray(S, x, x0), xb = FloatVector.fromArray(S, x, x0 + xStride);
            FloatVector xc = FloatVector.fromArray(S, x, x0 + 2 * xStride), xd = FloatVector.fromArray(S, x, x0 + 3 * xStride);
            for (int j = from, yj = yo + from * yStride + d; j < to; j++, yj += yStride) {
                FloatVector ya = FloatVector.fromArray(S, y, yj);
                ya = FloatVector.broadcast(S, c[co + j]).fma(xa, ya);
                ya = FloatVector.broadcast(S, c[c1 + j]).fma(xb, ya);
                ya = FloatVector.broadcast(S, c[c2 + j]).fma(xc, ya);
                ya = FloatVector.broadcast(S, c[c3 + j]).fma(xd, ya);
                ya.intoArray(y, yj);
            }
        }
    }
}
