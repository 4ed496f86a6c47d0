package org.intervene4j.causal.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.intervene4j.tokenizer.WordLevelTokenizerWriter;

/**
 * The word/digit vocabulary of the price-tagging task model: four special tokens, the ten
 * digits, the punctuation and the words of {@link PricePrompt#COMPACT} prompts and answers,
 * then the words of the single-bound training questions ({@link #encodeAbove},
 * {@link #encodeBelow}). New words go at the end, so the ids of the COMPACT prompt never move.
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
    /** The cue of the single-bound question {@code above LO : AMOUNT ?} (is amount >= lo?). */
    public static final int ABOVE_ID = 21;
    /** The cue of the single-bound question {@code below HI : AMOUNT ?} (is amount <= hi?). */
    public static final int BELOW_ID = 22;
    /** Tokens of a single-bound question, BOS included: {@code <bos> above D . D D : D . D D ?}. */
    public static final int SINGLE_BOUND_TOKENS = 12;

    private PriceVocabulary() {}

    private static List<String> tokens() {
        List<String> t = new ArrayList<>(List.of(PAD, UNK, BOS, EOS));
        for (int d = 0; d <= 9; d++) t.add(Integer.toString(d));
        t.addAll(List.of(".", ":", "?", "between", "and", "yes", "no", "above", "below"));
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

    /** The ids of {@code above LO : AMOUNT ?} for {@code input} (its hi is not shown); answer: amount >= lo. */
    public static int[] encodeAbove(PriceInput input) {
        return singleBound(ABOVE_ID, input.lo(), input.amount());
    }

    /** The ids of {@code below HI : AMOUNT ?} for {@code input} (its lo is not shown); answer: amount <= hi. */
    public static int[] encodeBelow(PriceInput input) {
        return singleBound(BELOW_ID, input.hi(), input.amount());
    }

    /** The answer id of {@link #encodeAbove}: yes when amount >= lo. */
    public static int aboveAnswerId(PriceInput input) {
        return input.amount() >= input.lo() ? YES_ID : NO_ID;
    }

    /** The answer id of {@link #encodeBelow}: yes when amount <= hi. */
    public static int belowAnswerId(PriceInput input) {
        return input.amount() <= input.hi() ? YES_ID : NO_ID;
    }

    private static int[] singleBound(int cue, int bound, int amount) {
        int[] ids = new int[SINGLE_BOUND_TOKENS];
        ids[0] = BOS_ID;
        ids[1] = cue;
        price(ids, 2, bound);
        ids[6] = COLON_ID;
        price(ids, 7, amount);
        ids[11] = QUESTION_ID;
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
