package org.intervene4j.cli.study;

import java.io.PrintWriter;
import java.util.Locale;
import org.intervene4j.causal.search.AlignmentSearch;
import org.intervene4j.causal.search.CellOutcome;
import org.intervene4j.cli.ProgressBar;
import org.intervene4j.intervention.training.TrainingListener;

/**
 * Shows an alignment search on one progress bar over all training steps of the cells to run
 * (cells train in parallel, so the bar is driven from several threads: every call is
 * synchronized), with the cells done, the last finished cell and its IIA as metrics.
 */
final class StudyProgress implements AlignmentSearch.Progress {
    private final PrintWriter err;
    private final long stepsPerCell;
    private ProgressBar bar;
    private int cells;
    private int done;
    private long steps;

    StudyProgress(PrintWriter err, long stepsPerCell) {
        this.err = err;
        this.stepsPerCell = stepsPerCell;
    }

    @Override
    public synchronized void searchStarted(int cellsToRun) {
        cells = cellsToRun;
        if (cellsToRun == 0) {
            err.println("search: every cell is already in the report (resumed); nothing to train");
            err.flush();
            return;
        }
        bar = ProgressBar.onStderr(err, "search", Math.max(1, stepsPerCell * cellsToRun));
        bar.metric("cells", "0/" + cells);
    }

    @Override
    public synchronized void step(AlignmentSearch.Cell cell, TrainingListener.Step step, long totalSteps) {
        steps++;
        bar.stepTo(steps);
    }

    @Override
    public synchronized void cellDone(AlignmentSearch.Cell cell, CellOutcome outcome) {
        done++;
        bar.metric("cells", done + "/" + cells)
                .metric("last", String.format(Locale.ROOT, "%s L%d P%d IIA %.2f", cell.hypothesis(), cell.layer(), cell.position(), outcome.iia()));
        bar.stepTo(steps);
    }

    synchronized void finish() {
        if (bar != null) bar.finish();
    }
}
