package org.intervene4j.report;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The self-contained {@code index.html} of a study: inline CSS, inline SVG, one small inline
 * script, no external resources. Header with the model, its factual accuracy and the settings;
 * what IIA and the controls mean; the best cell per hypothesis; then the heatmaps of held-out IIA,
 * one per hypothesis side by side, and those of learned subspace widths, one per variable.
 *
 * <p>The script only checks rendering: on load it counts, per heatmap, the cells that were laid
 * out with a non-empty box and writes the count to {@code data-rendered-cells}, and the totals to
 * {@code data-heatmaps} / {@code data-heatmaps-complete} on {@code <body>} (tests read them).
 */
final class ReportPage {
    private ReportPage() {}

    static String html(StudyResults r) {
        StringBuilder s = new StringBuilder(64 * 1024);
        String title = "Boundless DAS alignment search — " + r.task() + " — " + r.model();
        s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        header(s, r);
        explanation(s);
        summary(s, r);
        heatmaps(s, r);
        s.append("<footer>Written by intervene4j from <a href=\"results.json\">results.json</a>.</footer>\n");
        s.append("<script>\n").append(CHECK_SCRIPT).append("</script>\n</body>\n</html>\n");
        return s.toString();
    }

    private static void header(StringBuilder s, StudyResults r) {
        int planned = r.hypotheses().size() * r.layers().size() * r.positions().size();
        int done = r.hypotheses().stream().mapToInt(r::cellsDone).sum();
        s.append("<header>\n<h1>Boundless DAS alignment search <span class=\"sub\">").append(Html.escape(r.task())).append("</span></h1>\n");
        s.append("<dl class=\"facts\">\n");
        fact(s, "model", "<code>" + Html.escape(r.model()) + "</code>");
        fact(s, "task accuracy", "<strong>" + Fmt.percent(r.taskAccuracy()) + "</strong> on " + r.taskExamples()
                + " held-out inputs (factual, no intervention)");
        fact(s, "site", "<code>" + Html.escape(r.component()) + "</code>, " + r.layers().size() + " of " + r.modelLayers()
                + " layers × " + r.positions().size() + " positions");
        fact(s, "progress", done + " of " + planned + " cells run" + (done < planned ? " <span class=\"partial\">(partial search)</span>" : ""));
        fact(s, "time", Fmt.duration(r.totalSeconds()) + " of compute; started " + Html.escape(r.started().toString())
                + ", updated " + Html.escape(r.updated().toString()));
        if (!r.settings().isEmpty()) {
            StringBuilder items = new StringBuilder("<ul class=\"settings\" aria-label=\"search settings\">");
            for (Map.Entry<String, Object> e : r.settings().entrySet()) {
                items.append("<li><span class=\"key\">").append(Html.escape(e.getKey())).append("</span> ")
                        .append(Html.escape(Fmt.setting(e.getValue()))).append("</li>");
            }
            fact(s, "settings", items.append("</ul>").toString());
        }
        s.append("</dl>\n");
        s.append("<details><summary>example prompt (position labels come from it)</summary><pre class=\"prompt\">")
                .append(Html.escape(r.examplePrompt())).append("</pre></details>\n</header>\n");
    }

    private static void fact(StringBuilder s, String name, String html) {
        s.append("<div><dt>").append(Html.escape(name)).append("</dt><dd>").append(html).append("</dd></div>\n");
    }

    private static void explanation(StringBuilder s) {
        s.append("""
                <section class="about">
                <h2>How to read this</h2>
                <p>Each cell is one alignment search: at that layer and token position, Boundless DAS learns a rotation of
                the hidden state and a subspace (its width in dimensions is learned too) that should hold the hypothesis'
                variable. <b>IIA</b> (interchange intervention accuracy) is the fraction of held-out (base, source) pairs on
                which the model, with that subspace copied from the source run into the base run, answers what the causal
                model answers when the variable is set to its value on the source. IIA near 1 means the model behaves as if
                the variable lives in that subspace. Read it against the factual task accuracy above: where the model
                often fails the task itself, it cannot be expected to follow the causal model's counterfactuals.</p>
                <p><b>Left</b> (amount ≥ lower bound) and <b>Right</b> (amount ≤ upper bound) are the variables of the
                causal model; <b>both</b> aligns them together as two adjacent subspaces. <b>Midpoint</b> and
                <b>bracket</b> are controls: other ways to describe the same task that should align worse. A method that
                found the controls as well as Left and Right would not be telling the hypotheses apart.
                The outlined cell is each hypothesis' best; hatched cells have not been run yet; hover a cell for its
                numbers (pairs, steps, seeds).</p>
                </section>
                """);
    }

