package org.intervene4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The report of a Boundless DAS alignment study: {@code index.html} (self-contained heatmaps of
 * IIA and learned widths per hypothesis) beside {@code results.json}, and a plain-text table
 * for the terminal.
 */
public final class StudyReport {
    public static final String HTML_FILE = "index.html";
    public static final String JSON_FILE = "results.json";

    private StudyReport() {}

    /** Writes {@code dir/results.json} then {@code dir/index.html} (each atomically); returns the HTML file. */
    public static Path write(Path dir, StudyResults results) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": exists and is not a directory (the report needs a directory)");
        }
        Files.createDirectories(dir);
        StudyJson.write(dir.resolve(JSON_FILE), results);
        Path html = dir.resolve(HTML_FILE);
        AtomicFiles.writeString(html, html(results));
        return html;
    }

    /** The HTML page alone. */
    public static String html(StudyResults results) {
        return ReportPage.html(results);
    }

    /**
     * One row per hypothesis with its best cell: hypothesis, role (variable / control), best
     * IIA, layer, position, token, learned dims, D, held-out pairs, cells run of planned.
     */
    public static String summaryTable(StudyResults results) {
        return SummaryTable.text(results);
    }
}
