package org.intervene4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

/** Parameter registration, naming, counting and initialization (no ops involved). */
class ModuleTest {
    private static TinyDecoder.Config config(boolean tied) {
        return new TinyDecoder.Config(11, 12, 16, 2, 2, 64, tied);
    }

    @Test
    void decoderParametersHaveStableDottedNamesInRegistrationOrder() {
        TinyDecoder model = new TinyDecoder(config(false), new Random(1));
        List<String> names = List.copyOf(model.parameters().keySet());
        assertThat(names.subList(0, 14)).containsExactly(
                "tokens.weight", "positions.weight",
                "blocks.0.ln1.weight", "blocks.0.ln1.bias",
                "blocks.0.attn.query.weight", "blocks.0.attn.query.bias",
                "blocks.0.attn.key.weight", "blocks.0.attn.key.bias",
                "blocks.0.attn.value.weight", "blocks.0.attn.value.bias",
                "blocks.0.attn.output.weight", "blocks.0.attn.output.bias",
                "blocks.0.ln2.weight", "blocks.0.ln2.bias");
        assertThat(names).contains("blocks.1.mlp.proj.bias");
        assertThat(names.subList(names.size() - 3, names.size()))
                .containsExactly("norm.weight", "norm.bias", "head.weight");
        assertThat(model.parameters().get("blocks.1.mlp.fc.weight").shape()).containsExactly(64, 16);
        assertThat(model.parameters().values()).allMatch(Tensor::requiresGrad);
    }

    @Test
    void parameterCountMatchesTheArchitecture() {
        int v = 11, t = 12, d = 16, h = 64, layers = 2;
        long block = 2 * 2L * d              // two layer norms
                + 4L * (d * d + d)           // q, k, v, output projections
                + (d * h + h) + (h * d + d); // mlp
        long tied = (long) v * d + (long) t * d + layers * block + 2L * d;
        assertThat(new TinyDecoder(config(true), new Random(1)).parameterCount()).isEqualTo(tied);
        assertThat(new TinyDecoder(config(false), new Random(1)).parameterCount()).isEqualTo(tied + (long) v * d);
        assertThat(new TinyDecoder(config(true), new Random(1)).parameters()).doesNotContainKey("head.weight");
        assertThat(new TinyDecoder(config(true), new Random(1)).summary())
                .contains("blocks.1.mlp.fc.weight").contains("[64, 16]").containsPattern("total\\s+" + String.format("%,d", tied));
    }

    @Test
    void sameSeedGivesSameWeightsAndAnotherSeedDoesNot() {
        float[] a = new TinyDecoder(config(true), new Random(7)).parameters().get("blocks.1.attn.key.weight").toFloatArray();
        float[] b = new TinyDecoder(config(true), new Random(7)).parameters().get("blocks.1.attn.key.weight").toFloatArray();
        float[] c = new TinyDecoder(config(true), new Random(8)).parameters().get("blocks.1.attn.key.weight").toFloatArray();
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void linearInitIsUniformWithinOneOverSqrtFanIn() {
        Linear layer = new Linear(100, 300, new Random(3));
        float bound = 0.1f; // 1 / sqrt(100)
        float[] w = layer.weight().toFloatArray();
        double mean = 0, sq = 0;
        float max = 0;
        for (float x : w) {
            mean += x;
            sq += x * x;
            max = Math.max(max, Math.abs(x));
        }
        mean /= w.length;
        double variance = sq / w.length - mean * mean;
        assertThat(max).isLessThanOrEqualTo(bound);
        assertThat(max).isGreaterThan(0.99f * bound);
        assertThat(mean).isCloseTo(0, org.assertj.core.data.Offset.offset(0.002));
        // Uniform(-b, b) has variance b^2 / 3.
        assertThat(variance).isCloseTo(bound * bound / 3.0, org.assertj.core.data.Offset.offset(1e-4));
        for (float x : layer.bias().toFloatArray()) assertThat(Math.abs(x)).isLessThanOrEqualTo(bound);
        assertThat(new Linear(4, 5, false, new Random(1)).parameters()).containsOnlyKeys("weight");
    }

    @Test
    void freezingTurnsOffGradientsEverywhere() {
        TinyDecoder model = new TinyDecoder(config(true), new Random(1));
        model.requiresGrad(false);
        assertThat(model.parameters().values()).noneMatch(Tensor::requiresGrad);
    }

    @Test
    void badNamesAndDuplicatesAreRejected() {
        class Twice extends Module {
            Twice(String second) {
                param("w", Tensor.zerosPersistent(2));
                param(second, Tensor.zerosPersistent(2));
            }
        }
        assertThatThrownBy(() -> new Twice("w")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'w'");
        assertThatThrownBy(() -> new Twice("a.b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'.'");
        assertThatThrownBy(() -> new CausalSelfAttention(10, 3, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not divisible by 3 heads");
    }
}
