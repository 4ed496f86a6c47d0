package org.intervene4j.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a Hugging Face word-level tokenizer ({@code tokenizer.json} and
 * {@code tokenizer_config.json}) for a fixed vocabulary, loadable by {@link Tokenizer} and by the
 * Python {@code tokenizers}/{@code transformers} libraries.
 *
 * <p>Text is split on whitespace, then every punctuation character and every digit becomes a
 * token of its own ({@code "4.50?"} becomes {@code 4 . 5 0 ?}); each piece is looked up whole
 * in the vocabulary (unknown pieces become the unknown token). When {@code prependBos} is set,
 * the post-processor puts the BOS token in front of every encoded text.
 */
public final class WordLevelTokenizerWriter {
    /**
     * The special tokens; each must be an entry of the vocabulary.
     *
     * @param bos beginning of sequence
     * @param eos end of sequence
     * @param pad padding
     * @param unk what unknown pieces map to
     */
    public record Specials(String bos, String eos, String pad, String unk) {
        List<String> all() {
            return List.of(pad, unk, bos, eos);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private WordLevelTokenizerWriter() {}

    /**
     * Writes {@code dir/tokenizer.json} and {@code dir/tokenizer_config.json}.
     *
     * @param vocab      every token, in id order (token i gets id i), specials included
     * @param prependBos whether encoding puts {@code specials.bos()} first
     */
    public static void write(Path dir, List<String> vocab, Specials specials, boolean prependBos) {
        Set<String> seen = new HashSet<>();
        for (String token : vocab) {
            if (token == null || token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("word-level tokenizer: vocabulary entry '" + token + "' is empty or has whitespace");
            }
            if (!seen.add(token)) throw new IllegalArgumentException("word-level tokenizer: vocabulary entry '" + token + "' appears twice");
        }
        for (String special : specials.all()) {
            if (!seen.contains(special)) {
                throw new IllegalArgumentException("word-level tokenizer: special token '" + special + "' is not in the vocabulary");
            }
        }
        try {
            Files.createDirectories(dir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(),
                    tokenizerJson(vocab, specials, prependBos));
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(),
                    tokenizerConfig(specials));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode tokenizerJson(List<String> vocab, Specials specials, boolean prependBos) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : specials.all()) {
            ObjectNode t = added.addObject();
            t.put("id", vocab.indexOf(special));
            t.put("content", special);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        steps.addObject().put("type", "WhitespaceSplit");
        steps.addObject().put("type", "Punctuation").put("behavior", "Isolated");
        steps.addObject().put("type", "Digits").put("individual_digits", true);
        if (prependBos) {
            root.set("post_processor", bosTemplate(specials.bos(), vocab.indexOf(specials.bos())));
        } else {
            root.putNull("post_processor");
        }
        root.putNull("decoder"); // decoding joins the tokens with single spaces
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode ids = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i), i);
        model.put("unk_token", specials.unk());
        return root;
    }

    /** A TemplateProcessing post-processor: {@code <bos> A} for one text, {@code <bos> A B} for a pair. */
    private static ObjectNode bosTemplate(String bos, int bosId) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "TemplateProcessing");
        ArrayNode single = p.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = p.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode entry = p.putObject("special_tokens").putObject(bos);
        entry.put("id", bos);
        entry.putArray("ids").add(bosId);
        entry.putArray("tokens").add(bos);
        return p;
    }

    private static ObjectNode tokenizerConfig(Specials specials) {
        ObjectNode c = JSON.createObjectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("bos_token", specials.bos());
        c.put("eos_token", specials.eos());
        c.put("pad_token", specials.pad());
        c.put("unk_token", specials.unk());
        c.put("add_bos_token", false); // the post-processor adds it (when asked to)
        c.put("clean_up_tokenization_spaces", false);
        return c;
    }
}
