package org.intervene4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Checkpoint directories the command tests run on, made from the core module's tiny fixtures. */
public final class TestModels {
    /** The core module's fixture checkpoints (tiny random models of every family). */
    public static final Path FIXTURES = Path.of("../intervene4j-core/src/test/resources/fixtures");

    private TestModels() {
    }

    /**
     * A copy of the gpt2 fixture in {@code dir} with a word-level tokenizer over its 40 ids
     * ({@code "w0" .. "w39"}, unknown words read as w0), so that prompts can be given as text.
     */
    public static Path gpt2WithWordTokenizer(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(FIXTURES.resolve("gpt2"))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, dir.resolve(f.getFileName()));
        }
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < 40; i++) vocab.append(i == 0 ? "" : ",").append("\"w").append(i).append("\":").append(i);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
                + "\"added_tokens\":[],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,"
                + "\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"w0\"}}");
        return dir;
    }
}
