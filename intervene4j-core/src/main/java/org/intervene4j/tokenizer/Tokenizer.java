package org.intervene4j.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.intervene4j.io.CheckpointException;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;

/**
 * A checkpoint's {@code tokenizer.json} (through DJL's binding of the Hugging Face tokenizers
 * library), with the special tokens {@code tokenizer_config.json} names: BOS is added only
 * where the checkpoint asks for it (its post-processor, or {@code add_bos_token}), EOS ends
 * generation, PAD fills batches.
 */
public final class Tokenizer implements AutoCloseable {
    private final Path file;
    private final HuggingFaceTokenizer hf;
    private final Integer bosId;
    private final Integer eosId;
    private final Integer padId;
    private final boolean addBos;

    private Tokenizer(Path file, HuggingFaceTokenizer hf, Integer bosId, Integer eosId, Integer padId, boolean addBos) {
        this.file = file;
        this.hf = hf;
        this.bosId = bosId;
        this.eosId = eosId;
        this.padId = padId;
        this.addBos = addBos;
    }

    /** Opens {@code dir/tokenizer.json} (and {@code tokenizer_config.json} when present). */
    public static Tokenizer open(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.exists(file)) {
            throw new CheckpointException(file, "file not found: this checkpoint has no tokenizer (pass token ids instead)");
        }
        return open(file, dir.resolve("tokenizer_config.json"));
    }

    /** Opens a tokenizer file with an optional tokenizer_config.json (null or missing: none). */
    public static Tokenizer open(Path tokenizerJson, Path tokenizerConfig) {
        HuggingFaceTokenizer hf;
        try {
            Map<String, String> options = new HashMap<>();
            options.put("addSpecialTokens", "true");
            options.put("padding", "false");
            options.put("truncation", "false");
            hf = HuggingFaceTokenizer.newInstance(tokenizerJson, options);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(tokenizerJson, "cannot load tokenizer: " + e.getMessage(), e);
        }
        JsonNode cfg = null;
        if (tokenizerConfig != null && Files.exists(tokenizerConfig)) {
            try {
                cfg = new ObjectMapper().readTree(Files.readAllBytes(tokenizerConfig));
            } catch (IOException e) {
                hf.close();
                throw new CheckpointException(tokenizerConfig, "not valid JSON: " + e.getMessage());
            }
        }
        Integer bos = specialId(hf, cfg, "bos_token");
        Integer eos = specialId(hf, cfg, "eos_token");
        Integer pad = specialId(hf, cfg, "pad_token");
        boolean addBos = cfg != null && cfg.path("add_bos_token").asBoolean(false);
        return new Tokenizer(tokenizerJson, hf, bos, eos, pad, addBos);
    }

    /** The id of a special token named in tokenizer_config.json (string or {"content": ...}), or null. */
    private static Integer specialId(HuggingFaceTokenizer hf, JsonNode cfg, String field) {
        if (cfg == null || !cfg.has(field) || cfg.get(field).isNull()) return null;
        JsonNode n = cfg.get(field);
        String token = n.isTextual() ? n.asText() : n.path("content").asText(null);
        if (token == null) return null;
        long[] ids = hf.encode(token, false, false).getIds();
        return ids.length == 1 ? (int) ids[0] : null;
    }

    /** Token ids of {@code text}, with the special tokens the checkpoint adds (BOS, [CLS] ... [SEP]). */
    public int[] encode(String text) {
        Encoding e = hf.encode(text, true, false);
        int[] ids = toInts(e.getIds());
        if (addBos && bosId != null && (ids.length == 0 || ids[0] != bosId)) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = bosId;
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }

    /** Token type (segment) ids of {@code text} as the post-processor assigns them. */
    public int[] typeIds(String text) {
        return toInts(hf.encode(text, true, false).getTypeIds());
    }

    /** Ids of several texts (unpadded; {@link org.intervene4j.model.TokenBatch} pads). */
    public int[][] encodeAll(String... texts) {
        int[][] out = new int[texts.length][];
        for (int i = 0; i < texts.length; i++) out[i] = encode(texts[i]);
        return out;
    }

    /**
     * Several texts as one padded batch (padding with {@link #padId()}; LEFT for generation,
     * RIGHT for scoring). Positions stay per example: see {@link TokenBatch#column}.
     */
    public TokenBatch batch(PadSide side, String... texts) {
        return TokenBatch.padded(encodeAll(texts), side, padId());
    }

    /** Text of {@code ids}, special tokens dropped. */
    public String decode(int... ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return hf.decode(l, true);
    }

    /** The end-of-sequence id, or null when the checkpoint names none. */
    public Integer eosId() {
        return eosId;
    }

    /** The beginning-of-sequence id, or null. */
    public Integer bosId() {
        return bosId;
    }

    /** The padding id: PAD if named, else EOS, else 0 (padded columns are masked out anyway). */
    public int padId() {
        return padId != null ? padId : eosId != null ? eosId : 0;
    }

    public Path file() {
        return file;
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override
    public void close() {
        hf.close();
    }
}
