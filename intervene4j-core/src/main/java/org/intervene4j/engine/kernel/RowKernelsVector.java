package org.intervene4j.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized row kernels (see {@link RowKernels} for the contracts). Full vectors run over
 * {@code loopBound(n)}; the tail runs scalar. Sums accumulate in float lanes over blocks of
 * {@link #BLOCK} elements and in double across blocks, so a 50k-element row (a vocabulary)
 * keeps float-level accuracy.
 */
final class RowKernelsVector {
    private RowKernelsVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements summed in float lanes before the partial sum moves to a double; a multiple of L. */
    private static final int BLOCK = 64 * L;

    static float max(float[] x, int xo, int n) {
        int bound = S.loopBound(n);
        float m = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.fromArray(S, x, xo);
            for (i = L; i < bound; i += L) acc = acc.max(FloatVector.fromArray(S, x, xo + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    /** {@code y = exp(x - shift1 - shift2) * scale}, returning the sum of the unscaled exps. */
    private static float expShift(float[] x, int xo, float shift1, float shift2, float scale, float[] y, int yo, int n) {
        int bound = S.loopBound(n);
        double sum = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector e = VectorExp.exp(FloatVector.fromArray(S, x, xo + i).sub(shift1).sub(shift2));
                acc = acc.add(e);
                e.mul(scale).intoArray(y, yo + i);
            }
            sum += LaneSum.of(acc);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp((x[xo + i] - shift1) - shift2);
            sum += e;
            y[yo + i] = e * scale;
        }
        return (float) sum;
    }

    private static void scaleInPlace(float[] y, int yo, float s, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) FloatVector.fromArray(S, y, yo + i).mul(s).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] *= s;
    }

    private static float sum(float[] x, int xo, int n) {
        int bound = S.loopBound(n);
        double s = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) acc = acc.add(FloatVector.fromArray(S, x, xo + i));
            s += LaneSum.of(acc);
        }
        for (; i < n; i++) s += x[xo + i];
        return (float) s;
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int bound = S.loopBound(n);
        double s = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            s += LaneSum.of(acc);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return (float) s;
    }

    static void softmaxRow(float[] x, int xo, float[] y, int yo, int n) {
        float m = max(x, xo, n);
        if (m == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(y, yo, yo + n, 0f);
            return;
        }
        float sum = expShift(x, xo, m, 0f, 1f, y, yo, n);
        scaleInPlace(y, yo, 1f / sum, n);
    }

    static void logSumExpRow(float[] x, int xo, int n, float[] out, int at) {
        float m = max(x, xo, n);
        out[at] = m;
        out[at + 1] = (float) Math.log(sumExpShifted(x, xo, n, m));
    }

    /** {@code sum(exp(x - m))}, 0 when m is -infinity (an empty or all -infinity row). */
    private static float sumExpShifted(float[] x, int xo, int n, float m) {
        if (m == Float.NEGATIVE_INFINITY) return 0f;
        int bound = S.loopBound(n);
        double sum = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) acc = acc.add(VectorExp.exp(FloatVector.fromArray(S, x, xo + i).sub(m)));
            sum += LaneSum.of(acc);
        }
        for (; i < n; i++) sum += (float) Math.exp(x[xo + i] - m);
        return (float) sum;
    }

    static void logSoftmaxRow(float[] x, int xo, float[] y, int yo, int n) {
        float m = max(x, xo, n);
        float ls = (float) Math.log(sumExpShifted(x, xo, n, m));
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).sub(m).sub(ls).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] = (x[xo + i] - m) - ls;
    }

    static void expShiftScaleRow(float[] x, int xo, float shift1, float shift2, float scale, float[] y, int yo, int n) {
        expShift(x, xo, shift1, shift2, scale, y, yo, n);
    }

    static void softmaxBackwardRow(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        float d = dot(y, yo, dy, dyo, n);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yo + i);
            yv.mul(FloatVector.fromArray(S, dy, dyo + i).sub(d)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) dx[dxo + i] = y[yo + i] * (dy[dyo + i] - d);
    }

    static void logSoftmaxBackwardRow(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        float s = sum(dy, dyo, n);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector p = VectorExp.exp(FloatVector.fromArray(S, y, yo + i));
            p.mul(-s).add(FloatVector.fromArray(S, dy, dyo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) dx[dxo + i] = dy[dyo + i] - (float) Math.exp(y[yo + i]) * s;
    }

    static void layerNormRow(float[] x, int xo, float[] y, int yo, int n, float[] gamma, float[] beta,
                             float eps, float[] mean, float[] rstd, int row) {
        float mu = sum(x, xo, n) / n;
        int bound = S.loopBound(n);
        double s1 = 0;
        double sq = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector c = FloatVector.fromArray(S, x, xo + i).sub(mu);
                acc1 = acc1.add(c);
                acc2 = c.fma(c, acc2);
            }
            s1 += LaneSum.of(acc1);
            sq += LaneSum.of(acc2);
        }
        for (; i < n; i++) {
            float c = x[xo + i] - mu;
            s1 += c;
            sq += c * c;
        }
        float shift = (float) (s1 / n); // what rounding mu to float left out of the centering
        float r = (float) (1.0 / Math.sqrt(Math.max(0.0, sq / n - (double) shift * shift) + eps));
        mean[row] = mu;
        rstd[row] = r;
        for (i = 0; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(mu).sub(shift).mul(r);
            if (gamma != null) v = v.mul(FloatVector.fromArray(S, gamma, i));
            if (beta != null) v = v.add(FloatVector.fromArray(S, beta, i));
            v.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = ((x[xo + i] - mu) - shift) * r;
            if (gamma != null) v *= gamma[i];
            if (beta != null) v += beta[i];
            y[yo + i] = v;
        }
    }

    static void layerNormBackwardRow(float[] x, int xo, float[] dy, int dyo, int n, float[] gamma,
                                     float mean, float rstd, float[] dx, int dxo, float[] dgamma, float[] dbeta) {
        int bound = S.loopBound(n);
        double sumX = 0;
        double sumG = 0;
        double sumGX = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector accX = FloatVector.zero(S);
            FloatVector accG = FloatVector.zero(S);
            FloatVector accGX = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(mean).mul(rstd);
                FloatVector d = FloatVector.fromArray(S, dy, dyo + i);
                FloatVector g = gamma == null ? d : d.mul(FloatVector.fromArray(S, gamma, i));
                accX = accX.add(xhat);
                accG = accG.add(g);
                accGX = g.fma(xhat, accGX);
            }
            sumX += LaneSum.of(accX);
            sumG += LaneSum.of(accG);
            sumGX += LaneSum.of(accGX);
        }
        for (; i < n; i++) {
            float xhat = (x[xo + i] - mean) * rstd;
            float g = gamma == null ? dy[dyo + i] : dy[dyo + i] * gamma[i];
            sumX += xhat;
            sumG += g;
            sumGX += g * xhat;
        }
        float shift = (float) (sumX / n); // centers xhat exactly as the forward did
        float meanG = (float) (sumG / n);
        float meanGX = (float) ((sumGX - shift * sumG) / n);
        for (i = 0; i < bound; i += L) {
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(mean).mul(rstd).sub(shift);
            FloatVector d = FloatVector.fromArray(S, dy, dyo + i);
            if (dgamma != null) d.fma(xhat, FloatVector.fromArray(S, dgamma, i)).intoArray(dgamma, i);
            if (dbeta != null) d.add(FloatVector.fromArray(S, dbeta, i)).intoArray(dbeta, i);
            if (dx != null) {
                FloatVector g = gamma == null ? d : d.mul(FloatVector.fromArray(S, gamma, i));
                g.sub(meanG).sub(xhat.mul(meanGX)).mul(rstd).intoArray(dx, dxo + i);
            }
        }
        for (; i < n; i++) {
            float xhat = (x[xo + i] - mean) * rstd - shift;
            float d = dy[dyo + i];
            if (dgamma != null) dgamma[i] += d * xhat;
            if (dbeta != null) dbeta[i] += d;
            if (dx != null) {
                float g = gamma == null ? d : d * gamma[i];
                dx[dxo + i] = rstd * (g - meanG - xhat * meanGX);
            }
        }
    }

    static void rmsNormRow(float[] x, int xo, float[] y, int yo, int n, float[] gamma, float eps,
                           float[] rstd, int row) {
        float sq = dot(x, xo, x, xo, n);
        float r = (float) (1.0 / Math.sqrt((double) sq / n + eps));
        rstd[row] = r;
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).mul(r);
            if (gamma != null) v = v.mul(FloatVector.fromArray(S, gamma, i));
            v.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i] * r;
            y[yo + i] = gamma == null ? v : v * gamma[i];
        }
    }

    static void rmsNormBackwardRow(float[] x, int xo, float[] dy, int dyo, int n, float[] gamma,
                                   float rstd, float[] dx, int dxo, float[] dgamma) {
        int bound = S.loopBound(n);
        double sumGX = 0;
        int i = 0;
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector accGX = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector xhat = FloatVector.fromArray(S, x, xo + i).mul(rstd);
                FloatVector d = FloatVector.fromArray(S, dy, dyo + i);
                FloatVector g = gamma == null ? d : d.mul(FloatVector.fromArray(S, gamma, i));
                accGX = g.fma(xhat, accGX);
                if (dgamma != null) d.fma(xhat, FloatVector.fromArray(S, dgamma, i)).intoArray(dgamma, i);
            }
            sumGX += LaneSum.of(accGX);
        }
        for (; i < n; i++) {
            float xhat = x[xo + i] * rstd;
            float d = dy[dyo + i];
            float g = gamma == null ? d : d * gamma[i];
            sumGX += g * xhat;
            if (dgamma != null) dgamma[i] += d * xhat;
        }
        if (dx == null) return;
        float meanGX = (float) (sumGX / n);
        for (i = 0; i < bound; i += L) {
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).mul(rstd);
            FloatVector d = FloatVector.fromArray(S, dy, dyo + i);
            FloatVector g = gamma == null ? d : d.mul(FloatVector.fromArray(S, gamma, i));
            g.sub(xhat.mul(meanGX)).mul(rstd).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float xhat = x[xo + i] * rstd;
            float g = gamma == null ? dy[dyo + i] : dy[dyo + i] * gamma[i];
            dx[dxo + i] = rstd * (g - xhat * meanGX);
        }
    }
}
