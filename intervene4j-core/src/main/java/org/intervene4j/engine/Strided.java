package org.intervene4j.engine;

/**
 * Loops over strided N-d layouts. The innermost dimension is a plain loop; the outer
 * dimensions advance like an odometer, so no division happens per element.
 */
final class Strided {
    private Strided() {}

    /** {@code dst = src} over {@code shape}; both are (offset, strides) views of arrays. */
    static void copy(int[] shape, float[] dst, int dOff, int[] dStr, float[] src, int sOff, int[] sStr) {
        walk(shape, dst, dOff, dStr, src, sOff, sStr, false);
    }

    /** {@code dst += src} over {@code shape}; a dst stride of 0 sums over that dimension. */
    static void accumulate(int[] shape, float[] dst, int dOff, int[] dStr, float[] src, int sOff, int[] sStr) {
        walk(shape, dst, dOff, dStr, src, sOff, sStr, true);
    }

    private static void walk(int[] shape, float[] dst, int dOff, int[] dStr,
                             float[] src, int sOff, int[] sStr, boolean add) {
        int rank = shape.length;
        if (rank == 0) {
            dst[dOff] = add ? dst[dOff] + src[sOff] : src[sOff];
            return;
        }
        for (int d : shape) if (d == 0) return;
        int n = shape[rank - 1];
        int ds = dStr[rank - 1];
        int ss = sStr[rank - 1];
        int[] idx = new int[rank];
        int d0 = dOff;
        int s0 = sOff;
        while (true) {
            if (add) {
                if (ds == 1 && ss == 1) {
                    for (int i = 0; i < n; i++) dst[d0 + i] += src[s0 + i];
                } else {
                    for (int i = 0; i < n; i++) dst[d0 + i * ds] += src[s0 + i * ss];
                }
            } else if (ds == 1 && ss == 1) {
                System.arraycopy(src, s0, dst, d0, n);
            } else {
                for (int i = 0; i < n; i++) dst[d0 + i * ds] = src[s0 + i * ss];
            }
            int k = rank - 2;
            while (k >= 0) {
                idx[k]++;
                d0 += dStr[k];
                s0 += sStr[k];
                if (idx[k] < shape[k]) break;
                d0 -= dStr[k] * shape[k];
                s0 -= sStr[k] * shape[k];
                idx[k] = 0;
                k--;
            }
            if (k < 0) return;
        }
    }
}
