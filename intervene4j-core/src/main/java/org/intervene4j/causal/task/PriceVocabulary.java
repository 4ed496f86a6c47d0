package org.intervene4j.causal.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.intervene4j.tokenizer.WordLevelTokenizerWriter;

/**
 * The word/digit vocabulary of the price-tagging task model: four special tokens, the ten
 * digits, the punctuation and the words of {@link PricePrompt#COMPACT} prompts and answers.
 * {@link #encode} turns an input straight into ids (training needs no tokenizer library);
 * {@link #writeTokenizer} writes the same mapping as a Hugging Face tokenizer.
 */
public final class PriceVocabulary {
    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";

    /** Every token in id order: id i is entry i. */
    public static final List<String> TOKENS = tokens();

    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int BOS_ID = 2;
    public static final int EOS_ID = 3;
    private static final int DIGIT_0 = 4;
    public static final int DOT_ID = 14;
    public static final int COLON_ID = 15;
    public static final int QUESTION_ID = 16;
    public static final int BETWEEN_ID = 17;
    public static final int AND_ID = 18;
    /** The answer token of {@link PricePrompt#COMPACT}'s {@code " yes"}. */
    public static final int YES_ID = 19;
    /** The answer token of {@link PricePrompt#COMPACT}'s {@code " no"}. */
    public static final int NO_ID = 20;

    private PriceVocabulary() {}

    private static List<String> tokens() {
        List<String> t = new ArrayList<>(List.of(PAD, UNK, BOS, EOS));
        for (int d = 0; d <= 9; d++) t.add(Integer.toString(d));
        t.addAll(List.of(".", ":", "?", "between", "and", "yes", "no"));
        return Collections.unmodifiableList(t);
    }

    /** Number of token ids. */
    public static int size() {
        return TOKENS.size();
    }

    /** The id of a digit 0..9. */
    public static int digitId(int digit) {
        if (digit < 0 || digit > 9) throw new IllegalArgumentException("digit must be 0..9, got " + digit);
        return DIGIT_0 + digit;
    }

    /**
     * The ids of the {@link PricePrompt#COMPACT} prompt of {@code input}, BOS first:
     * {@link CompactPricePrompt#TOKENS} ids laid out as {@link CompactPricePrompt} documents.
     */
    public static int[] encode(PriceInput input) {
        int[] ids = new int[CompactPricePrompt.TOKENS];
        ids[0] = BOS_ID;
        ids[1] = BETWEEN_ID;
        price(ids, CompactPricePrompt.LO_POSITION, input.lo());
        ids[6] = AND_ID;
        price(ids, CompactPricePrompt.HI_POSITION, input.hi());
        ids[11] = COLON_ID;
        price(ids, CompactPricePrompt.AMOUNT_POSITION, input.amount());
        ids[16] = QUESTION_ID;
        return ids;
    }

    /** Writes {@code D . D D} for {@code cents} (below 1000) at {@code ids[at..at+3]}. */
    private static void price(int[] ids, int at, int cents) {
        ids[at] = digitId(cents / 100);
        ids[at + 1] = DOT_ID;
        ids[at + 2] = digitId(cents / 10 % 10);
        ids[at + 3] = digitId(cents % 10);
    }

    /** The answer id the model should predict for {@code input}. */
    public static int answerId(PriceInput input) {
        return input.inside() ? YES_ID : NO_ID;
    }

    /** Writes this vocabulary as {@code tokenizer.json} + {@code tokenizer_config.json} in {@code dir} (BOS prepended). */
    public static void writeTokenizer(Path dir) {
        WordLevelTokenizerWriter.write(dir, TOKENS, new WordLevelTokenizerWriter.Specials(BOS, EOS, PAD, UNK), true);
    }
}
