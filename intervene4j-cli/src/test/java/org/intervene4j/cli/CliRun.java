package org.intervene4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the {@code intervene4j} command line, as the tests see it.
 *
 * @param status exit status
 * @param out    what the command printed on stdout
 * @param err    what it printed on stderr
 */
public record CliRun(int status, String out, String err) {
    /** Runs {@code args} through {@link Main#run} and captures both streams. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(status, out.toString(), err.toString());
    }
}
