package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class RowPlanTest {

    @Test
    void mergesContiguousDimensionsAndKeepsBroadcastRows() {
        RowPlan flat = RowPlan.of(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {12, 4, 1});
        assertThat(flat.rowLength()).isEqualTo(24);
        RowPlan bias = RowPlan.of(new int[] {5, 7}, new int[] {7, 1}, new int[] {0, 1});
        assertThat(bias.rowLength()).isEqualTo(7);
        assertThat(bias.innerStride(1)).isEqualTo(1);
        RowPlan column = RowPlan.of(new int[] {5, 7}, new int[] {7, 1}, new int[] {1, 0});
        assertThat(column.rowLength()).isEqualTo(7);
        assertThat(column.innerStride(1)).isEqualTo(0);
        RowPlan scalar = RowPlan.of(new int[] {5, 7}, new int[] {7, 1}, new int[] {0, 0});
        assertThat(scalar.rowLength()).isEqualTo(35);
        RowPlan transposed = RowPlan.of(new int[] {4, 6}, new int[] {6, 1}, new int[] {1, 4});
        assertThat(transposed.rowLength()).isEqualTo(6);
        assertThat(transposed.innerStride(1)).isEqualTo(4);
        RowPlan ones = RowPlan.of(new int[] {1, 1}, new int[] {1, 1});
        assertThat(ones.rowLength()).isEqualTo(1);
    }

    @Test
    void visitsEveryElementOnceIncludingChunkedLongRows() {
        int before = WorkerPool.global().threads();
        WorkerPool.setGlobalThreads(3); // several workers even on a small machine
        try {
            visitAll();
        } finally {
            WorkerPool.setGlobalThreads(before);
        }
    }

    private static void visitAll() {
        int[][] shapes = {{3, 50_000}, {1, 100_000}, {7, 5, 3}, {2, 1, 40_000}, {}};
        for (int[] shape : shapes) {
            int n = 1;
            for (int d : shape) n *= d;
            int[] strides = new int[shape.length];
            int s = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                strides[d] = s;
                s *= shape[d];
            }
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            RowPlan plan = RowPlan.of(shape, strides);
            plan.forEach(new int[] {0}, 1, (off, len) -> {
                for (int i = 0; i < len; i++) seen.incrementAndGet(off[0] + i * plan.innerStride(0));
            });
            for (int i = 0; i < n; i++) assertThat(seen.get(i)).as("element %d of %s", i, java.util.Arrays.toString(shape)).isEqualTo(1);
        }
    }
}
