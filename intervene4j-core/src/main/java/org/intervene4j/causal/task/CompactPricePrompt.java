package org.intervene4j.causal.task;

/**
 * The compact price-tagging prompt of the task model trained here:
 * {@code "between 1.25 and 6.73 : 4.50 ?"}, answered {@code " yes"} or {@code " no"}.
 *
 * <p>Prices always print as {@code D.DD}, so under the word/digit tokenizer
 * ({@link PriceVocabulary}) every prompt is {@link #TOKENS} tokens long and each position
 * always holds the same part of the input:
 *
 * <pre>
 * position  0      1        2   3  4   5   6    7   8  9   10  11  12  13  14  15  16
 * token     &lt;bos&gt;  between  lo  .  lo  lo  and  hi  .  hi  hi  :   am  .   am  am  ?
 * digit                   $      10c 1c           $      10c 1c      $       10c 1c
 * </pre>
 *
 * ({@code $} = whole dollars, {@code 10c} = tenths, {@code 1c} = hundredths; {@code am} =
 * amount.) The answer is read from the logits at the last position, {@link #ANSWER_POSITION}.
 */
public final class CompactPricePrompt implements PricePrompt {
    /** Tokens per prompt, BOS included. */
    public static final int TOKENS = 17;
    /** Position of the first token (the dollar digit) of the lower bound. */
    public static final int LO_POSITION = 2;
    /** Position of the dollar digit of the upper bound. */
    public static final int HI_POSITION = 7;
    /** Position of the dollar digit of the amount. */
    public static final int AMOUNT_POSITION = 12;
    /** The last prompt position ({@code ?}), whose logits predict the answer. */
    public static final int ANSWER_POSITION = TOKENS - 1;

    CompactPricePrompt() {}

    @Override
    public String render(PriceInput input) {
        return "between " + PriceInput.dollars(input.lo()) + " and " + PriceInput.dollars(input.hi())
                + " : " + PriceInput.dollars(input.amount()) + " ?";
    }

    @Override
    public String yes() {
        return " yes";
    }

    @Override
    public String no() {
        return " no";
    }

    @Override
    public String toString() {
        return "COMPACT";
    }
}
