package org.intervene4j.bench.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.intervene4j.bench.torch.TorchCausalLM;
import org.intervene4j.bench.torch.TorchCheckpoint;
import org.intervene4j.bench.torch.TorchGpt2;
import org.intervene4j.bench.torch.TorchLlama;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.io.DType;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libtorch models of the {@code model} benchmark compute what our models compute, on tiny
 * random checkpoints written by {@link RandomCheckpoints}: same greedy tokens and prefill logits (last position)
 * within fp32 rounding (float32 weights), KV-cache decoding included.
 */
class ModelParityTest {
    @TempDir
    Path tmp;

    @Test
    void tinyLlamaMatchesOurs() throws Exception {
        // GQA (4 heads over 2 kv heads), llama3 rope scaling, tied embeddings, BF16 storage
        RandomCheckpoints.Layout layout = RandomCheckpoints.llama("tiny-llama", 2, 64, 4, 2, 16, 96, 101, DType.BF16);
        checkParity(RandomCheckpoints.ensure(tmp, layout, 3), false);
    }

    @Test
    void tinyGpt2MatchesOurs() throws Exception {
        RandomCheckpoints.Layout layout = RandomCheckpoints.gpt2("tiny-gpt2", 2, 32, 4, 97, 64, DType.F32);
        checkParity(RandomCheckpoints.ensure(tmp, layout, 3), true);
    }

    @Test
    void cachedCheckpointIsReused() throws Exception {
        RandomCheckpoints.Layout layout = RandomCheckpoints.gpt2("tiny-gpt2", 1, 16, 2, 50, 16, DType.F32);
        Path dir = RandomCheckpoints.ensure(tmp, layout, 5);
        Path file = dir.resolve("model.safetensors");
        long modified = Files.getLastModifiedTime(file).toMillis();
        Thread.sleep(20);
        assertThat(RandomCheckpoints.ensure(tmp, layout, 5)).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
        RandomCheckpoints.ensure(tmp, layout, 6); // another seed: rewritten
        assertThat(Files.getLastModifiedTime(file).toMillis()).isNotEqualTo(modified);
    }

    private static void checkParity(Path dir, boolean gpt2) {
        TorchSupport.setThreads(1);
        CausalLM ours = Models.loadCausalLM(dir);
        try (CheckpointDir ckpt = CheckpointDir.open(dir);
             TorchCausalLM lib = gpt2 ? new TorchGpt2(ckpt, new TorchCheckpoint(ckpt, ScalarType.Float))
                     : new TorchLlama(ckpt, new TorchCheckpoint(ckpt, ScalarType.Float))) {
            int[] prompt = {5, 17, 3, 42, 8, 1, 29};
            GenerationRunner.Run a = GenerationRunner.ours(ours).run(prompt, 6, true);
            GenerationRunner.Run b = GenerationRunner.libtorch(lib).run(prompt, 6, true);
            // both prefills run the LM head on the last prompt position only
            assertThat(a.prefillLogits()).hasSize(ours.info().vocab());
            assertThat(b.prefillLogits()).hasSize(ours.info().vocab());
            double maxLogit = ModelBench.StackMath.maxAbs(a.prefillLogits());
            assertThat(maxLogit).isGreaterThan(0.01);
            assertThat(ModelBench.StackMath.maxAbsDiff(a.prefillLogits(), b.prefillLogits())).isLessThan(1e-5 * Math.max(1, maxLogit));
            assertThat(b.generated()).containsExactly(a.generated());
        }
    }
}
