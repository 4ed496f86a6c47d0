package org.intervene4j.intervention;

import static org.intervene4j.testing.Diffs.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cut forwards against the float64 reference of tools/reference/make_intervention_fixtures.py:
 * every reference case whose interventions all sit at position 4 or later of the 7-token base
 * runs under grad mode, cut at column 4, in a batch with a second, shorter example (padded left
 * or right) that no intervention touches; the kept logits of the base equal the case's
 * reference rows, and those of the second example its plain float64 logits (FixtureParityTest's
 * reference, whose ex0 and ex1 are the base and the source of the intervention cases).
 */
class PrefixCutParityTest {
    private static final int BASE_LENGTH = 7;
    private static final int[] BASE_LOGITS = {4, 5, 6};
    private static final int[] OTHER_LOGITS = {4, -1, 4}; // the 5-token example's last position, three times

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "gpt_neox"})
    void lateCasesRunCutMatchTheFloat64Reference(String variant) throws Exception {
        Path dir = Fixtures.dir().resolve(variant);
        ObjectMapper json = new ObjectMapper();
        JsonNode meta = json.readTree(dir.resolve("interventions.json").toFile());
        JsonNode plainMeta = json.readTree(dir.resolve("expected.json").toFile());
        PrefixCutTest.Recording rec = new PrefixCutTest.Recording(Fixtures.load(variant));
        int vocab = rec.info().vocab();
        int[] base = SpecJson.intsOf(meta.at("/base/ids"), "base.ids");
        int[] other = SpecJson.intsOf(meta.at("/sources/0/ids"), "sources[0].ids");
        // the plain reference's two examples are the base and the source of the cases
        assertThat(SpecJson.intsOf(plainMeta.at("/ids/0"), "ids[0]")).containsExactly(base);
        assertThat(SpecJson.intsOf(plainMeta.at("/ids/1"), "ids[1]")).containsExactly(other);
        assertThat(base).hasSize(BASE_LENGTH);
        int checked = 0;
        double worstRelative = 0;
        try (SafetensorsFile cases = SafetensorsFile.open(dir.resolve("interventions.safetensors"));
             SafetensorsFile plain = SafetensorsFile.open(dir.resolve("expected.safetensors"))) {
            float[] plainBase = plain.readFloat("ex0.logits").toFloatArray();   // [1, 7, V]
            float[] plainOther = plain.readFloat("ex1.logits").toFloatArray();  // [1, 5, V]
            JsonNode all = meta.get("cases");
            for (int c = 0; c < all.size(); c++) {
                List<InterventionSpec> specs = lateSpecs(all.get(c).get("interventions"), c, rec.info());
                if (specs == null) continue;
                checked++;
                float[] want = cases.readFloat("case" + c + ".logits").toFloatArray(); // [1, 7, V]
                for (PadSide side : PadSide.values()) {
                    TokenBatch batch = TokenBatch.padded(new int[][] {base, other}, side, 0)
                            .withLogitsAt(new int[][] {BASE_LOGITS, OTHER_LOGITS});
                    TokenBatch sources = TokenBatch.padded(new int[][] {other, other}, side, 0);
                    float[] got;
                    rec.batches.clear();
                    try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
                        got = new IntervenableModel(rec, training(specs, rec.info())).run(batch, List.of(sources)).logits()
                                .toFloatArray(); // [2, 3, V]
                    }
                    String what = variant + " case " + c + " (" + all.get(c).get("name").asText() + ") " + side;
                    assertThat(rec.seqs()).as(what).endsWith(4, 3); // cut at column 4: the prefix, then the last three columns
                    for (int j = 0; j < 3; j++) {
                        float[] wantRow = row(want, BASE_LOGITS[j], vocab);
                        double scale = scale(wantRow);
                        double err = maxAbsDiff(row(got, j, vocab), wantRow);
                        worstRelative = Math.max(worstRelative, err / scale);
                        assertThat(err).as("%s, base row %d", what, BASE_LOGITS[j]).isLessThanOrEqualTo(2e-5 * scale);
                        float[] otherRow = row(plainOther, OTHER_LOGITS[j] < 0 ? OTHER_LOGITS[j] + 5 : OTHER_LOGITS[j], vocab);
                        double otherErr = maxAbsDiff(row(got, 3 + j, vocab), otherRow);
                        assertThat(otherErr).as("%s, untouched example row %d", what, j).isLessThanOrEqualTo(2e-5 * scale(otherRow));
                    }
                }
                // the case moves the kept rows by far more than the tolerance, so a dropped or misplaced intervention fails
                double moved = 0;
                for (int p : BASE_LOGITS) moved = Math.max(moved, maxAbsDiff(row(want, p, vocab), row(plainBase, p, vocab)));
                assertThat(moved).as("%s case %d moves the kept rows", variant, c).isGreaterThan(100 * 2e-5 * scale(row(want, 6, vocab)));
            }
        }
        System.out.printf("PrefixCutParityTest %s: %d late cases, worst error / scale %.3g%n", variant, checked, worstRelative);
        assertThat(checked).isEqualTo(16); // 15 additions at position 4 and the vanilla at 6
    }

    /**
     * The case's specs with positions for two examples: the case's own for the base, none for the
     * second example; or null when some position is before 4 or a spec sits at final_norm/logits.
     */
    /**
     * {@code specs} as a training run: plus a trainable vector of zeros added at the last column
     * of block 0's MLP output (x + 0 = x exactly), so that the run is cut even when the case's
     * own interventions have nothing to train.
     */
    private static List<InterventionSpec> training(List<InterventionSpec> specs, org.intervene4j.model.ModelInfo info) {
        List<InterventionSpec> out = new ArrayList<>(specs);
        Tensor zeros = Tensor.zeros(info.dModel()).requiresGrad(true);
        Site site = Site.of(0, Component.MLP_OUTPUT);
        out.add(new InterventionSpec(site, site, Addition.ofVector(zeros), -1, Positions.perExample(new int[][] {{-1}, {}}), null,
                null, null));
        return out;
    }

    private static List<InterventionSpec> lateSpecs(JsonNode entries, int c, org.intervene4j.model.ModelInfo info) {
        List<InterventionSpec> out = new ArrayList<>();
        for (int k = 0; k < entries.size(); k++) {
            InterventionSpec s = SpecJson.readEntry(entries.get(k), "cases[" + c + "].interventions[" + k + "]", info, 1);
            Component comp = s.site().component();
            if (comp == Component.FINAL_NORM || comp == Component.LOGITS) return null;
            int[] at = s.basePositions().shared();
            int[] from = s.sourcePositions().shared();
            for (int p : at) if ((p < 0 ? p + BASE_LENGTH : p) < 4) return null;
            out.add(new InterventionSpec(s.site(), s.sourceSite(), s.intervention(), s.source(),
                    Positions.perExample(new int[][] {at, {}}), Positions.perExample(new int[][] {from, {}}), s.heads(), s.subspace()));
        }
        return out;
    }

    private static float[] row(float[] logits, int r, int vocab) {
        return java.util.Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
    }

    private static double scale(float[] v) {
        double s = 1;
        for (float x : v) s = Math.max(s, Math.abs(x));
        return s;
    }
}
