package org.intervene4j.io;

import java.nio.file.Path;

/** A checkpoint file that cannot be used; the message names the file and what is wrong. */
public class CheckpointException extends IllegalArgumentException {
    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
