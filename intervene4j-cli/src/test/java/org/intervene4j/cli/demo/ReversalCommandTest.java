package org.intervene4j.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.intervene4j.cli.Main;
import org.junit.jupiter.api.Test;

/** The demo end to end at toy sizes (needs the engine's ops). */
class ReversalCommandTest {
    private static ReversalTraining.Settings tiny(long seed) {
        return new ReversalTraining.Settings(8, 16, 5e-3f, seed, 10, 3, 16, 1, 2, 20);
    }

    private static List<Float> losses(long seed) {
        List<Float> out = new ArrayList<>();
        new ReversalTraining(tiny(seed)).train(s -> out.add(s.loss()));
        return out;
    }

    @Test
    void sameSeedGivesTheSameRun() {
        List<Float> a = losses(4);
        assertThat(a).hasSize(8).allMatch(l -> l > 0 && Float.isFinite(l));
        assertThat(losses(4)).isEqualTo(a);
        assertThat(losses(5)).isNotEqualTo(a);
    }

    @Test
    void runsAndReportsHeldOutAccuracy() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new String[] {"reversal", "--steps", "5", "--eval", "10", "--d-model", "16", "--heads", "2",
                "--layers", "1", "--length", "3"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("loss (log scale)").contains("token accuracy").contains("exact match");
        assertThat(err.toString()).contains("train [").contains("5/5");
    }
}
