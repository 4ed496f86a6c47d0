package org.intervene4j.causal.study;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.intervene4j.report.StudyResults;

/**
 * Where a study starts: fresh, or from the results an earlier run of the same study wrote. A
 * resumed study keeps the earlier cells and may widen the grid (more layers, positions or
 * hypotheses); anything that would change the meaning of a cell (model, site, settings other
 * than the seed) must agree, or the study refuses to mix them.
 */
final class StudyResume {
    private StudyResume() {
    }

    /** The grid of this run plus everything {@code earlier} (null for a fresh study) holds. */
    static StudyResults start(StudyResults earlier, Path file, String model, int modelLayers, String component, List<Integer> layers,
                              List<Integer> positions, IntFunction<String> tokenAt, String examplePrompt, List<String> hypotheses,
                              double taskAccuracy, int taskExamples, Map<String, Object> settings) {
        Instant now = Instant.now();
        if (earlier == null) {
            return new StudyResults(model, PriceTaggingStudy.TASK, component, modelLayers, layers, positions, tokens(positions, tokenAt),
                    examplePrompt, hypotheses, taskAccuracy, taskExamples, List.of(), settings, now, now, 0);
        }
        String why = differences(earlier, model, modelLayers, component, examplePrompt, settings);
        if (why != null) {
            throw new IllegalArgumentException(file + " holds a different study (" + why + "); choose another --report directory or delete it");
        }
        List<Integer> allLayers = new ArrayList<>(new TreeSet<>(union(earlier.layers(), layers)));
        List<Integer> allPositions = new ArrayList<>(new TreeSet<>(union(earlier.positions(), positions)));
        return new StudyResults(model, earlier.task(), component, modelLayers, allLayers, allPositions, tokens(allPositions, tokenAt),
                examplePrompt, union(earlier.hypotheses(), hypotheses), earlier.taskAccuracy(), earlier.taskExamples(), earlier.cells(),
                earlier.settings(), earlier.started(), now, earlier.totalSeconds());
    }

    /** The same results with a new update time and total. */
    static StudyResults touched(StudyResults r, double totalSeconds) {
        return new StudyResults(r.model(), r.task(), r.component(), r.modelLayers(), r.layers(), r.positions(), r.positionTokens(),
                r.examplePrompt(), r.hypotheses(), r.taskAccuracy(), r.taskExamples(), r.cells(), r.settings(), r.started(), Instant.now(),
                totalSeconds);
    }

    /** What differs between an earlier study and this one, or null when they can share a report. */
    static String differences(StudyResults earlier, String model, int modelLayers, String component, String examplePrompt,
                              Map<String, Object> settings) {
        if (!earlier.model().equals(model)) return "model '" + earlier.model() + "', not '" + model + "'";
        if (earlier.modelLayers() != modelLayers) return earlier.modelLayers() + " model layers, not " + modelLayers;
        if (!earlier.component().equals(component)) return "component " + earlier.component() + ", not " + component;
        if (!earlier.examplePrompt().equals(examplePrompt)) return "another prompt format";
        // settings are compared as the JSON file holds them (numbers widened to long/double)
        Map<String, Object> mine = StudyResults.widenedSettings(settings);
        for (Map.Entry<String, Object> e : mine.entrySet()) {
            Object theirs = earlier.settings().get(e.getKey());
            if (!Objects.equals(theirs, e.getValue())) return e.getKey() + " " + theirs + ", not " + e.getValue();
        }
        return null;
    }

    private static List<String> tokens(List<Integer> positions, IntFunction<String> tokenAt) {
        List<String> out = new ArrayList<>();
        for (int p : positions) out.add(tokenAt.apply(p));
        return out;
    }

    private static <T> List<T> union(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        for (T x : b) if (!out.contains(x)) out.add(x);
        return out;
    }
}
