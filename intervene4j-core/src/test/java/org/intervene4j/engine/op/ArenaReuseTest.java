package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.Supplier;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Ops that allocate with {@code Tensor.empty} must overwrite every element: inside an arena
 * they receive recycled buffers. Here the recycled buffers are full of NaN.
 */
class ArenaReuseTest {

    /** Leaves NaN-filled buffers of each size in the pool, then runs f inside a fresh arena. */
    private static float[] inDirtyArena(Supplier<Tensor> f, int... sizes) {
        try (Arena dirt = Arena.open()) {
            for (int n : sizes) {
                for (int copies = 0; copies < 4; copies++) Tensor.full(Float.NaN, n);
            }
        }
        try (Arena step = Arena.open()) {
            return f.get().toFloatArray();
        }
    }

    private static void same(String what, Supplier<Tensor> f, int... sizes) {
        float[] clean = f.get().toFloatArray();
        float[] reused = inDirtyArena(f, sizes);
        assertThat(reused).as(what).containsExactly(clean);
    }

    @Test
    void everyOpOverwritesItsRecycledOutputBuffers() {
        Random rng = new Random(1);
        Tensor s = Tensor.randn(rng, 1f, 1, 2, 6, 8); // 96 elements
        Tensor mask = Tensor.of(new float[] {1, 1, 0, 1, 1, 1, 1, 1}, 1, 8);
        same("maskedSoftmax", () -> Ops.maskedSoftmax(s, true, mask), 96);
        same("softmax", () -> Ops.softmax(s), 96);
        same("logSoftmax", () -> Ops.logSoftmax(s), 96);
        Tensor x = Tensor.randn(rng, 1f, 12, 8);
        same("layerNorm", () -> Ops.layerNorm(x, null, null, 1e-5f), 96);
        same("rmsNorm", () -> Ops.rmsNorm(x, null, 1e-5f), 96);
        Tensor[] cs = RotaryTables.tables(new int[][] {{0, 1, 2, 3, 4, 5}}, RotaryTables.inverseFrequencies(4, 10000));
        same("rotary partial", () -> Ops.rotary(s, cs[0], cs[1]), 96);
        Tensor w = Tensor.randn(rng, 1f, 10, 16);
        same("embedding", () -> Ops.embedding(w, new int[] {1, 2, 3, 9, 0, 1}), 96);
        same("indexSelect", () -> Ops.indexSelect(x, 0, new int[] {0, 11, 3, 3, 5, 6, 7, 8, 9, 10, 1, 2}), 96);
        Tensor src = Tensor.randn(rng, 1f, 12, 2);
        same("indexCopy", () -> Ops.indexCopy(x, 1, new int[] {7, 0}, src), 96);
        same("indexAdd", () -> Ops.indexAdd(x, 1, new int[] {7, 7}, src), 96);
        same("concat", () -> Ops.concat(1, x.narrow(1, 0, 3), x.narrow(1, 3, 5)), 96);
        same("stack", () -> Ops.stack(1, x.narrow(0, 0, 6), x.narrow(0, 6, 6)), 96);
    }

    @Test
    void backwardsOverwriteTheirRecycledBuffers() {
        Random rng = new Random(2);
        Tensor logits = Tensor.randn(rng, 1f, 8, 12).requiresGrad(true);
        int[] t = {0, -100, 3, 4, -100, 11, 1, 2};
        same("crossEntropy backward", () -> {
            logits.zeroGrad();
            Ops.crossEntropy(logits, t, -100).backward();
            return logits.grad();
        }, 96);
        Tensor x = Tensor.randn(rng, 1f, 12, 8).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 1f, 12, 8);
        Tensor src = Tensor.randn(rng, 1f, 12, 2);
        same("indexCopy backward", () -> {
            x.zeroGrad();
            Ops.indexCopy(x, 1, new int[] {7, 0}, src).backward(g);
            return x.grad();
        }, 96);
        same("softmax backward", () -> {
            x.zeroGrad();
            Ops.softmax(x).backward(g);
            return x.grad();
        }, 96);
        same("layerNorm backward", () -> {
            x.zeroGrad();
            Ops.layerNorm(x, null, null, 1e-5f).backward(g);
            return x.grad();
        }, 96);
    }
}
