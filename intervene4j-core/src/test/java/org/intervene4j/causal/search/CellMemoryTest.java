package org.intervene4j.causal.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.intervene4j.model.ModelInfo;
import org.junit.jupiter.api.Test;

class CellMemoryTest {
    static final ModelInfo TASK_MODEL = new ModelInfo("gpt2", 4, 64, 4, 4, 16, 256, 21, 32);
    static final ModelInfo LLAMA_7B = new ModelInfo("llama", 32, 4096, 32, 32, 128, 11008, 32000, 4096);

    @Test
    void aTinyModelRunsEveryRequestedCell() {
        // per token: (12*64 + 3*256 + 4*17) * 4 layers + 21/17 + 1 = 6418 floats; x 64 x 17 x 8 bytes
        assertThat(CellMemory.bytesPerCell(TASK_MODEL, 64, 17)).isEqualTo(8L * 64 * 17 * 6418);
        assertThat(CellMemory.parallelCells(2, TASK_MODEL, 64, 17, 800_000, 6L << 30)).isEqualTo(2);
    }

    @Test
    void a7bModelOn24GiBRunsOneCellAtATime() {
        long weights = 13_500_000_000L; // bf16
        long perCell = CellMemory.bytesPerCell(LLAMA_7B, 64, 90);
        assertThat(perCell).isGreaterThan(10L << 30);
        assertThat(CellMemory.parallelCells(2, LLAMA_7B, 64, 90, weights, 24L << 30)).isEqualTo(1);
        // and never zero, even when the weights leave nothing
        assertThat(CellMemory.parallelCells(4, LLAMA_7B, 64, 90, weights, 8L << 30)).isEqualTo(1);
    }
}
