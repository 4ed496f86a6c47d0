package org.intervene4j.causal.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.intervene4j.intervention.training.TrainingListener;
import org.intervene4j.model.CausalLM;

/**
 * A grid of alignment cells: every hypothesis x layer x position, each trained independently by
 * {@link BoundlessCellTrainer}. Cells already done (from an earlier, interrupted run) are
 * skipped; each finished cell is handed to {@link Progress#cellDone} at once, so a caller that
 * saves it there can resume. Cells run on {@code parallel} threads over the same frozen model
 * (a forward keeps no state in the model); each cell's seed depends only on the study seed and
 * the cell, so results do not depend on scheduling or on resuming.
 */
public final class AlignmentSearch {
    /** One cell of the grid. */
    public record Cell(String hypothesis, int layer, int position) {
    }

    /** A hypothesis with its counterfactual data (train, dev and test pairs). */
    public record Hypothesis(String name, EncodedPairs train, EncodedPairs dev, EncodedPairs test) {
    }

    /** Called from the worker threads (implementations synchronize). */
    public interface Progress {
        /** Before the first cell: how many cells will run (those not done already). */
        default void searchStarted(int cellsToRun) {
        }

        default void cellStarted(Cell cell) {
        }

        default void step(Cell cell, TrainingListener.Step step, long totalSteps) {
        }

        void cellDone(Cell cell, CellOutcome outcome);
    }

    private final CausalLM model;
    private final CellSettings settings;
    private final long seed;
    private final int parallel;

    /**
     * @param parallel cells trained at once (each on its own thread; the kernels of a cell run
     *                 inline while another cell holds the worker pool)
     */
    public AlignmentSearch(CausalLM model, CellSettings settings, long seed, int parallel) {
        if (parallel < 1) throw new IllegalArgumentException("alignment search: parallel must be >= 1, got " + parallel);
        this.model = model;
        this.settings = settings;
        this.seed = seed;
        this.parallel = parallel;
    }

    /** The cells of the grid, hypotheses outermost, then layers, then positions. */
    public static List<Cell> grid(List<Hypothesis> hypotheses, int[] layers, int[] positions) {
        List<Cell> cells = new ArrayList<>();
        for (Hypothesis h : hypotheses) {
            for (int layer : layers) {
                for (int p : positions) cells.add(new Cell(h.name(), layer, p));
            }
        }
        return cells;
    }

    /**
     * Trains every cell of the grid not in {@code done}; returns the new outcomes in grid order.
     * The first failing cell stops the search (cells already running finish) and its error is
     * rethrown.
     */
    public Map<Cell, CellOutcome> run(List<Hypothesis> hypotheses, int[] layers, int[] positions, Set<Cell> done, Progress progress) {
        Map<String, Hypothesis> byName = new LinkedHashMap<>();
        for (Hypothesis h : hypotheses) byName.put(h.name(), h);
        List<Cell> todo = new ArrayList<>();
        for (Cell c : grid(hypotheses, layers, positions)) if (!done.contains(c)) todo.add(c);
        // fail fast on a bad layer or position before any training starts
        for (Cell c : todo) validate(byName.get(c.hypothesis()), c);

        Map<Cell, CellOutcome> out = new LinkedHashMap<>();
        progress.searchStarted(todo.size());
        if (todo.isEmpty()) return out;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, todo.size()), daemonThreads());
        try {
            List<Future<CellOutcome>> futures = new ArrayList<>();
            for (Cell c : todo) futures.add(pool.submit(() -> trainCell(byName.get(c.hypothesis()), c, progress)));
            for (int i = 0; i < todo.size(); i++) out.put(todo.get(i), await(futures.get(i), pool));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private CellOutcome trainCell(Hypothesis h, Cell c, Progress progress) {
        progress.cellStarted(c);
        long steps = (long) ((h.train().size() + settings.batchSize() - 1) / settings.batchSize()) * settings.epochs();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(Step step) {
                progress.step(c, step, steps);
            }
        };
        CellOutcome o = BoundlessCellTrainer.train(model, h.train(), h.dev(), h.test(), c.layer(), c.position(), settings, cellSeed(seed, c),
                listener);
        progress.cellDone(c, o);
        return o;
    }

    /** The seed of one cell: a function of the study seed and the cell only. */
    public static long cellSeed(long seed, Cell c) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h ^= c.hypothesis().hashCode() * 0xC2B2AE3D27D4EB4FL;
        h ^= (c.layer() + 1L) * 0x165667B19E3779F9L;
        h ^= (c.position() + 1_000_003L) * 0x27D4EB2F165667C5L;
        return h ^ (h >>> 31);
    }

    private void validate(Hypothesis h, Cell c) {
        AlignmentSites.width(model, org.intervene4j.site.Site.of(c.layer(), settings.component()));
        AlignmentSites.checkPosition(c.position(), h.train(), h.dev(), h.test());
    }

    private static CellOutcome await(Future<CellOutcome> f, ExecutorService pool) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
            throw new IllegalStateException("alignment search interrupted", e);
        } catch (ExecutionException e) {
            pool.shutdownNow();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "intervene4j-cell-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
