package org.intervene4j.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.nio.charset.Charset;

/** What the process is attached to: a terminal or a log, and which characters it can show. */
public final class Terminal {
    private Terminal() {}

    /**
     * True when stderr is an interactive terminal. The launcher knows ({@code [ -t 2 ]}) and
     * passes {@code -Dintervene4j.tty}; without it, fall back to {@link System#console()}
     * (which on JDK 22+ exists even when redirected, hence the {@code isTerminal} check).
     */
    public static boolean stderrIsTerminal() {
        String hint = System.getProperty("intervene4j.tty");
        if (hint != null) return Boolean.parseBoolean(hint);
        Console console = System.console();
        if (console == null) return false;
        try {
            Method isTerminal = Console.class.getMethod("isTerminal"); // JDK 22+
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** True when stdout encodes Unicode (then block characters can draw sparklines). */
    public static boolean stdoutIsUnicode() {
        String enc = System.getProperty("stdout.encoding"); // JDK 19+
        if (enc == null) enc = System.getProperty("sun.stdout.encoding");
        if (enc == null) enc = Charset.defaultCharset().name();
        return enc.toUpperCase(java.util.Locale.ROOT).startsWith("UTF");
    }
}
