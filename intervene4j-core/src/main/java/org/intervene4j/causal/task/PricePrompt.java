package org.intervene4j.causal.task;

/**
 * How a price-tagging input is shown to a language model: the prompt text, and the two answer
 * continuations whose first token the model must choose between.
 *
 * <ul>
 *   <li>{@link #COMPACT}: a short word/digit prompt for the task model trained here
 *       ({@link CompactPricePrompt}); every prompt has the same number of tokens.</li>
 *   <li>{@link #ALPACA}: the Boundless DAS paper's Alpaca instruction template
 *       ({@link AlpacaPricePrompt}), for instruction-tuned checkpoints.</li>
 * </ul>
 */
public interface PricePrompt {
    /** {@code between 1.25 and 6.73 : 4.50 ?}, answered {@code " yes"} / {@code " no"}. */
    PricePrompt COMPACT = new CompactPricePrompt();

    /** The paper's Alpaca template, answered {@code "Yes"} / {@code "No"}. */
    PricePrompt ALPACA = new AlpacaPricePrompt();

    /** The prompt text for {@code input}, ending where the answer begins. */
    String render(PriceInput input);

    /** The continuation meaning "inside the interval". */
    String yes();

    /** The continuation meaning "outside the interval". */
    String no();

    /** {@link #yes()} or {@link #no()}, whichever is the factual answer for {@code input}. */
    default String answer(PriceInput input) {
        return input.inside() ? yes() : no();
    }
}
