package org.intervene4j.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.intervene4j.cli.demo.ReversalCommand;
import org.intervene4j.cli.model.GenerateCommand;
import org.intervene4j.cli.model.InterveneCommand;
import org.intervene4j.cli.model.LogitsCommand;
import org.intervene4j.cli.model.SitesCommand;
import org.intervene4j.cli.study.BoundlessCommand;
import org.intervene4j.cli.study.StudyCommand;
import org.intervene4j.cli.task.TrainTaskCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The {@code intervene4j} command. User mistakes (bad flags, invalid values, missing files)
 * print one line, {@code intervene4j: error: <message>}, and exit with status 2; add
 * {@code --stacktrace} (or {@code -Dintervene4j.debug=true}) to see where they came from.
 */
@Command(name = "intervene4j",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Causal interventions on transformer models, on the JVM.",
        subcommands = {StudyCommand.class, BoundlessCommand.class, TrainTaskCommand.class, ReversalCommand.class, GenerateCommand.class,
                InterveneCommand.class, LogitsCommand.class, SitesCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for user mistakes (bad usage, invalid values). */
    public static final int EXIT_USAGE = 2;
    /** Exit status for internal errors (bugs). */
    public static final int EXIT_INTERNAL = 1;

    @Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of an error.")
    boolean stacktrace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: show what there is.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        int status = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(status);
    }

    /** Runs the command line and returns the exit status (tests call this). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println("intervene4j: error: " + oneLine(e.getMessage()) + " (see '" + help + " --help')");
            if (debug(e.getCommandLine().getParseResult())) e.printStackTrace(err);
            err.flush();
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean user = isUserError(e);
            err.println("intervene4j: " + (user ? "error: " : "internal error: ") + describe(e, user));
            if (debug(parseResult) || !user) {
                e.printStackTrace(err);
            }
            err.flush();
            return user ? EXIT_USAGE : EXIT_INTERNAL;
        });
        return cli.execute(args);
    }

    /** Mistakes in what the user asked for, as opposed to bugs in intervene4j. */
    static boolean isUserError(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof IndexOutOfBoundsException
                || e instanceof UncheckedIOException
                || e instanceof java.io.IOException
                || e instanceof UserError;
    }

    private static String describe(Throwable e, boolean user) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
        if (e instanceof UncheckedIOException && e.getCause() != null && e.getCause().getMessage() != null) {
            message = oneLine(e.getCause().getMessage());
        }
        return user ? message : e.getClass().getName() + ": " + message;
    }

    private static String oneLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /** True when the user asked for stack traces, on any command of the line or by property. */
    private static boolean debug(ParseResult parseResult) {
        if (Boolean.getBoolean("intervene4j.debug")) return true;
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--stacktrace")) return true;
        }
        return false;
    }
}
