package org.intervene4j.causal.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.intervene4j.causal.search.AlignmentSearch;
import org.intervene4j.causal.search.CellOutcome;
import org.intervene4j.causal.search.CellSettings;
import org.intervene4j.causal.task.PriceHypothesis;
import org.intervene4j.causal.task.PricePrompt;
import org.intervene4j.causal.task.PriceVocabulary;
import org.intervene4j.causal.task.TaskModels;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.intervene4j.report.CellResult;
import org.intervene4j.report.StudyJson;
import org.intervene4j.report.StudyReport;
import org.intervene4j.report.StudyResults;
import org.intervene4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The study on the embedded task model: data, one cell, the grid, resuming, and its errors. */
class PriceTaggingStudyTest {
    @TempDir
    static Path cache;
    static CausalLM model;
    static Tokenizer tokenizer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        Path dir = TaskModels.priceTagging(cache);
        model = Models.loadCausalLM(dir);
        tokenizer = Tokenizer.open(dir);
    }

    static StudySettings settings(List<PriceHypothesis> h, List<Integer> layers, List<Integer> positions, int pairs, int epochs) {
        return new StudySettings(h, layers, positions, pairs, 64, 128, 500, CellSettings.defaults().withEpochs(epochs), 7, 2);
    }

    static PriceTaggingStudy study(StudySettings s) {
        return new PriceTaggingStudy(model, tokenizer, PricePrompt.COMPACT, "task model", s);
    }

    @Test
    void encoderReadsTheCompactPromptAsTheVocabularyWritesIt() {
        PricePromptEncoder e = new PricePromptEncoder(tokenizer, PricePrompt.COMPACT);
        assertThat(e.ids(PriceTaggingStudy.EXAMPLE)).containsExactly(PriceVocabulary.encode(PriceTaggingStudy.EXAMPLE));
        assertThat(e.answerId(PriceTaggingStudy.EXAMPLE, true)).isEqualTo(PriceVocabulary.YES_ID);
        assertThat(e.answerId(PriceTaggingStudy.EXAMPLE, false)).isEqualTo(PriceVocabulary.NO_ID);
    }

    @Test
    void pairsAreLabelledByTheCausalModelAndTheTestSetIsDisjoint() {
        PriceTaggingStudy s = study(settings(List.of(PriceHypothesis.RIGHT), List.of(0), List.of(-1), 256, 1));
        AlignmentSearch.Hypothesis d = s.data(PriceHypothesis.RIGHT);
        assertThat(d.train().size()).isEqualTo(256);
        assertThat(d.dev().size()).isEqualTo(64);
        assertThat(d.test().size()).isEqualTo(128);
        // labels: the counterfactual answer is the source's Right AND the base's Left, read off the token ids
        for (int i = 0; i < d.test().size(); i++) {
            int[] b = d.test().base()[i];
            int[] src = d.test().source()[i];
            boolean left = cents(b, 12) >= cents(b, 2);
            boolean right = cents(src, 12) <= cents(src, 7);
            assertThat(d.test().labels()[i]).isEqualTo(left && right ? PriceVocabulary.YES_ID : PriceVocabulary.NO_ID);
        }
        java.util.Set<String> trainPrompts = new java.util.HashSet<>();
        for (int[] p : d.train().base()) trainPrompts.add(java.util.Arrays.toString(p));
        for (int[] p : d.train().source()) trainPrompts.add(java.util.Arrays.toString(p));
        for (int i = 0; i < d.test().size(); i++) {
            assertThat(trainPrompts).doesNotContain(java.util.Arrays.toString(d.test().base()[i]), java.util.Arrays.toString(d.test().source()[i]));
        }
    }

    /** The price (in cents) written as D . D D at {@code at} in a compact prompt's ids. */
    private static int cents(int[] ids, int at) {
        int d0 = PriceVocabulary.digitId(0);
        return (ids[at] - d0) * 100 + (ids[at + 2] - d0) * 10 + (ids[at + 3] - d0);
    }

    @Test
    void theTaskModelIsAccurateAndTheAnswerIsComputedAtTheLastToken() {
        PriceTaggingStudy s = study(settings(List.of(PriceHypothesis.LEFT), List.of(1), List.of(-1, -2), 512, 2));
        assertThat(s.taskAccuracy()).isGreaterThanOrEqualTo(0.97);
        CellResult last = s.trainCell(PriceHypothesis.LEFT, 1, -1, null);
        CellResult before = s.trainCell(PriceHypothesis.LEFT, 1, -2, null);
        System.out.printf("left at layer 1: IIA %.3f at '?' (dims %s), %.3f one token earlier%n", last.iia(), last.widths(), before.iia());
        // the last amount digit's residual cannot move the answer (the comparison happens at '?'): chance
        assertThat(before.iia()).isBetween(0.4, 0.6);
        assertThat(last.iia()).isGreaterThan(before.iia() + 0.15);
        assertThat(last.absolutePosition()).isEqualTo(16);
        assertThat(last.token()).isEqualTo("?");
    }

    /**
     * The study's headline, as {@code ./intervene4j demo} runs it (seed 1, default cell settings):
     * at layer 1, last token, Boundless DAS aligns Left and Right at once in two adjacent
     * intervals, each with held-out IIA >= 0.90, while the bracket control stays far below.
     */
    @Test
    void leftAndRightAlignAtOnceAtLayerOneOfTheLastToken() {
        StudySettings s = new StudySettings(List.of(PriceHypothesis.BOTH, PriceHypothesis.BRACKET), List.of(1), List.of(-1), 768, 128, 256,
                500, CellSettings.defaults(), 1, 1);
        PriceTaggingStudy study = study(s);
        CellResult both = study.trainCell(PriceHypothesis.BOTH, 1, -1, null);
        CellResult bracket = study.trainCell(PriceHypothesis.BRACKET, 1, -1, null);
        System.out.printf("both at layer 1, '?': IIA %.3f %s, dims %s; bracket %.3f%n", both.iia(), both.iiaPerVariable(), both.widths(),
                bracket.iia());
        assertThat(both.iiaPerVariable().get("left")).isGreaterThanOrEqualTo(0.90);
        assertThat(both.iiaPerVariable().get("right")).isGreaterThanOrEqualTo(0.90);
        assertThat(both.widths().get("left") + both.widths().get("right")).isLessThan(64);
        assertThat(bracket.iia()).isLessThan(0.7);
    }

    @Test
    void aCellDependsOnlyOnTheSeedAndTheCellNotOnParallelism() throws Exception {
        StudySettings s = settings(List.of(PriceHypothesis.BOTH), List.of(2), List.of(-1, -3), 128, 1);
        CellResult alone = study(s).trainCell(PriceHypothesis.BOTH, 2, -1, null);
        StudyResults grid = study(s).run(tmp.resolve("r"), new AlignmentSearch.Progress() {
            @Override
            public void cellDone(AlignmentSearch.Cell cell, CellOutcome outcome) {
            }
        });
        CellResult inGrid = grid.cells().stream().filter(c -> c.position() == -1).findFirst().orElseThrow();
        assertThat(inGrid.iia()).isEqualTo(alone.iia());
        assertThat(inGrid.widths()).isEqualTo(alone.widths());
        assertThat(inGrid.iiaPerVariable()).containsOnlyKeys("left", "right");
        assertThat(grid.cells()).hasSize(2);
    }

    @Test
    void anInterruptedStudyResumesAndAWiderGridAddsOnlyTheNewCells() throws Exception {
        Path dir = tmp.resolve("report");
        List<Integer> started = new ArrayList<>();
        AlignmentSearch.Progress count = new AlignmentSearch.Progress() {
            @Override
            public void searchStarted(int cellsToRun) {
                started.add(cellsToRun);
            }

            @Override
            public void cellDone(AlignmentSearch.Cell cell, CellOutcome outcome) {
            }
        };
        study(settings(List.of(PriceHypothesis.LEFT), List.of(0), List.of(-1), 64, 1)).run(dir, count);
        StudyResults first = StudyJson.read(dir.resolve(StudyReport.JSON_FILE));
        StudyResults wider = study(settings(List.of(PriceHypothesis.LEFT, PriceHypothesis.MIDPOINT), List.of(0), List.of(-2, -1), 64, 1))
                .run(dir, count);
        assertThat(started).containsExactly(1, 3);
        assertThat(wider.cells()).hasSize(4);
        assertThat(wider.cells()).contains(first.cells().get(0));
        assertThat(wider.positions()).containsExactly(-2, -1);
        assertThat(Files.readString(dir.resolve(StudyReport.HTML_FILE))).contains("midpoint");

        // other settings would mix incomparable cells into one report: refused, naming the setting
        assertThatThrownBy(() -> study(settings(List.of(PriceHypothesis.LEFT), List.of(0), List.of(-1), 64, 2)).run(dir, count))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different study").hasMessageContaining("epochs");
    }

    @Test
    void badCellsAreRefusedBeforeAnyTraining() {
        PriceTaggingStudy s = study(settings(List.of(PriceHypothesis.LEFT), List.of(0), List.of(-1), 64, 1));
        assertThatThrownBy(() -> s.trainCell(PriceHypothesis.LEFT, 4, -1, null)).hasMessageContaining("layer 4 is out of range");
        assertThatThrownBy(() -> s.trainCell(PriceHypothesis.LEFT, 0, 17, null)).hasMessageContaining("position 17 is outside the prompt");
        assertThatThrownBy(() -> s.trainCell(PriceHypothesis.LEFT, 0, -18, null)).hasMessageContaining("position -18 is outside the prompt");
        assertThatThrownBy(() -> study(settings(List.of(PriceHypothesis.LEFT), List.of(0), List.of(30), 64, 1)).run(tmp.resolve("x"),
                (cell, outcome) -> { })).hasMessageContaining("position 30 is outside the prompt");
        assertThat(tmp.resolve("x")).doesNotExist();
    }
}
