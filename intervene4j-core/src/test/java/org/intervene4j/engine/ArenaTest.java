package org.intervene4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArenaTest {
    @Test
    void buffersAreReusedAcrossSteps() {
        BufferPool.clear();
        float[] first;
        try (Arena step = Arena.open()) {
            first = Tensor.zeros(1024).data();
        }
        try (Arena step = Arena.open()) {
            Tensor t = Tensor.zeros(1024);
            assertThat(t.data()).isSameAs(first);
            assertThat(t.toFloatArray()).containsOnly(0f); // zeros() re-zeroes a recycled buffer
        }
    }

    @Test
    void useAfterCloseIsAnErrorAndPersistSurvives() {
        Tensor kept;
        Tensor dead;
        try (Arena step = Arena.open()) {
            dead = Tensor.full(3f, 256);
            kept = dead.persist();
        }
        assertThat(kept.toFloatArray()).containsOnly(3f);
        assertThatThrownBy(dead::toFloatArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Arena closed").hasMessageContaining("[256]");
    }

    @Test
    void persistentAllocationsIgnoreTheArena() {
        try (Arena step = Arena.open()) {
            Tensor p = Tensor.zerosPersistent(1024);
            step.close();
            assertThat(p.toFloatArray()).hasSize(1024);
        }
    }

    @Test
    void arenasNest() {
        try (Arena outer = Arena.open()) {
            Tensor a = Tensor.zeros(512);
            try (Arena inner = Arena.open()) {
                Tensor b = Tensor.zeros(512);
                assertThat(b.data()).isNotSameAs(a.data());
            }
            assertThat(Arena.current()).isSameAs(outer);
            assertThat(a.toFloatArray()).hasSize(512);
        }
        assertThat(Arena.current()).isNull();
    }
}
