package org.intervene4j.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    @Test
    void everyTaskRunsExactlyOnce() {
        WorkerPool pool = new WorkerPool(3);
        for (int n : new int[] {1, 2, 3, 7, 1000}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            pool.parallelFor(n, (from, to) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertThat(hits.get(i)).isEqualTo(1);
        }
    }

    @Test
    void nestedCallsRunInlineAndFailuresPropagate() {
        WorkerPool pool = new WorkerPool(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(16);
        pool.parallelFor(4, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = i;
                pool.parallelFor(4, (f, t) -> {
                    for (int j = f; j < t; j++) hits.incrementAndGet(row * 4 + j);
                });
            }
        });
        for (int i = 0; i < 16; i++) assertThat(hits.get(i)).isEqualTo(1);
        assertThatThrownBy(() -> pool.parallelFor(2, (f, t) -> {
            throw new IllegalArgumentException("boom");
        })).hasMessage("boom");
    }

    @Test
    void rejectsAnEmptyPool() {
        assertThatThrownBy(() -> new WorkerPool(0)).hasMessageContaining(">= 1");
    }
}
