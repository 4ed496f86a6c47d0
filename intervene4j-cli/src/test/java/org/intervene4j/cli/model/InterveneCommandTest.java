package org.intervene4j.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.intervene4j.cli.CliRun;
import org.intervene4j.cli.Main;
import org.intervene4j.cli.TestModels;
import org.intervene4j.intervention.IntervenableModel;
import org.intervene4j.intervention.InterventionIO;
import org.intervene4j.intervention.InterventionSpec;
import org.intervene4j.intervention.Vanilla;
import org.intervene4j.intervention.Zero;
import org.intervene4j.io.SafetensorsFile;
import org.intervene4j.model.Models;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code intervene4j intervene}: the spec contract, agreement with the float64 reference, and one-line errors. */
class InterveneCommandTest {
    static final Path FIXTURES = ModelCommandsTest.FIXTURES;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path model;
    Path out;

    /** A copy of the gpt2 fixture with a word-level tokenizer over its 40 ids ("w0" .. "w39"). */
    @BeforeEach
    void copyModel() throws IOException {
        model = TestModels.gpt2WithWordTokenizer(tmp.resolve("gpt2"));
        out = tmp.resolve("out.json");
    }

    CliRun intervene(String specJson) throws IOException {
        return intervene(model, specJson);
    }

    CliRun intervene(Path modelDir, String specJson) throws IOException {
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, specJson);
        return CliRun.run("intervene", "--model", modelDir.toString(), "--spec", spec.toString(), "--out", out.toString());
    }

    static final String VECTOR = "[0.1, -0.2, 0.3, 0.05, -0.4, 0.2, 0.1, 0.0, 0.7, -0.1, 0.2, 0.3, -0.3, 0.25, 0.1, -0.6]";

    static String exampleSpec(String base) {
        return "{\"base\": " + base + ",\n"
                + " \"sources\": [{\"ids\": [9, 3, 30, 8]}],\n"
                + " \"interventions\": [\n"
                + "   {\"site\": \"blocks.1.block_output\", \"type\": \"vanilla\", \"source\": 0, \"base_positions\": [2], \"source_positions\": [1]},\n"
                + "   {\"site\": \"blocks.0.mlp_output\", \"type\": \"addition\", \"base_positions\": [3], \"vector\": " + VECTOR + "},\n"
                + "   {\"site\": \"blocks.1.head_attention_value_output\", \"type\": \"vanilla\", \"source\": 0, \"heads\": [1], \"base_positions\": [3], \"source_positions\": [3]},\n"
                + "   {\"site\": \"blocks.1.block_output\", \"type\": \"zero\", \"base_positions\": [0], \"subspace\": [0, 1, 2, 3]},\n"
                + "   {\"site\": \"blocks.0.attention_output\", \"type\": \"collect\", \"base_positions\": [1, 2]}]}";
    }

    @Test
    void theExampleSpecRunsAndReportsWhereEachInterventionFired() throws IOException {
        CliRun r = intervene(exampleSpec("{\"ids\": [5, 17, 39, 8]}"));
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(out.toFile());
        assertThat(j.get("ids").toString()).isEqualTo("[5,17,39,8]");
        assertThat(j.get("logits").size()).isEqualTo(4);
        assertThat(j.get("logits").get(0).size()).isEqualTo(40);
        assertThat(j.get("fired").toString()).isEqualTo("["
                + "{\"intervention\":4,\"type\":\"collect\",\"site\":\"blocks.0.attention_output\",\"position\":1},"
                + "{\"intervention\":4,\"type\":\"collect\",\"site\":\"blocks.0.attention_output\",\"position\":2},"
                + "{\"intervention\":1,\"type\":\"addition\",\"site\":\"blocks.0.mlp_output\",\"position\":3},"
                + "{\"intervention\":2,\"type\":\"vanilla\",\"site\":\"blocks.1.head_attention_value_output\",\"position\":3,\"head\":1},"
                + "{\"intervention\":0,\"type\":\"vanilla\",\"site\":\"blocks.1.block_output\",\"position\":2},"
                + "{\"intervention\":3,\"type\":\"zero\",\"site\":\"blocks.1.block_output\",\"position\":0}]");
        assertThat(j.at("/collected/4").size()).isEqualTo(2);
        assertThat(j.at("/collected/4/0").size()).isEqualTo(16);

        // a prompt gives the same as its ids; the plain logits differ at the patched positions only
        Files.delete(out);
        CliRun p = intervene(exampleSpec("{\"prompt\": \"w5 w17 w39 w8\"}"));
        assertThat(p.status()).as(p.err()).isZero();
        assertThat(JSON.readTree(out.toFile())).isEqualTo(j);
        Files.delete(out);
        assertThat(intervene("{\"base\": {\"ids\": [5, 17, 39, 8]}}").status()).isZero();
        JsonNode plain = JSON.readTree(out.toFile());
        assertThat(plain.get("fired").size()).isZero();
        assertThat(plain.at("/logits/0")).isNotEqualTo(j.at("/logits/0")); // zero at position 0
        assertThat(plain.at("/logits/3")).isNotEqualTo(j.at("/logits/3"));
    }

    /** The CLI on the reference fixture's cases gives the float64 logits (same tolerance as the parity tests). */
    @Test
    void referenceCasesMatchTheFloat64Logits() throws IOException {
        JsonNode meta = JSON.readTree(FIXTURES.resolve("gpt2/interventions.json").toFile());
        try (SafetensorsFile expected = SafetensorsFile.open(FIXTURES.resolve("gpt2/interventions.safetensors"))) {
            JsonNode cases = meta.get("cases");
            for (int c = cases.size() - 3; c < cases.size(); c++) { // the multi-intervention cases
                ObjectNode spec = JSON.createObjectNode();
                spec.set("base", meta.get("base"));
                spec.set("sources", meta.get("sources"));
                spec.set("interventions", cases.get(c).get("interventions"));
                CliRun r = intervene(spec.toString());
                assertThat(r.status()).as(r.err()).isZero();
                JsonNode logits = JSON.readTree(out.toFile()).get("logits");
                float[] want = expected.readFloat("case" + c + ".logits").toFloatArray();
                double scale = 1;
                for (float v : want) scale = Math.max(scale, Math.abs(v));
                int v = logits.get(0).size();
                for (int i = 0; i < want.length; i++) {
                    assertThat(Math.abs(logits.get(i / v).get(i % v).asDouble() - want[i])).isLessThanOrEqualTo(2e-5 * scale);
                }
            }
        }
    }

    @Test
    void savedInterventionsLoadByDirectory() throws IOException {
        var lm = Models.loadCausalLM(model);
        Path saved = tmp.resolve("saved");
        InterventionIO.save(new IntervenableModel(lm, List.of(
                InterventionSpec.at(Site.of(1, Component.BLOCK_OUTPUT), new Vanilla(), 0, new int[] {2}, new int[] {1}),
                InterventionSpec.at(Site.of(1, Component.BLOCK_OUTPUT), new Zero(), -1, new int[] {0}, null).withSubspace(0, 1, 2, 3))),
                saved);
        String inline = "{\"base\": {\"ids\": [5, 17, 39, 8]}, \"sources\": [{\"ids\": [9, 3, 30, 8]}], \"interventions\": ["
                + "{\"site\": \"blocks.1.block_output\", \"type\": \"vanilla\", \"source\": 0, \"base_positions\": [2], \"source_positions\": [1]},"
                + "{\"site\": \"blocks.1.block_output\", \"type\": \"zero\", \"base_positions\": [0], \"subspace\": [0, 1, 2, 3]}]}";
        assertThat(intervene(inline).status()).isZero();
        JsonNode a = JSON.readTree(out.toFile());
        Files.delete(out);
        CliRun r = intervene("{\"base\": {\"ids\": [5, 17, 39, 8]}, \"sources\": [{\"ids\": [9, 3, 30, 8]}], \"load\": \"saved\"}");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode b = JSON.readTree(out.toFile());
        assertThat(b.get("logits")).isEqualTo(a.get("logits"));
        assertThat(b.get("fired")).isEqualTo(a.get("fired"));

        // saved for another architecture: refused, saying what differs
        Files.delete(out);
        CliRun other = intervene(FIXTURES.resolve("llama"), "{\"base\": {\"ids\": [5, 17, 39, 8]}, \"sources\": [{\"ids\": [9, 3, 30, 8]}], "
                + "\"load\": \"" + saved.toAbsolutePath() + "\"}");
        assertOneLineError(other, "load: ", "saved for gpt2 with", "this model is llama with");
    }

    static Stream<Arguments> badSpecs() {
        String ok = "{\"site\": \"blocks.1.block_output\", \"type\": \"zero\", \"base_positions\": [0]}";
        return Stream.of(
                bad("{\"site\": \"blocks.0.mlp_outptu\", \"type\": \"zero\"}", "interventions[0].site: ", "unknown component 'mlp_outptu'"),
                bad("{\"site\": \"resid\", \"type\": \"zero\"}", "interventions[0].site: unknown site 'resid'"),
                bad("{\"site\": \"blocks.5.block_output\", \"type\": \"zero\"}",
                        "interventions[0].site: layer 5 is out of range (the model has 2 layers)"),
                bad("{\"site\": \"blocks.1.head_attention_value_output\", \"type\": \"vanilla\", \"source\": 0, \"heads\": [7], \"base_positions\": [3]}",
                        "interventions[0].heads: head 7 is out of range (the site has 4 heads)"),
                bad("{\"site\": \"blocks.1.mlp_output\", \"type\": \"zero\", \"heads\": [1]}", "interventions[0].heads: ", "not per head"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"zero\", \"base_positions\": [9]}",
                        "interventions[0].base_positions: position 9 is beyond the base, which has 4 tokens"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"vanilla\", \"source\": 0, \"base_positions\": [1], \"source_positions\": [5]}",
                        "interventions[0].source_positions: position 5 is beyond source 0, which has 4 tokens"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"vanilla\", \"source\": 0, \"base_positions\": [1, 2], \"source_positions\": [1]}",
                        "interventions[0].source_positions: 1 positions for 2 base positions"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"zero\", \"subspace\": [3, 16]}",
                        "interventions[0].subspace: index 16 is beyond the width of blocks.0.block_output (16)"),
                bad("{\"site\": \"blocks.0.head_query_output\", \"type\": \"zero\", \"subspace\": [4]}",
                        "interventions[0].subspace: index 4 is beyond the width of blocks.0.head_query_output (4 per head)"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"vanilla\", \"source\": 1, \"base_positions\": [1]}",
                        "interventions[0].source: source 1 does not exist (the spec has 1 source)"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"vanilla\", \"base_positions\": [1]}",
                        "interventions[0].source: 'vanilla' reads a source"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"swap\"}", "interventions[0].type: unknown type 'swap'", "vanilla"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"addition\", \"vector\": [1, 2, 3]}",
                        "interventions[0].vector: 3 values, but the rows of blocks.0.block_output have width 16"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"zero\", \"bse_positions\": [1]}",
                        "interventions[0].bse_positions: unknown field"),
                bad("{\"site\": \"blocks.0.block_output\", \"type\": \"zero\", \"base_positions\": [1, \"x\"]}",
                        "interventions[0].base_positions[1]: expected an integer"),
                bad("{\"site\": \"blocks.0.attention_weights\", \"type\": \"zero\"}", "interventions[0].site: ", "attention pattern"),
                bad(ok + ", {\"type\": \"zero\"}", "interventions[1].site: missing"),
                Arguments.of("{\"base\": {\"ids\": [5, 99]}, \"interventions\": []}",
                        new String[] {"base.ids[1]: token id 99 is outside the vocabulary [0, 40)"}),
                Arguments.of("{\"interventions\": []}", new String[] {"base: missing"}),
                Arguments.of("{\"base\": {\"ids\": [5, 6]},\n \"interventions\": [\n  {\"site\": \"x\",]}",
                        new String[] {"not valid JSON at line 3, column"}),
                Arguments.of("{\"base\": {\"ids\": [5, 6]}, \"intervention\": []}", new String[] {"intervention: unknown field"}));
    }

    private static Arguments bad(String interventions, String... fragments) {
        return Arguments.of("{\"base\": {\"ids\": [5, 17, 39, 8]}, \"sources\": [{\"ids\": [9, 3, 30, 8]}], \"interventions\": ["
                + interventions + "]}", fragments);
    }

    @ParameterizedTest
    @MethodSource("badSpecs")
    void badSpecsGiveOneLineErrorsNamingTheField(String spec, String[] fragments) throws IOException {
        assertOneLineError(intervene(spec), fragments);
    }

    private void assertOneLineError(CliRun r, String... fragments) {
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().trim().lines().count()).as("one line: %s", r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("intervene4j: error: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(r.err()).contains(f);
        assertThat(out).as("no output file").doesNotExist();
    }
}
