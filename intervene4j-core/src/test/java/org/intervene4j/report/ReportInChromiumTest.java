package org.intervene4j.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: the report of {@link SyntheticStudy} opens in headless Chromium, every heatmap
 * lays out all its cells (the page's check script, read back with --dump-dom), and a screenshot
 * shows each heatmap's colours over (at least half of) the area of the cells that carry them.
 * The expected colours are written out here from the published colour tables, not taken from
 * {@link ColourScale}. The screenshot stays in target/report-acceptance/ for a look.
 */
class ReportInChromiumTest {
    /** Viridis at 0.0, 0.1, ..., 1.0. */
    private static final String[] VIRIDIS = {"#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884",
            "#44bf70", "#7ad151", "#bddf26", "#fde725"};
    /** The 9-class sequential oranges, light to dark. */
    private static final String[] ORANGES = {"#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801",
            "#a63603", "#7f2704"};
    private static final String HATCH_STRIPE = "#c6c6c6";
    private static final int CELL_AREA = (HeatmapSvg.CELL_W - 2) * (HeatmapSvg.CELL_H - 2);
    private static final int TOLERANCE = 3;
    private static final int WIDTH = 1500;

    @TempDir
    Path work;

    @Test
    void everyHeatmapRendersInHeadlessChromium() throws Exception {
        StudyResults results = SyntheticStudy.results();
        Path dir = Path.of("target", "report-acceptance").toAbsolutePath();
        Path html = StudyReport.write(dir, results);
        HeadlessChromium chromium = new HeadlessChromium(work);
        String url = html.toUri().toString();

        String dom = chromium.run(url, "--window-size=" + WIDTH + ",1000", "--virtual-time-budget=5000", "--dump-dom").stdout();
        int expectedMaps = 5 + 6; // one IIA map per hypothesis, one widths map per (hypothesis, variable)
        assertThat(attribute(dom, "<body[^>]*>", "data-heatmaps")).as("heatmaps found by the page script").isEqualTo(expectedMaps);
        assertThat(attribute(dom, "<body[^>]*>", "data-heatmaps-complete")).isEqualTo(expectedMaps);
        Matcher svg = Pattern.compile("<svg[^>]*class=\"heatmap\"[^>]*>").matcher(dom);
        int seen = 0;
        while (svg.find()) {
            seen++;
            String tag = svg.group();
            assertThat(attribute(tag, ".*", "data-rendered-cells")).as(tag).isEqualTo(24);
            assertThat(attribute(tag, ".*", "data-expected-cells")).as(tag).isEqualTo(24);
        }
        assertThat(seen).isEqualTo(expectedMaps);

        int pageHeight = attribute(dom, "<body[^>]*>", "data-page-height");
        Path png = dir.resolve("screenshot.png");
        chromium.run(url, "--window-size=" + WIDTH + "," + (pageHeight + 40), "--screenshot=" + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("decoded " + png).isNotNull();
        Map<String, Integer> pixels = countPixels(image, expectedCellColours(results).keySet());
        expectedCellColours(results).forEach((hex, cells) -> assertThat(pixels.get(hex))
                .as("pixels of %s (carried by %d cells) in %s", hex, cells, png)
                .isGreaterThanOrEqualTo(cells * CELL_AREA / 2));
    }

    /** Colour → how many heatmap cells are filled with it, from the fixture's numbers; hatched stripes for missing cells. */
    private static Map<String, Integer> expectedCellColours(StudyResults r) {
        Map<String, Integer> cells = new HashMap<>();
        int missing = 0;
        for (String h : Hypotheses.KNOWN) {
            for (int layer : SyntheticStudy.LAYERS) {
                for (int i = 0; i < SyntheticStudy.POSITIONS.size(); i++) {
                    int p = SyntheticStudy.POSITIONS.get(i);
                    List<String> variables = Hypotheses.defaultVariables(h);
                    if (SyntheticStudy.missing(h, layer, p)) {
                        missing += 1 + variables.size();
                        continue;
                    }
                    double iia = r.runsAt(h, layer, p).stream().mapToDouble(CellResult::iia).max().orElseThrow();
                    cells.merge(VIRIDIS[(int) Math.round(iia * 10)], 1, Integer::sum);
                    for (String v : variables) {
                        int dims = SyntheticStudy.WIDTHS.get(h + "/" + v);
                        int stop = Integer.numberOfTrailingZeros(dims + 1); // log2(1 + dims) / log2(256) * 8
                        cells.merge(ORANGES[stop], 1, Integer::sum);
                    }
                }
            }
        }
        // a third of a hatched cell is stripe; ask for half of that
        cells.put(HATCH_STRIPE, missing / 3);
        return cells;
    }

    private static Map<String, Integer> countPixels(BufferedImage image, Set<String> colours) {
        Map<String, Integer> counts = new HashMap<>();
        int[][] rgb = colours.stream().map(h -> new int[] {Integer.parseInt(h.substring(1, 3), 16),
                Integer.parseInt(h.substring(3, 5), 16), Integer.parseInt(h.substring(5, 7), 16)}).toArray(int[][]::new);
        String[] names = colours.toArray(String[]::new);
        for (String n : names) counts.put(n, 0);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
                for (int k = 0; k < rgb.length; k++) {
                    if (Math.abs(r - rgb[k][0]) <= TOLERANCE && Math.abs(g - rgb[k][1]) <= TOLERANCE
                            && Math.abs(b - rgb[k][2]) <= TOLERANCE) {
                        counts.merge(names[k], 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }

    /** The integer value of {@code name} in the first match of {@code tagPattern}. */
    private static int attribute(String text, String tagPattern, String name) {
        Matcher tag = Pattern.compile(tagPattern).matcher(text);
        assertThat(tag.find()).as("no %s in:\n%s", tagPattern, head(text)).isTrue();
        Matcher m = Pattern.compile("\\s" + Pattern.quote(name) + "=\"(\\d+)\"").matcher(tag.group());
        assertThat(m.find()).as("%s has no %s (did the page script run?): %s", tagPattern, name, tag.group()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String head(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
