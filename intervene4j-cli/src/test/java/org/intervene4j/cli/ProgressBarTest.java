package org.intervene4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Rendering, throttling and the two modes (terminal, log) of the progress bar. */
class ProgressBarTest {
    /** A clock the test moves by hand. */
    private static final class FakeClock {
        long nanos;

        void advanceMillis(long ms) {
            nanos += ms * 1_000_000L;
        }
    }

    @Test
    void rendersBarCountRateEtaAndMetrics() {
        FakeClock clock = new FakeClock();
        StringWriter bytes = new StringWriter();
        ProgressBar bar = new ProgressBar("train", 100, new PrintWriter(bytes), true, () -> clock.nanos);
        clock.advanceMillis(3000);
        bar.metric("loss", "%.4f", 0.42131).metric("acc", "%.2f", 0.9129).stepTo(37);
        String line = bar.render(clock.nanos);
        assertThat(line).isEqualTo("train [###########...................] 37/100 12.3 it/s eta 0:05 loss 0.4213 acc 0.91");
    }

    @Test
    void terminalModeRedrawsInPlaceAtMostTenTimesASecond() {
        FakeClock clock = new FakeClock();
        StringWriter bytes = new StringWriter();
        ProgressBar bar = new ProgressBar("x", 1000, new PrintWriter(bytes), true, () -> clock.nanos);
        for (int i = 0; i < 999; i++) {
            clock.advanceMillis(1); // 1000 steps/s: only every 100th step may redraw
            bar.step();
        }
        clock.advanceMillis(1);
        bar.step();
        bar.finish();
        String s = bytes.toString();
        long redraws = s.chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(10L, 13L);
        assertThat(s).endsWith(System.lineSeparator()).contains("1000/1000").doesNotContain("\n\r");
        assertThat(s.chars().filter(c -> c == '\n').count()).isEqualTo(1); // one line, redrawn
    }

    @Test
    void logModePrintsOneLinePerTenthAndTheEnd() {
        FakeClock clock = new FakeClock();
        StringWriter bytes = new StringWriter();
        ProgressBar bar = new ProgressBar("x", 50, new PrintWriter(bytes), false, () -> clock.nanos);
        for (int i = 0; i < 50; i++) {
            clock.advanceMillis(2000);
            bar.metric("loss", "%.1f", 50 - i).step();
        }
        bar.finish();
        String s = bytes.toString();
        assertThat(s).doesNotContain("\r");
        assertThat(s.lines()).hasSize(10);
        assertThat(s.lines().reduce((a, b) -> b).orElseThrow()).contains("50/50").contains(" in 1:40").contains("loss 1.0");
    }

    @Test
    void logModeIsThrottledToOneLineASecond() {
        FakeClock clock = new FakeClock();
        StringWriter bytes = new StringWriter();
        ProgressBar bar = new ProgressBar("x", 100, new PrintWriter(bytes), false, () -> clock.nanos);
        for (int i = 0; i < 100; i++) {
            clock.advanceMillis(10); // the whole loop takes one second
            bar.step();
        }
        bar.finish();
        assertThat(bytes.toString().lines().count()).isLessThanOrEqualTo(3);
    }

    @Test
    void clockFormatsMinutesAndHours() {
        assertThat(ProgressBar.clock(7)).isEqualTo("0:07");
        assertThat(ProgressBar.clock(605)).isEqualTo("10:05");
        assertThat(ProgressBar.clock(3725)).isEqualTo("1:02:05");
    }
}
