package org.intervene4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs headless Chromium for the report tests, each run with a fresh profile directory and a
 * time limit. A missing Chromium fails the test with what to install: the rendering check must
 * not be skipped silently.
 */
final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 90;

    /** What one run printed. */
    record Result(int exitCode, String stdout, String stderr) {}

    private final Path binary;
    private final Path work;
    private int runs;

    /** {@code work}: a scratch directory for profiles and captured output. */
    HeadlessChromium(Path work) {
        String override = System.getenv("INTERVENE4J_CHROMIUM");
        this.binary = Path.of(override != null && !override.isBlank() ? override : "/usr/bin/chromium");
        this.work = work;
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("Chromium is not installed (looked for " + binary + "): the report acceptance test"
                    + " renders the HTML in headless Chromium. Install it with tools/install-test-deps"
                    + " (Debian/Ubuntu: apt-get install --no-install-recommends chromium), or point INTERVENE4J_CHROMIUM"
                    + " at a Chromium binary.");
        }
    }

    /** Runs Chromium headless on {@code url} with {@code extraArgs}; fails on timeout or a non-zero exit, with its stderr. */
    Result run(String url, String... extraArgs) throws IOException, InterruptedException {
        int n = ++runs;
        Path profile = Files.createDirectories(work.resolve("profile-" + n));
        Path out = work.resolve("stdout-" + n + ".txt");
        Path err = work.resolve("stderr-" + n + ".txt");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=" + profile));
        cmd.addAll(List.of(extraArgs));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + cmd + "\nstderr:\n" + Files.readString(err));
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        if (r.exitCode() != 0) {
            throw new AssertionError("Chromium exited with " + r.exitCode() + ": " + cmd + "\nstderr:\n" + r.stderr());
        }
        return r;
    }
}
