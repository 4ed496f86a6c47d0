package org.intervene4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class GradClipTest {
    @Test
    void clipsGlobalNormAcrossParametersAndReturnsThePreClipNorm() {
        Tensor a = Tensor.zerosPersistent(2).requiresGrad(true);
        Tensor b = Tensor.zerosPersistent(1).requiresGrad(true);
        Tensor noGrad = Tensor.zerosPersistent(3).requiresGrad(true);
        Losses.setGrad(a, new float[] {3f, 4f});
        Losses.setGrad(b, new float[] {12f});
        List<Tensor> params = List.of(a, b, noGrad);
        double norm = GradClip.clipGradNorm(params, 6.5);
        assertThat(norm).isEqualTo(13.0);
        assertThat(a.grad().toFloatArray()).containsExactly(1.5f, 2f);
        assertThat(b.grad().toFloatArray()).containsExactly(6f);
        assertThat(GradClip.globalNorm(params)).isCloseTo(6.5, offset(1e-6));
        assertThat(noGrad.grad()).isNull();

        // below the limit: untouched
        double again = GradClip.clipGradNorm(params, 100);
        assertThat(again).isCloseTo(6.5, offset(1e-6));
        assertThat(b.grad().toFloatArray()).containsExactly(6f);
    }

    @Test
    void nonFiniteNormLeavesGradientsAlone() {
        Tensor a = Tensor.zerosPersistent(2).requiresGrad(true);
        Losses.setGrad(a, new float[] {Float.NaN, 1f});
        assertThat(GradClip.clipGradNorm(List.of(a), 1.0)).isNaN();
        assertThat(a.grad().toFloatArray()[1]).isEqualTo(1f);
    }

    @Test
    void clipsValues() {
        Tensor a = Tensor.zerosPersistent(4).requiresGrad(true);
        Losses.setGrad(a, new float[] {-3f, 0.25f, 2f, -0.5f});
        GradClip.clipGradValue(List.of(a), 0.5);
        assertThat(a.grad().toFloatArray()).containsExactly(-0.5f, 0.25f, 0.5f, -0.5f);
    }

    @Test
    void rejectsBadLimits() {
        assertThatThrownBy(() -> GradClip.clipGradNorm(List.of(), 0)).hasMessageContaining("maxNorm");
        assertThatThrownBy(() -> GradClip.clipGradValue(List.of(), -1)).hasMessageContaining("clip");
    }
}
