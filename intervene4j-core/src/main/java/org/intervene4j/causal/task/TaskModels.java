package org.intervene4j.causal.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Task models that ship inside intervene4j-core as classpath resources, handed out as ordinary
 * checkpoint directories (for {@link org.intervene4j.model.Models#loadCausalLM}).
 *
 * <p>A model is extracted once into {@code <cache>/<name>-<content hash>/}, where the cache is
 * {@code $INTERVENE4J_CACHE} or {@code ~/.cache/intervene4j}. The directory is written beside
 * its final name and renamed into place, so a reader never sees half a checkpoint, and later
 * calls (from any process) reuse it. A new build with different weights gets a new hash and so
 * a new directory.
 */
public final class TaskModels {
    /** Classpath folder of the price-tagging checkpoint. */
    public static final String PRICE_TAGGING_RESOURCE = "/org/intervene4j/models/price-tagging/";

    private TaskModels() {}

    /**
     * The shipped price-tagging model (see {@link PriceTaggingTrainer.Settings#defaults()} and the
     * directory's {@code training.json}), extracted to the user's cache.
     */
    public static Path priceTagging() {
        return priceTagging(cacheRoot());
    }

    /** The shipped price-tagging model, extracted under {@code cacheRoot}. */
    public static Path priceTagging(Path cacheRoot) {
        return extract("price-tagging", PRICE_TAGGING_RESOURCE, PriceTaggingCheckpoint.FILES, cacheRoot);
    }

    /** {@code $INTERVENE4J_CACHE}, else {@code ~/.cache/intervene4j}. */
    public static Path cacheRoot() {
        String env = System.getenv("INTERVENE4J_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "intervene4j");
    }

    private static Path extract(String name, String resource, String[] files, Path cacheRoot) {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String file : files) contents.put(file, read(resource + file));
        Path target = cacheRoot.resolve(name + "-" + hash(contents));
        if (complete(target, contents)) return target;
        Path staging = null;
        try {
            Files.createDirectories(cacheRoot);
            staging = Files.createTempDirectory(cacheRoot, "." + name + "-staging-");
            for (Map.Entry<String, byte[]> e : contents.entrySet()) Files.write(staging.resolve(e.getKey()), e.getValue());
            if (Files.exists(target)) {
                // a damaged copy (interrupted by hand, truncated): move it aside, then replace it
                Path stale = Files.createTempDirectory(cacheRoot, "." + name + "-stale-");
                Files.move(target, stale.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
                deleteQuietly(stale);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another process put it there first; its copy has the same content hash
                if (!complete(target, contents)) {
                    throw new IOException(target + " exists but is not a complete copy of " + name + "; delete it");
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the " + name + " model to " + cacheRoot
                    + " (set INTERVENE4J_CACHE to a writable folder): " + e.getMessage(), e);
        } finally {
            if (staging != null) deleteQuietly(staging);
        }
    }

    /** Whether {@code dir} holds every file with the expected size. */
    private static boolean complete(Path dir, Map<String, byte[]> contents) {
        try {
            for (Map.Entry<String, byte[]> e : contents.entrySet()) {
                Path f = dir.resolve(e.getKey());
                if (!Files.isRegularFile(f) || Files.size(f) != e.getValue().length) return false;
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = TaskModels.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("classpath resource " + resource + " is missing from intervene4j-core");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath resource " + resource + ": " + e.getMessage(), e);
        }
    }

    /** First 16 hex digits of SHA-256 over every file's name, length and bytes. */
    static String hash(Map<String, byte[]> contents) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : contents.entrySet()) {
                sha.update((e.getKey() + "\0" + e.getValue().length + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(e.getValue());
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a stale staging folder is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
