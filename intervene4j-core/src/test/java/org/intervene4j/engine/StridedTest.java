package org.intervene4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Strided copies and accumulations (behind copyFrom, contiguous and the gradients of views)
 * against an element-by-element reference on random layouts: contiguous, permuted, narrowed,
 * with size-1 dimensions, broadcast with stride 0, summed into a stride-0 destination.
 */
class StridedTest {
    @Test
    void copiesAndAccumulationsMatchAnElementByElementWalkOnRandomLayouts() {
        Random rng = new Random(11);
        for (int trial = 0; trial < 400; trial++) {
            int rank = 1 + rng.nextInt(5);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) shape[d] = rng.nextInt(4) == 0 ? 1 : 1 + rng.nextInt(5);
            Layout dst = Layout.random(shape, rng, trial % 3 == 0);
            Layout src = Layout.random(shape, rng, false);
            boolean add = rng.nextBoolean() || dst.hasZeroStride();
            float[] d0 = new float[dst.span];
            float[] s = new float[src.span];
            for (int i = 0; i < d0.length; i++) d0[i] = rng.nextInt(100);
            for (int i = 0; i < s.length; i++) s[i] = rng.nextInt(100);
            float[] want = d0.clone();
            int n = Shapes.numel(shape);
            int[] idx = new int[rank];
            for (int e = 0; e < n; e++) {
                int rem = e;
                for (int d = rank - 1; d >= 0; d--) {
                    idx[d] = rem % shape[d];
                    rem /= shape[d];
                }
                int di = dst.offset, si = src.offset;
                for (int d = 0; d < rank; d++) {
                    di += idx[d] * dst.strides[d];
                    si += idx[d] * src.strides[d];
                }
                want[di] = add ? want[di] + s[si] : s[si];
            }
            float[] got = d0.clone();
            if (add) {
                Strided.accumulate(shape, got, dst.offset, dst.strides, s, src.offset, src.strides);
            } else {
                Strided.copy(shape, got, dst.offset, dst.strides, s, src.offset, src.strides);
            }
            assertThat(got).as("trial %d: shape %s, dst strides %s, src strides %s, add %s", trial, Shapes.str(shape),
                    Shapes.str(dst.strides), Shapes.str(src.strides), add).containsExactly(want);
        }
    }

    /** An (offset, strides) view of an array of {@code span} floats. */
    private record Layout(int offset, int[] strides, int span) {
        boolean hasZeroStride() {
            for (int s : strides) if (s == 0) return true;
            return false;
        }

        /**
         * Contiguous in a random dimension order, each dimension possibly padded (a narrowed
         * parent) and, when {@code zeros}, possibly stride 0 (broadcast, or summed into).
         */
        static Layout random(int[] shape, Random rng, boolean zeros) {
            int rank = shape.length;
            int[] order = new int[rank];
            for (int i = 0; i < rank; i++) order[i] = i;
            if (rng.nextBoolean()) {
                for (int i = rank - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            int[] strides = new int[rank];
            int step = 1;
            for (int i = rank - 1; i >= 0; i--) {
                int d = order[i];
                if (zeros && rng.nextInt(3) == 0) {
                    strides[d] = 0;
                    continue;
                }
                strides[d] = step;
                step *= shape[d] + (rng.nextInt(3) == 0 ? 2 : 0);
            }
            int offset = rng.nextInt(3);
            return new Layout(offset, strides, offset + step + 1);
        }
    }
}
