package org.intervene4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReversalTaskTest {
    private final ReversalTask task = new ReversalTask(10, 4);

    @Test
    void rowsAreTheSequenceMinusItsLastTokenThenPadding() {
        ReversalTask.Batch b = task.batch(new int[][] {{3, 1, 4}, {7}});
        int sep = 10, pad = 11, x = ReversalTask.IGNORE;
        assertThat(b.inputs()[0]).containsExactly(3, 1, 4, sep, 4, 1, pad, pad);
        assertThat(b.inputs()[1]).containsExactly(7, sep, pad, pad, pad, pad, pad, pad);
        // Only the positions from the separator on predict output digits.
        assertThat(Arrays.copyOfRange(b.targets(), 0, 8)).containsExactly(x, x, x, 4, 1, 3, x, x);
        assertThat(Arrays.copyOfRange(b.targets(), 8, 16)).containsExactly(x, 7, x, x, x, x, x, x);
    }

    @Test
    void lengthsCoverOneToTheMaximum() {
        ReversalTask.Batch b = task.trainBatch(new Random(2), 400);
        int[] seen = new int[5];
        for (int[] row : b.inputs()) {
            int len = 0;
            while (row[len] != 10) len++;
            seen[len]++;
        }
        assertThat(seen[0]).isZero();
        for (int len = 1; len <= 4; len++) assertThat(seen[len]).as("length %d", len).isGreaterThan(50);
    }

    @Test
    void trainingNeverSamplesAHeldOutString() {
        Random rng = new Random(1);
        for (int[] row : task.trainBatch(rng, 2000).inputs()) {
            int len = 0;
            while (row[len] != 10) len++;
            assertThat(ReversalTask.isHeldOut(Arrays.copyOf(row, len))).isFalse();
        }
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
