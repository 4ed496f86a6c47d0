package org.intervene4j.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A progress line for long loops, with custom metrics:
 *
 * <pre>
 * train [###########...................] 37/100 12.3 it/s eta 0:07 loss 0.4213 acc 0.91
 * </pre>
 *
 * On a terminal the line is redrawn in place ({@code \r}) at most ten times a second; in a log
 * (CI, a file) a plain line is printed at every tenth of the way and at the end, at most once a
 * second. Not thread-safe: drive it from the loop's thread.
 *
 * <pre>{@code
 * ProgressBar bar = ProgressBar.stderr("train", steps);
 * for (int step = 1; step <= steps; step++) {
 *     ...
 *     bar.metric("loss", "%.4f", loss).step();
 * }
 * bar.finish();
 * }</pre>
 */
public final class ProgressBar {
    private static final int BAR_WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;   // terminal: <= 10 redraws/s
    private static final long LOG_LINE_NANOS = 1_000_000_000L; // log: <= 1 line/s

    private final String label;
    private final long total;
    private final PrintWriter out;
    private final boolean interactive;
    private final LongSupplier clock;
    private final long start;
    private final Map<String, String> metrics = new LinkedHashMap<>();

    private long done;
    private long lastDraw = Long.MIN_VALUE;
    private long lastLoggedTenth = 0;
    private long lastDrawnDone = -1;
    private int lastWidth;
    private boolean finished;

    /**
     * @param label       text before the bar
     * @param total       number of steps (>= 1)
     * @param out         where to draw
     * @param interactive redraw in place (a terminal) rather than print lines (a log)
     * @param clock       nanosecond clock (tests pass a fake one)
     */
    public ProgressBar(String label, long total, PrintWriter out, boolean interactive, LongSupplier clock) {
        if (total < 1) throw new IllegalArgumentException("progress bar total must be >= 1, got " + total);
        this.label = label;
        this.total = total;
        this.out = out;
        this.interactive = interactive;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** A bar on stderr that redraws in place when stderr is a terminal. */
    public static ProgressBar stderr(String label, long total) {
        return onStderr(new PrintWriter(System.err), label, total);
    }

    /**
     * A bar drawn on {@code err}, the writer a command uses for stderr (picocli's
     * {@code getErr()}), redrawn in place when the process's stderr is a terminal.
     */
    public static ProgressBar onStderr(PrintWriter err, String label, long total) {
        return new ProgressBar(label, total, err, Terminal.stderrIsTerminal(), System::nanoTime);
    }

    /** Sets a metric shown after the bar, formatted with {@code format} (e.g. "%.4f"); returns this. */
    public ProgressBar metric(String name, String format, double value) {
        metrics.put(name, String.format(Locale.ROOT, format, value));
        return this;
    }

    /** Sets a metric shown verbatim; returns this. */
    public ProgressBar metric(String name, String value) {
        metrics.put(name, value);
        return this;
    }

    /** Advances by one step and redraws if it is time. */
    public void step() {
        stepTo(done + 1);
    }

    /** Sets the number of completed steps and redraws if it is time. */
    public void stepTo(long completed) {
        done = Math.min(Math.max(completed, 0), total);
        long now = clock.getAsLong();
        if (interactive) {
            if (done == total || lastDraw == Long.MIN_VALUE || now - lastDraw >= REDRAW_NANOS) draw(now);
        } else {
            long tenth = done * 10 / total;
            boolean newTenth = tenth > lastLoggedTenth;
            boolean allowed = lastDraw == Long.MIN_VALUE || now - lastDraw >= LOG_LINE_NANOS;
            if (done == total || (newTenth && allowed)) {
                lastLoggedTenth = tenth;
                draw(now);
            }
        }
    }

    /** Draws the final state and ends the line; further calls do nothing. */
    public void finish() {
        if (finished) return;
        // A terminal gets a last redraw (the "in m:ss" total time); a log only lacks a line
        // when the last step was not printed yet.
        if (interactive || lastDrawnDone != done) draw(clock.getAsLong());
        if (interactive) out.print(System.lineSeparator());
        out.flush();
        finished = true;
    }

    private void draw(long now) {
        String line = render(now);
        if (interactive) {
            // Pad with spaces over what is left of the previous, longer line.
            int pad = Math.max(0, lastWidth - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
        lastDraw = now;
        lastDrawnDone = done;
    }

    /** The progress line as it would be drawn at time {@code now} (nanoseconds). */
    String render(long now) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        int filled = (int) (BAR_WIDTH * done / total);
        StringBuilder sb = new StringBuilder(label).append(" [")
                .append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                .append(done).append('/').append(total)
                .append(String.format(Locale.ROOT, " %.1f it/s", rate));
        if (done < total) {
            sb.append(" eta ").append(rate > 0 ? clock(Math.round((total - done) / rate)) : "?");
        } else {
            sb.append(" in ").append(clock(Math.round(seconds)));
        }
        for (Map.Entry<String, String> m : metrics.entrySet()) {
            sb.append(' ').append(m.getKey()).append(' ').append(m.getValue());
        }
        return sb.toString();
    }

    /** Seconds as {@code m:ss} or {@code h:mm:ss}. */
    static String clock(long seconds) {
        long h = seconds / 3600;
        long m = (seconds / 60) % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
