package org.intervene4j.testing;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;

/** The tiny reference checkpoints written by tools/reference/make_fixtures.py. */
public final class Fixtures {
    private Fixtures() {}

    /** The fixtures directory (one sub-directory per variant, plus index.json). */
    public static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/index.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A decoder fixture loaded as a causal LM. */
    public static CausalLM load(String variant) {
        return Models.loadCausalLM(dir().resolve(variant));
    }
}
