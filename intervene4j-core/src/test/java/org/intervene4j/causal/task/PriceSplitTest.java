package org.intervene4j.causal.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training never draws a held-out input, and the held-out share is what the split promises. */
class PriceSplitTest {
    @Test
    void aboutOneInputInTwentyIsHeldOut() {
        Random rng = new Random(1);
        int held = 0;
        int n = 40_000;
        for (int i = 0; i < n; i++) if (PriceSplit.heldOut(PriceInput.sample(rng))) held++;
        // binomial(40000, 0.05): mean 2000, sd ~44
        assertThat(held).isBetween(1800, 2200);
    }

    @Test
    void trainingAndHeldOutSamplersStayOnTheirSide() {
        Random rng = new Random(2);
        int near = 0;
        for (int i = 0; i < 5000; i++) {
            assertThat(PriceSplit.heldOut(PriceSplit.sampleTraining(rng))).isFalse();
            PriceInput boundary = PriceSplit.sampleTraining(rng, 1.0);
            assertThat(PriceSplit.heldOut(boundary)).isFalse();
            int distance = Math.min(Math.abs(boundary.amount() - boundary.lo()), Math.abs(boundary.amount() - boundary.hi()));
            assertThat(distance).isLessThanOrEqualTo(PriceSplit.NEAR);
            if (distance <= 2) near++;
            assertThat(PriceSplit.heldOut(PriceSplit.sampleHeldOut(rng))).isTrue();
        }
        // within 2 cents of a boundary: about 5 of the 61 offsets
        assertThat(near).isBetween(300, 520);
    }

    @Test
    void heldOutSetsAreReproducibleAndBalancedEnough() {
        var a = PriceSplit.heldOutSet(9, 2000);
        assertThat(PriceSplit.heldOutSet(9, 2000)).isEqualTo(a);
        long inside = a.stream().filter(PriceInput::inside).count();
        assertThat(inside).isBetween(700L, 1300L);
    }
}
