package org.intervene4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Random rng = new Random(3);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("wte.weight", Tensor.randn(rng, 1f, 5, 4));
        m.put("ln.bias", Tensor.randn(rng, 1f, 4));
        m.put("scalar", Tensor.scalar(2.5f));
        m.put("empty", Tensor.zerosPersistent(0, 3));
        return m;
    }

    @Test
    void f32RoundTripIsExactAndKeepsOrderAndMetadata() {
        Path f = dir.resolve("model.safetensors");
        Map<String, Tensor> m = sample();
        SafetensorsWriter.write(f, m, DType.F32, Map.of("format", "pt"));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertThat(st.names()).containsExactly("wte.weight", "ln.bias", "scalar", "empty");
            assertThat(st.metadata()).containsEntry("format", "pt");
            for (String name : m.keySet()) {
                assertThat(st.info(name).shape()).containsExactly(m.get(name).shape());
                assertThat(st.readFloat(name).toFloatArray()).containsExactly(m.get(name).toFloatArray());
            }
        }
    }

    @Test
    void halfPrecisionRoundTripsWithinItsRounding() throws IOException {
        for (DType d : new DType[] {DType.F16, DType.BF16}) {
            Path f = dir.resolve("model-" + d + ".safetensors");
            Map<String, Tensor> m = sample();
            SafetensorsWriter.write(f, m, d, null);
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                assertThat(st.info("wte.weight").dtype()).isEqualTo(d);
                float[] want = m.get("wte.weight").toFloatArray();
                float[] got = st.readFloat("wte.weight").toFloatArray();
                double rel = d == DType.F16 ? 1.0 / 2048 : 1.0 / 256;
                for (int i = 0; i < want.length; i++) {
                    assertThat((double) Math.abs(got[i] - want[i])).isLessThanOrEqualTo(rel * Math.abs(want[i]) + 1e-7);
                }
                assertThat(Files.size(f)).isLessThan(8 + 400 + 2L * 25 + 16); // 2 bytes per element
            }
        }
    }

    @Test
    void headerIsEightByteAligned() throws IOException {
        Path f = dir.resolve("a.safetensors");
        SafetensorsWriter.write(f, sample(), DType.F32, null);
        long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
    }

    // ---------------------------------------------------------------- malformed files

    private Path raw(String name, String header, int dataBytes, long declaredLength) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength < 0 ? h.length : declaredLength).put(h);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private Path raw(String name, String header, int dataBytes) throws IOException {
        return raw(name, header, dataBytes, -1);
    }

    @Test
    void truncatedFilesAreNamed() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(tiny)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tiny.safetensors").hasMessageContaining("truncated");
        Path cut = raw("cut.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(cut)).hasMessageContaining("cut.safetensors")
                .hasMessageContaining("tensor 'a'").hasMessageContaining("run past the end");
        Path longHeader = raw("long.safetensors", "{}", 0, 5000);
        assertThatThrownBy(() -> SafetensorsFile.open(longHeader)).hasMessageContaining("header length 5000")
                .hasMessageContaining("truncated");
        Path huge = raw("huge.safetensors", "{}", 0, 1L << 40);
        assertThatThrownBy(() -> SafetensorsFile.open(huge)).hasMessageContaining("outside");
    }

    @Test
    void lyingHeadersAreRejected() throws IOException {
        Path size = raw("size.safetensors", "{\"a\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[0,20]}}", 20);
        assertThatThrownBy(() -> SafetensorsFile.open(size)).hasMessageContaining("tensor 'a'")
                .hasMessageContaining("needs 24 bytes").hasMessageContaining("span 20");
        Path overlap = raw("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertThatThrownBy(() -> SafetensorsFile.open(overlap)).hasMessageContaining("'a' and 'b' overlap");
        Path hole = raw("hole.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertThatThrownBy(() -> SafetensorsFile.open(hole)).hasMessageContaining("belong to no tensor");
        Path dtype = raw("dtype.safetensors", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        assertThatThrownBy(() -> SafetensorsFile.open(dtype)).hasMessageContaining("unknown dtype 'F8_E4M3'");
        Path json = raw("json.safetensors", "{\"a\": [", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(json)).hasMessageContaining("not valid JSON");
        Path reversed = raw("rev.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4);
        assertThatThrownBy(() -> SafetensorsFile.open(reversed)).hasMessageContaining("not an increasing range");
        Path ints = raw("ints.safetensors", "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        try (SafetensorsFile st = SafetensorsFile.open(ints)) {
            assertThatThrownBy(() -> st.readFloat("a")).hasMessageContaining("dtype I64");
            assertThatThrownBy(() -> st.info("missing")).hasMessageContaining("no tensor named 'missing'");
        }
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("nope.safetensors"))).hasMessageContaining("file not found");
    }
}
