package org.intervene4j.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.HalfFormat;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.CheckpointException;
import org.intervene4j.io.DType;
import org.intervene4j.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading F16/BF16 matrices compact: exact bits, shape checks, and errors for what cannot be compact. */
class CheckpointDirHalfTest {
    @TempDir
    Path dir;

    private CheckpointDir write(DType dtype, Map<String, Tensor> tensors) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, dtype, null);
        return CheckpointDir.open(dir);
    }

    @Test
    void halfMatricesKeepTheStoredBits() throws IOException {
        // 1/3 is not representable in either format: the compact matrix must hold the stored (rounded) value.
        Tensor t = Tensor.of(new float[] {1f / 3, -2.5f, 65504f, 1e-7f, 0f, -0f}, 2, 3);
        for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
            HalfFormat format = dtype == DType.F16 ? HalfFormat.F16 : HalfFormat.BF16;
            try (CheckpointDir c = write(dtype, Map.of("model.w", t))) {
                assertThat(c.isHalf("w", "model.")).isTrue();
                HalfMatrix h = c.readHalf("w", new int[] {2, 3}, "model.");
                assertThat(h.format()).isEqualTo(format);
                assertThat(h.shape()).containsExactly(2, 3);
                assertThat(h.bytesHeld()).isEqualTo(12);
                assertThat(h.toTensor().toFloatArray()).as("%s", dtype).containsExactly(c.read("w", null, "model.").toFloatArray());
                assertThat(h.get(0, 0)).isEqualTo(format.toFloat(format.fromFloat(1f / 3)));
                assertThatThrownBy(() -> c.readHalf("w", new int[] {3, 2}, "model.")).isInstanceOf(CheckpointException.class)
                        .hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
            }
        }
    }

    @Test
    void fp32AndNonMatrixTensorsAreNotReadCompact() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.ones(2, 2));
        try (CheckpointDir c = write(DType.F32, m)) {
            assertThat(c.isHalf("w")).isFalse();
            assertThatThrownBy(() -> c.readHalf("w", null)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'w'").hasMessageContaining("F32");
        }
        m.put("v", Tensor.ones(4));
        try (CheckpointDir c = write(DType.BF16, m)) {
            assertThat(c.isHalf("v")).isTrue();
            assertThatThrownBy(() -> c.readHalf("v", null)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'v'").hasMessageContaining("2-d");
        }
    }
}