    private static void summary(StringBuilder s, StudyResults r) {
        s.append("<section class=\"summary\">\n<h2>Best cell per hypothesis</h2>\n<table class=\"best-cells\">\n<thead><tr>");
        for (int c = 0; c < SummaryTable.HEADER.size(); c++) {
            s.append("<th scope=\"col\"").append(numeric(c) ? " class=\"num\"" : "").append('>')
                    .append(Html.escape(SummaryTable.HEADER.get(c))).append("</th>");
        }
        s.append("</tr></thead>\n<tbody>\n");
        List<List<String>> rows = SummaryTable.rows(r);
        List<String> order = Hypotheses.displayOrder(r.hypotheses());
        for (int i = 0; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            Optional<CellResult> best = r.best(order.get(i));
            s.append("<tr class=\"").append(Hypotheses.role(order.get(i))).append("\">");
            s.append("<th scope=\"row\"><a href=\"#h-").append(Html.escape(order.get(i))).append("\">")
                    .append(Html.escape(row.get(0))).append("</a></th>");
            for (int c = 1; c < row.size(); c++) {
                String cls = c == 5 ? " class=\"token\"" : numeric(c) ? " class=\"num\"" : "";
                s.append("<td").append(cls).append('>');
                if (c == 2 && best.isPresent()) iiaBar(s, best.get().iia());
                s.append(Html.escape(row.get(c))).append("</td>");
            }
            s.append("</tr>\n");
        }
        s.append("</tbody>\n</table>\n</section>\n");
    }

    /** Summary columns aligned right: IIA, layer, position, D, held-out, cells run. */
    private static boolean numeric(int column) {
        return column >= 2 && column != 5 && column != 6;
    }

    /** A small bar in the IIA colour, as long as the IIA, before the number. */
    private static void iiaBar(StringBuilder s, double iia) {
        s.append("<span class=\"bar\" aria-hidden=\"true\"><span style=\"width:").append(Math.round(iia * 100))
                .append("%;background:").append(ColourScale.VIRIDIS.at(iia).hex()).append("\"></span></span>");
    }

    /**
     * All IIA maps side by side first (hypotheses compared at a glance, controls after the
     * variables), then all widths maps.
     */
    private static void heatmaps(StringBuilder s, StudyResults r) {
        List<String> order = Hypotheses.displayOrder(r.hypotheses());
        s.append("<section class=\"maps\">\n<h2>Held-out IIA per layer × position</h2>\n<div class=\"legends\">")
                .append(LegendSvg.iia("legend-iia")).append("</div>\n<div class=\"grid\">\n");
        for (String h : order) figure(s, "h-" + h, h, null, StudyHeatmaps.iia(r, h));
        s.append("</div>\n<h2>Learned subspace widths (dims of D = ").append(StudyHeatmaps.widthScale(r).rotatedWidth())
                .append(")</h2>\n<div class=\"legends\">").append(LegendSvg.widths("legend-dims", StudyHeatmaps.widthScale(r)))
                .append("</div>\n<div class=\"grid\">\n");
        for (String h : order) {
            for (String v : StudyHeatmaps.variables(r, h)) figure(s, "dims-" + h + "-" + v, h, v, StudyHeatmaps.widths(r, h, v));
        }
        s.append("</div>\n</section>\n");
    }

