package org.intervene4j.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.intervene4j.bench.torch.TorchGpt2ShapedStack;
import org.intervene4j.bench.torch.TorchSupport;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** Both benchmark stacks against a float64 reference, on a small configuration. */
class StackParityTest {
    /** Small but with every feature: 2 heads, MLP wider than d, T after block 2 of 3, seq 5. */
    private static final StackConfig SMALL = new StackConfig(3, 16, 2, 40, 2, 5, 2);

    @Test
    void libtorchStackMatchesFloat64Reference() {
        StackWeights w = new StackWeights(SMALL, 7);
        double[] expected = ReferenceStack.forward(w);
        TorchGpt2ShapedStack lib = new TorchGpt2ShapedStack(w);
        float[] actual;
        try (PointerScope scope = new PointerScope()) {
            new NoGradGuard();
            actual = TorchSupport.toArray(lib.forward(lib.input(w)));
        }
        assertClose(actual, expected, 1e-4);
    }

    @Test
    void ourStackMatchesFloat64Reference() {
        StackWeights w = new StackWeights(SMALL, 7);
        double[] expected = ReferenceStack.forward(w);
        Gpt2ShapedStack ours = new Gpt2ShapedStack(w);
        float[] actual;
        try (GradMode off = GradMode.off()) {
            actual = ours.forward(Tensor.of(w.input.clone(), SMALL.batch(), SMALL.seq(), SMALL.dModel()))
                    .toFloatArray();
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "engine ops not implemented yet: " + e.getMessage());
            return;
        }
        assertClose(actual, expected, 1e-4);
    }

    @Test
    void referenceIsCausal() {
        // Changing the last token's input must not change any earlier position's output.
        StackWeights w = new StackWeights(SMALL, 7);
        double[] before = ReferenceStack.forward(w);
        int d = SMALL.dModel();
        int last = SMALL.seq() - 1;
        for (int j = 0; j < d; j++) w.input[last * d + j] += 1f;
        double[] after = ReferenceStack.forward(w);
        for (int i = 0; i < last * d; i++) assertThat(after[i]).isEqualTo(before[i]);
        assertThat(after[last * d]).isNotEqualTo(before[last * d]);
    }

    private static void assertClose(float[] actual, double[] expected, double tol) {
        assertThat(actual).hasSize(expected.length);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        assertThat(worst).as("max |actual - float64 reference|").isLessThan(tol);
    }
}
