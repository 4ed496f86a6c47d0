package org.intervene4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ReversalTaskTest {
    private final ReversalTask task = new ReversalTask(10, 3);

    @Test
    void rowsAreTheSequenceMinusItsLastTokenAndTargetsTheReversedDigits() {
        ReversalTask.Batch b = task.batch(new int[][] {{3, 1, 4}});
        assertThat(b.inputs()[0]).containsExactly(3, 1, 4, 10, 4, 1);
        // Positions 0-2 predict digits of the input (not scored), 3-5 the reversal.
        assertThat(b.targets()).containsExactly(-1, -1, -1, 4, 1, 3);
    }

    @Test
    void trainingNeverSamplesAHeldOutString() {
        Random rng = new Random(1);
        ReversalTask.Batch b = task.trainBatch(rng, 2000);
        for (int[] row : b.inputs()) assertThat(ReversalTask.isHeldOut(java.util.Arrays.copyOf(row, 3))).isFalse();
        for (int[] s : task.heldOut(rng, 200)) assertThat(ReversalTask.isHeldOut(s)).isTrue();
    }

    @Test
    void aboutOneStringInFiveIsHeldOut() {
        int held = 0;
        for (int n = 0; n < 1000; n++) {
            if (ReversalTask.isHeldOut(new int[] {n / 100, (n / 10) % 10, n % 10})) held++;
        }
        assertThat(held).isBetween(150, 250);
    }

    @Test
    void sameSeedSameBatch() {
        assertThat(task.trainBatch(new Random(9), 5).inputs()).isDeepEqualTo(task.trainBatch(new Random(9), 5).inputs());
    }
}
