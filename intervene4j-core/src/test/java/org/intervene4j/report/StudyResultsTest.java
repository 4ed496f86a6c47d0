package org.intervene4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudyResultsTest {
    private static final Instant LATER = Instant.parse("2024-05-02T00:00:00Z");

    @Test
    void bestIsTheHighestIiaThenTheLowerLayerThenTheEarlierPosition() {
        StudyResults r = SyntheticStudy.results();
        // brute force over the fixture's own formula: left peaks (1.0) where positionIndex - layer == 2, first at layer 0, index 2
        CellResult best = r.best("left").orElseThrow();
        assertThat(best.iia()).isEqualTo(1.0);
        assertThat(best.layer()).isEqualTo(0);
        assertThat(best.position()).isEqualTo(-4);
        assertThat(r.best("bracket").orElseThrow().iia()).isEqualTo(0.2);
    }

    @Test
    void cellsDoneCountsCellsNotSeeds() {
        StudyResults r = SyntheticStudy.results();
        assertThat(r.cellsDone("left")).isEqualTo(24); // 25 runs: one cell ran with two seeds
        assertThat(r.runsAt("left", 2, -3)).hasSize(2);
        assertThat(r.cellsDone("bracket")).isEqualTo(12);
        assertThat(r.cellsDone("midpoint")).isEqualTo(21);
        assertThat(r.cellsDone("both")).isEqualTo(23);
    }

    @Test
    void withCellReplacesTheSameRunAndAddsOtherSeeds() {
        StudyResults r = SyntheticStudy.results();
        int n = r.cells().size();
        StudyResults replaced = r.withCell(SyntheticStudy.cell("left", 1, -2, ":", 0.3, 11), LATER, 9);
        assertThat(replaced.cells()).hasSize(n);
        assertThat(replaced.runsAt("left", 1, -2)).singleElement().extracting(CellResult::iia).isEqualTo(0.3);
        assertThat(replaced.updated()).isEqualTo(LATER);
        StudyResults added = r.withCell(SyntheticStudy.cell("left", 1, -2, ":", 0.3, 99), LATER, 9);
        assertThat(added.cells()).hasSize(n + 1);
        assertThat(added.hasRun("left", 1, -2, 99)).isTrue();
        assertThat(r.hasRun("left", 1, -2, 99)).isFalse();
    }

    @Test
    void cellsOutsideTheSearchAreRejected() {
        StudyResults r = SyntheticStudy.results();
        assertThatThrownBy(() -> r.withCell(SyntheticStudy.cell("left", 1, -7, "x", 0.3, 1), LATER, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(".position: -7 is not among the positions searched");
        assertThatThrownBy(() -> r.withCell(new CellResult("sum", 1, -1, 79, "x", 0.5, Map.of(), Map.of(), 8, 1, 1, 1, 1, 1),
                LATER, 1)).hasMessageContaining(".hypothesis: 'sum' is not among the hypotheses");
    }

    @Test
    void cellChecksNameTheField() {
        assertThatThrownBy(() -> new CellResult("left", 0, 3, 4, "x", 0.5, Map.of(), Map.of(), 8, 1, 1, 1, 1, 1))
                .hasMessageStartingWith("absolute_position: 4 differs from position 3");
        assertThatThrownBy(() -> new CellResult("Left", 0, -1, 4, "x", 0.5, Map.of(), Map.of(), 8, 1, 1, 1, 1, 1))
                .hasMessageStartingWith("hypothesis 'Left' is not a hypothesis name");
        assertThatThrownBy(() -> new CellResult("left", 0, -1, 4, "x", Double.NaN, Map.of(), Map.of(), 8, 1, 1, 1, 1, 1))
                .hasMessageStartingWith("iia: NaN is outside 0..1");
        assertThatThrownBy(() -> new CellResult("left", 0, -1, 4, "x", 0.5, Map.of("left", 1.2), Map.of(), 8, 1, 1, 1, 1, 1))
                .hasMessageStartingWith("iia_per_variable.left: 1.2 is outside 0..1");
        assertThatThrownBy(() -> new CellResult("left", 0, -1, 4, "x", 0.5, Map.of(), Map.of("left", -1), 8, 1, 1, 1, 1, 1))
                .hasMessageStartingWith("widths.left: -1 is below 0");
        assertThatThrownBy(() -> new CellResult("left", 0, -1, 4, "x", 0.5, Map.of(), Map.of(), 8, 1, 1, 1, -2, 1))
                .hasMessageStartingWith("seconds: -2.0 is not");
    }
}
