package org.intervene4j.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

class StudyReportTest {
    private static final String NASTY = "</script><img src=x onerror=alert(1)>&\"'";

    @TempDir
    Path dir;

    @Test
    void writesThePageAndResultsThatReadBack() throws Exception {
        StudyResults r = SyntheticStudy.results();
        Path html = StudyReport.write(dir.resolve("study"), r);
        assertThat(html).isEqualTo(dir.resolve("study/index.html"));
        assertThat(StudyJson.read(dir.resolve("study/results.json"))).isEqualTo(r);
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("94.0%").contains("block_output");
        // self-contained: nothing is fetched (the only link is to results.json beside it)
        assertThat(page).doesNotContain("src=").doesNotContain("http://www.example").doesNotContain("https:")
                .doesNotContain("<link");
    }

    @Test
    void everyTextIsEscapedAndEverySvgIsWellFormed() throws Exception {
        List<String> tokens = new ArrayList<>(SyntheticStudy.TOKENS);
        tokens.set(2, NASTY);
        StudyResults base = SyntheticStudy.results(tokens);
        StudyResults r = new StudyResults("<b>model</b> & co", "task \"x\"", base.component(), base.modelLayers(),
                base.layers(), base.positions(), base.positionTokens(), NASTY, base.hypotheses(), base.taskAccuracy(),
                base.taskExamples(), base.cells(), Map.of("<k>", NASTY), base.started(), base.updated(), base.totalSeconds());
        String page = StudyReport.html(r);
        assertThat(page).doesNotContain("<img").doesNotContain("<b>model").doesNotContain("<k>");
        assertThat(count(page, "<script")).isEqualTo(1);
        assertThat(page).contains("&lt;b&gt;model&lt;/b&gt; &amp; co").contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;");
        // every SVG parses as XML: attributes quoted, entities valid; the token reads back as written
        List<Document> svgs = svgs(page);
        assertThat(svgs).hasSize(11 + 2);
        Document left = svgs.stream().filter(d -> d.getDocumentElement().getAttribute("id").equals("iia-left")).findFirst().orElseThrow();
        NodeList labels = left.getElementsByTagName("text");
        List<String> tokenTitles = new ArrayList<>();
        for (int i = 0; i < labels.getLength(); i++) {
            Element e = (Element) labels.item(i);
            if (e.getAttribute("class").equals("col-token")) tokenTitles.add(e.getElementsByTagName("title").item(0).getTextContent());
        }
        assertThat(tokenTitles).containsExactly("␣dollars", "↵↵", NASTY.replace(" ", "␣"), "␣Response", ":", "↵");
    }

    @Test
    void missingCellsAreHatchedAndTheRestCarryTheirValues() throws Exception {
        StudyResults r = SyntheticStudy.results();
        String page = StudyReport.html(r);
        // missing: bracket 12 cells, midpoint 3, both 1; each in the IIA map and in every widths map of the hypothesis
        assertThat(count(page, "class=\"cell missing\"")).isEqualTo(12 * 2 + 3 * 2 + 1 * 3);
        assertThat(count(page, "class=\"cell")).isEqualTo(11 * 24);
        assertThat(count(page, "class=\"best-cell\"")).isEqualTo(5);
        Document bracket = svgs(page).stream().filter(d -> d.getDocumentElement().getAttribute("id").equals("iia-bracket"))
                .findFirst().orElseThrow();
        // rows are layers top to bottom 3, 2, 1, 0: the top two rows are missing, the bottom two carry 0.10 / 0.20
        NodeList rects = bracket.getElementsByTagName("rect");
        List<String> classes = new ArrayList<>();
        List<String> fills = new ArrayList<>();
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").startsWith("cell")) {
                classes.add(e.getAttribute("class"));
                fills.add(e.getAttribute("fill"));
            }
        }
        assertThat(classes.subList(0, 12)).containsOnly("cell missing");
        assertThat(classes.subList(12, 24)).containsOnly("cell");
        assertThat(fills.subList(0, 12)).containsOnly("url(#hatch-iia-bracket)");
        // layer 1 row: value 0.2 (viridis #414487) where positionIndex - layer == 2, i.e. index 3; else 0.1 (#482475)
        assertThat(fills.subList(12, 18)).containsExactly("#482475", "#482475", "#482475", "#414487", "#482475", "#482475");
        assertThat(bracket.getDocumentElement().getAttribute("data-expected-cells")).isEqualTo("24");
    }

    @Test
    void aHypothesisWithNoCellsShowsAnEmptyMapAndDashes() {
        StudyResults full = SyntheticStudy.results();
        StudyResults r = new StudyResults(full.model(), full.task(), full.component(), full.modelLayers(), full.layers(),
                full.positions(), full.positionTokens(), full.examplePrompt(), List.of("left", "bracket"), full.taskAccuracy(),
                full.taskExamples(), full.cells().stream().filter(c -> c.hypothesis().equals("left")).toList(),
                Map.of(), full.started(), Instant.parse("2024-05-01T10:00:00Z"), 0);
        String page = StudyReport.html(r);
        assertThat(count(page, "class=\"cell missing\"")).isEqualTo(2 * 24);
        assertThat(StudyReport.summaryTable(r)).contains("bracket     control   —").contains("0/24");
    }

    @Test
    void summaryTableHasOneAlignedRowPerHypothesisWithItsBestCell() {
        String table = StudyReport.summaryTable(SyntheticStudy.results());
        assertThat(table).isEqualTo("""
                hypothesis  role      best IIA  layer  position  token  dims                D    held-out  cells run
                ----------------------------------------------------------------------------------------------------
                left        variable  1.00      0      -4        "###"  left 7              255  400       24/24
                right       variable  0.80      0      -4        "###"  right 31            255  400       24/24
                both        variable  0.60      0      -4        "###"  left 63, right 127  255  400       23/24
                midpoint    control   0.40      0      -4        "###"  midpoint 1          255  400       21/24
                bracket     control   0.20      0      -4        "###"  bracket 3           255  400       12/24
                """);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    private static List<Document> svgs(String page) throws Exception {
        List<Document> out = new ArrayList<>();
        Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(page);
        var factory = DocumentBuilderFactory.newInstance();
        while (m.find()) out.add(factory.newDocumentBuilder().parse(new InputSource(new StringReader(m.group()))));
        return out;
    }
}
