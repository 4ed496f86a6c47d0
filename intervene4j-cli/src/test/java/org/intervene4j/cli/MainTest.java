package org.intervene4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.cli.CliRun.run;

import org.junit.jupiter.api.Test;

/** Exit statuses and messages of the command line. */
class MainTest {


    @Test
    void helpListsTheCommandsAndExitsZero() {
        CliRun r = run("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Usage: intervene4j").contains("demo").contains("--version");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void reversalHelpListsItsFlags() {
        CliRun r = run("reversal", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--steps").contains("--seed").contains("--batch").contains("--lr");
    }

    @Test
    void versionNamesTheRelease() {
        CliRun r = run("--version");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("intervene4j ").contains("kernels");
    }

    @Test
    void unknownOptionIsOneErrorLineWithStatusTwo() {
        CliRun r = run("demo", "--no-such-flag");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString()
                .startsWith("intervene4j: error: ").contains("--no-such-flag");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badValueIsOneErrorLineWithStatusTwo() {
        CliRun r = run("reversal", "--steps", "0");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString()
                .isEqualTo("intervene4j: error: --steps must be at least 1, got 0");
        assertThat(r.err()).doesNotContain("at org.");
    }

    @Test
    void malformedNumberIsAUsageError() {
        CliRun r = run("reversal", "--lr", "fast");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString().startsWith("intervene4j: error: ").contains("fast");
    }

    @Test
    void stacktraceFlagShowsWhereTheErrorCameFrom() {
        CliRun r = run("reversal", "--heads", "5", "--stacktrace");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("intervene4j: error: --heads must divide --d-model (64), got 5")
                .contains("java.lang.IllegalArgumentException").contains("at org.intervene4j.");
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun r = run("train-everything");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("intervene4j: error: ");
    }
}
