package org.intervene4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * F16/BF16 checkpoints stay compact: every matrix is held at 2 bytes per value, only norms and
 * biases are widened; fp32 checkpoints hold 4 bytes per value. Parameter counts follow the
 * config (tied matrices once).
 */
class HalfWeightsFootprintTest {
    private static WeightFootprint footprint(String variant) throws Exception {
        Path dir = FixtureParityTest.fixtures().resolve(variant);
        return Models.loadCausalLM(dir).weightFootprint();
    }

    /** Llama parameters: embeddings (+ lm_head when untied), per layer q/k/v/o, gate/up/down, two norms; final norm. */
    private static long llamaParams(ModelInfo i, boolean tied) {
        long d = i.dModel();
        long q = (long) i.heads() * i.headDim();
        long kv = (long) i.kvHeads() * i.headDim();
        long perLayer = d * q + 2 * d * kv + q * d + 3 * d * i.dFf() + 2 * d;
        return (tied ? 1 : 2) * (long) i.vocab() * d + i.layers() * perLayer + d;
    }

    @Test
    void bf16AndF16LlamaHoldTwoBytesPerMatrixValue() throws Exception {
        for (String variant : new String[] {"llama_bf16", "llama_f16", "llama"}) {
            Path dir = FixtureParityTest.fixtures().resolve(variant);
            CausalLM model = Models.loadCausalLM(dir);
            ModelInfo i = model.info();
            WeightFootprint f = model.weightFootprint();
            long norms = (2L * i.layers() + 1) * i.dModel();
            long matrices = f.parameters() - norms;
            assertThat(f.parameters()).as(variant).isIn(llamaParams(i, true), llamaParams(i, false));
            long bytesPerMatrixValue = variant.equals("llama") ? 4 : 2;
            assertThat(f.bytes()).as("%s: %s", variant, f).isEqualTo(bytesPerMatrixValue * matrices + 4 * norms);
        }
        assertThat(footprint("llama_bf16").bytesPerParameter()).isLessThan(2.1);
        assertThat(footprint("llama").bytesPerParameter()).isEqualTo(4.0);
    }

    @Test
    void halfGpt2IsAboutHalfTheFp32Size() throws Exception {
        WeightFootprint half = footprint("gpt2_bf16");
        WeightFootprint full = footprint("gpt2");
        assertThat(half.parameters()).isEqualTo(full.parameters());
        assertThat(half.bytesPerParameter()).as("%s", half).isLessThan(2.2);
        assertThat(full.bytesPerParameter()).isEqualTo(4.0);
    }
}
