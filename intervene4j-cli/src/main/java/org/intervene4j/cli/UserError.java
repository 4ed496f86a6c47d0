package org.intervene4j.cli;

/** A mistake in what the user asked for; the CLI prints its message on one line and exits with 2. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
