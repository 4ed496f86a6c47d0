package org.intervene4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.io.hf.CheckpointDir;
import org.intervene4j.model.bert.BertModel;
import org.intervene4j.site.Sites;
import org.junit.jupiter.api.Test;

/** BERT (token types, pooler, tied MLM head) against the float64 reference at every site and head. */
class BertParityTest {
    @Test
    void everySiteAndHeadMatches() throws Exception {
        Path dir = FixtureParityTest.fixtures().resolve("bert");
        JsonNode meta = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("expected.json")));
        BertModel model;
        try (CheckpointDir ckpt = CheckpointDir.open(dir)) {
            model = BertModel.load(ckpt);
        }
        assertThat(model.hasMaskedLmHead()).isTrue();
        try (SafetensorsFile expected = SafetensorsFile.open(dir.resolve("expected.safetensors"));
             GradMode off = GradMode.off()) {
            for (int ex = 0; ex < meta.get("ids").size(); ex++) {
                int[] ids = ints(meta.get("ids").get(ex));
                int[] types = ints(meta.get("token_type_ids").get(ex));
                TokenBatch batch = TokenBatch.of(ids);
                Map<String, Tensor> seen = new HashMap<>();
                Tensor hidden = model.forward(batch, new int[][] {types}, Sites.with(model.info().layers(), (site, x) -> {
                    seen.put(site.name(), x.persist());
                    return x;
                }));
                seen.put("last_hidden_state", hidden);
                seen.put("pooler_output", model.pooled(hidden, batch));
                seen.put("mean_pooling", model.meanPooled(hidden, batch));
                seen.put("logits", model.maskedLmLogits(hidden));
                for (JsonNode s : meta.get("sites")) {
                    String site = s.asText();
                    Tensor want = expected.readFloat("ex" + ex + "." + site);
                    Tensor got = seen.get(site);
                    assertThat(got).as("bert ex%d: %s not produced", ex, site).isNotNull();
                    assertThat(got.shape()).as("bert ex%d %s shape", ex, site).containsExactly(want.shape());
                    float[] g = got.toFloatArray();
                    float[] w = want.toFloatArray();
                    double scale = 1;
                    double worst = 0;
                    for (int i = 0; i < w.length; i++) {
                        scale = Math.max(scale, Math.abs(w[i]));
                        worst = Math.max(worst, Math.abs(g[i] - w[i]));
                    }
                    assertThat(worst).as("bert ex%d %s max error", ex, site).isLessThanOrEqualTo(2e-5 * scale);
                }
            }
        }
    }

    private static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = n.get(i).asInt();
        return out;
    }
}
