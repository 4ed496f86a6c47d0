package org.intervene4j.model.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** A weight packed while frozen and later given requiresGrad(true) by its owner. */
class WeightMatrixTrainableTest {
    @Test
    void aWeightThatStartsRequiringAGradientAfterPackingStillGetsOne() {
        Random rng = new Random(1);
        Tensor dense = Tensor.randn(rng, 1f, 24, 16);
        WeightMatrix w = WeightMatrix.of(dense);
        Tensor x = Tensor.randn(rng, 1f, 32, 16);
        WeightMatrix.linear(x, w, null); // packs
        dense.requiresGrad(true);         // e.g. fine-tuning the loaded weight
        Ops.sum(WeightMatrix.linear(x, w, null)).backward();
        assertThat(dense.grad()).as("gradient of the weight").isNotNull();
    }
}
