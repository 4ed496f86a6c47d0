package org.intervene4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.site.Sites;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every decoder fixture (tools/reference: a float64 numpy implementation of the Hugging Face
 * definitions) matches at every site: max |java - expected| <= 2e-5 * max(1, max |expected|),
 * and logits within 1e-4 absolute.
 */
class FixtureParityTest {
    static Path fixtures() {
        return org.intervene4j.testing.Fixtures.dir();
    }

    static Stream<String> decoderVariants() throws Exception {
        JsonNode index = new ObjectMapper().readTree(Files.readAllBytes(fixtures().resolve("index.json")));
        List<String> out = new ArrayList<>();
        for (JsonNode v : index.get("variants")) {
            if (!v.get("model_type").asText().equals("bert")) out.add(v.get("variant").asText());
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("decoderVariants")
    void everySiteMatchesTheFloat64Reference(String variant) throws Exception {
        Path dir = fixtures().resolve(variant);
        JsonNode meta = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("expected.json")));
        CausalLM model = Models.loadCausalLM(dir);
        try (SafetensorsFile expected = SafetensorsFile.open(dir.resolve("expected.safetensors"));
             GradMode off = GradMode.off()) {
            JsonNode ids = meta.get("ids");
            for (int ex = 0; ex < ids.size(); ex++) {
                int[] tokens = new int[ids.get(ex).size()];
                for (int t = 0; t < tokens.length; t++) tokens[t] = ids.get(ex).get(t).asInt();
                Map<String, Tensor> seen = new HashMap<>();
                Tensor logits = model.forward(TokenBatch.of(tokens),
                        Sites.with(model.info().layers(), (site, x) -> {
                            seen.put(site.name(), x.persist());
                            return x;
                        }), null);
                for (JsonNode siteNode : meta.get("sites")) {
                    String site = siteNode.asText();
                    Tensor want = expected.readFloat("ex" + ex + "." + site);
                    Tensor got = seen.get(site);
                    assertThat(got).as("%s ex%d: site %s was never called", variant, ex, site).isNotNull();
                    assertThat(got.shape()).as("%s ex%d %s shape", variant, ex, site).containsExactly(want.shape());
                    assertClose(variant + " ex" + ex + " " + site, got.toFloatArray(), want.toFloatArray());
                }
                float[] w = expected.readFloat("ex" + ex + ".logits").toFloatArray();
                float[] g = logits.toFloatArray();
                double maxAbs = 0;
                for (int i = 0; i < w.length; i++) maxAbs = Math.max(maxAbs, Math.abs(g[i] - w[i]));
                assertThat(maxAbs).as("%s ex%d logits max abs error", variant, ex).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    private static void assertClose(String what, float[] got, float[] want) {
        double scale = 1;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(got[i] - want[i]);
            if (e > worst) {
                worst = e;
                at = i;
            }
        }
        assertThat(worst).as("%s: max error %.3g at flat index %d (scale %.3g)", what, worst, at, scale)
                .isLessThanOrEqualTo(2e-5 * scale);
    }
}
