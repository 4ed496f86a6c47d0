package org.intervene4j.model.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.intervene4j.engine.HalfFormat;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A model weight is prepacked on the first product of {@link WeightMatrix#PACK_MIN_ROWS} or more
 * rows, and only then; packed and unpacked products agree; a weight whose fp32 tensor was handed
 * out (and so may be edited) is never packed again, so edits take effect.
 */
class WeightMatrixPackingTest {
    @Test
    void packsOnTheFirstLongProductOnlyAndAgreesWithThePlainProduct() {
        Random rng = new Random(5);
        Tensor dense = Tensor.randn(rng, 0.2f, 48, 40);
        for (WeightMatrix w : new WeightMatrix[] {WeightMatrix.of(dense), WeightMatrix.of(HalfMatrix.round(dense, HalfFormat.BF16))}) {
            Tensor plainWeight = w.isHalf() ? w.half().toTensor() : dense;
            Tensor shortX = Tensor.randn(rng, 1f, WeightMatrix.PACK_MIN_ROWS - 1, 40);
            Tensor y = WeightMatrix.linear(shortX, w, null);
            assertThat(w.packedBytes()).as("no copy for a short product").isZero();
            assertThat(y.toFloatArray()).containsExactly(Ops.linear(shortX, plainWeight, null).toFloatArray());

            Tensor longX = Tensor.randn(rng, 1f, 2, WeightMatrix.PACK_MIN_ROWS, 40);
            Tensor bias = Tensor.randn(rng, 1f, 48);
            Tensor packed = WeightMatrix.linear(longX, w, bias);
            assertThat(w.packedBytes()).as("packed copy of W^T, panels padded to the kernel width")
                    .isGreaterThanOrEqualTo((w.isHalf() ? 2L : 4L) * 48 * 40);
            float[] want = Ops.linear(longX, plainWeight, bias).toFloatArray();
            float[] got = packed.toFloatArray();
            for (int i = 0; i < want.length; i++) assertThat(got[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void aHandedOutWeightIsNotPackedSoEditsTakeEffect() {
        Random rng = new Random(6);
        WeightMatrix w = WeightMatrix.of(Tensor.randn(rng, 1f, 24, 16));
        Tensor x = Tensor.randn(rng, 1f, 32, 16);
        WeightMatrix.linear(x, w, null);
        assertThat(w.packedBytes()).isPositive();
        Tensor editable = w.toTensor();
        assertThat(w.packedBytes()).isZero();
        editable.fill(0f); // e.g. ablating the whole matrix in place
        assertThat(WeightMatrix.linear(x, w, null).toFloatArray()).containsOnly(0f);
        assertThat(w.packedBytes()).isZero();
    }
}