    /** A heatmap under a caption naming the hypothesis, its role and claim (and the variable, for widths). */
    private static void figure(StringBuilder s, String anchor, String hypothesis, String variable, Heatmap map) {
        s.append("<figure class=\"").append(Hypotheses.role(hypothesis)).append("\" id=\"").append(Html.escape(anchor))
                .append("\">\n<figcaption><b>").append(Html.escape(hypothesis)).append("</b>");
        if (variable != null) s.append(" · ").append(Html.escape(variable));
        s.append(" <span class=\"role\">").append(Hypotheses.role(hypothesis)).append("</span>");
        if (variable == null) s.append(" <span class=\"claim\">").append(Html.escape(Hypotheses.describe(hypothesis))).append("</span>");
        s.append("</figcaption>\n").append(HeatmapSvg.render(map)).append("</figure>\n");
    }

    private static final String CSS = """
            :root { color-scheme: light; --ink: #1b1b1f; --muted: #5f6368; --rule: #dadce0; --accent: #e4003a; }
            body { font: 14px/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 24px 32px; max-width: 1500px; }
            h1 { font-size: 22px; margin: 0 0 12px; }
            h1 .sub { font-weight: normal; color: var(--muted); }
            h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
            h3 { font-size: 15px; margin: 18px 0 4px; }
            .role { font-size: 10px; font-weight: normal; text-transform: uppercase; letter-spacing: .05em; padding: 1px 6px; border-radius: 8px; background: #e8f0fe; color: #1a4f9c; vertical-align: 2px; }
            figure.control .role { background: #f1f3f4; color: var(--muted); }
            .claim { color: var(--muted); margin-left: 4px; }
            code, .token, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
            dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 12px; }
            dl.facts div { display: contents; }
            dt { color: var(--muted); }
            dd { margin: 0; }
            .partial { color: var(--accent); }
            table { border-collapse: collapse; }
            ul.settings { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 18px; max-width: 980px; }
            ul.settings .key { color: var(--muted); }
            pre.prompt { background: #f8f9fa; border: 1px solid var(--rule); padding: 8px; white-space: pre-wrap; font-size: 12px; }
            .about p { max-width: 980px; margin: 6px 0; }
            table.best-cells th, table.best-cells td { padding: 4px 12px; border-bottom: 1px solid var(--rule); text-align: left; white-space: nowrap; }
            table.best-cells thead th { font-size: 12px; color: var(--muted); font-weight: normal; border-bottom: 2px solid var(--rule); }
            table.best-cells .num { text-align: right; font-variant-numeric: tabular-nums; }
            table.best-cells tr.control { color: #444; background: #fafafa; }
            .bar { display: inline-block; width: 64px; height: 9px; background: #eee; margin-right: 8px; vertical-align: 0; }
            .bar span { display: block; height: 100%; }
            .legends { display: flex; gap: 40px; flex-wrap: wrap; margin: 4px 0 6px; }
            .grid { display: flex; flex-wrap: wrap; gap: 18px 36px; align-items: flex-start; }
            figure { margin: 0; }
            figcaption { font-size: 13px; margin: 0 0 4px 58px; }
            svg text { font-size: 12px; fill: var(--ink); }
            svg text.value { font-size: 11px; font-variant-numeric: tabular-nums; }
            svg .col-token { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; }
            svg .col-position, svg .tick, svg .legend-label { fill: var(--muted); font-size: 11px; }
            svg .axis-title { fill: var(--muted); font-size: 11px; }
            svg rect.cell:hover { stroke: var(--ink); stroke-width: 1.5; }
            a { color: #1a4f9c; }
            footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
            """;

    private static final String CHECK_SCRIPT = """
            window.addEventListener('load', function () {
              var maps = document.querySelectorAll('svg.heatmap');
              var complete = 0;
              maps.forEach(function (svg) {
                var box = svg.getBoundingClientRect();
                var n = 0;
                if (box.width > 0 && box.height > 0) {
                  svg.querySelectorAll('rect.cell').forEach(function (cell) {
                    var b = cell.getBBox();
                    if (b.width > 0 && b.height > 0) n++;
                  });
                }
                svg.setAttribute('data-rendered-cells', String(n));
                if (String(n) === svg.getAttribute('data-expected-cells')) complete++;
              });
              document.body.setAttribute('data-heatmaps', String(maps.length));
              document.body.setAttribute('data-heatmaps-complete', String(complete));
              document.body.setAttribute('data-page-height', String(document.documentElement.scrollHeight));
            });
            """;
}
