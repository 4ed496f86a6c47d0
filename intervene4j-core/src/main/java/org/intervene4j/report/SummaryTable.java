package org.intervene4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The best cell of each hypothesis as rows (hypothesis, role, IIA, layer, position, token,
 * dims, D, held-out pairs, cells run), shared by the terminal table and the HTML table.
 */
final class SummaryTable {
    static final List<String> HEADER = List.of("hypothesis", "role", "best IIA", "layer", "position", "token", "dims", "D",
            "held-out", "cells run");

    private SummaryTable() {}

    /** One row of texts per hypothesis, in display order; "—" where a hypothesis has no finished cell. */
    static List<List<String>> rows(StudyResults r) {
        List<List<String>> rows = new ArrayList<>();
        int planned = r.layers().size() * r.positions().size();
        for (String h : Hypotheses.displayOrder(r.hypotheses())) {
            Optional<CellResult> best = r.best(h);
            String done = r.cellsDone(h) + "/" + planned;
            if (best.isEmpty()) {
                rows.add(List.of(h, Hypotheses.role(h), "—", "—", "—", "—", "—", "—", "—", done));
                continue;
            }
            CellResult c = best.get();
            rows.add(List.of(h, Hypotheses.role(h), Fmt.iia(c.iia()), String.valueOf(c.layer()), Fmt.position(c.position(), false),
                    "\"" + TokenLabels.visible(c.token()) + "\"", c.widths().isEmpty() ? "—" : Fmt.widths(c.widths()),
                    String.valueOf(c.rotatedWidth()), String.valueOf(c.heldOutPairs()), done));
        }
        return rows;
    }

    /** The rows as an aligned plain-text table with a header line and a rule under it. */
    static String text(StudyResults r) {
        List<List<String>> all = new ArrayList<>();
        all.add(HEADER);
        all.addAll(rows(r));
        int[] widths = new int[HEADER.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) widths[i] = Math.max(widths[i], length(row.get(i)));
        }
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < all.size(); k++) {
            List<String> row = all.get(k);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i)).append(" ".repeat(widths[i] - length(row.get(i)) + (i < row.size() - 1 ? 2 : 0)));
            }
            s.append(line.toString().stripTrailing()).append('\n');
            if (k == 0) {
                int total = 0;
                for (int w : widths) total += w + 2;
                s.append("-".repeat(total - 2)).append('\n');
            }
        }
        return s.toString();
    }

    /** Display length in code points (tokens may hold characters outside the BMP). */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
