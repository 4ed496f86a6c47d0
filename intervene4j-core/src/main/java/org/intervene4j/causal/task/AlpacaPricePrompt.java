package org.intervene4j.causal.task;

/**
 * The Boundless DAS paper's price-tagging prompt: the Alpaca instruction template with the
 * instruction "Please say yes only if it costs between {lo} and {hi} dollars, otherwise no."
 * and the input "{amount} dollars", answered {@code "Yes"} or {@code "No"} right after
 * {@code "### Response:\n"}.
 */
public final class AlpacaPricePrompt implements PricePrompt {
    AlpacaPricePrompt() {}

    @Override
    public String render(PriceInput input) {
        return "Below is an instruction that describes a task, paired with an input that provides further context. "
                + "Write a response that appropriately completes the request.\n\n"
                + "### Instruction:\n"
                + "Please say yes only if it costs between " + PriceInput.dollars(input.lo()) + " and "
                + PriceInput.dollars(input.hi()) + " dollars, otherwise no.\n\n"
                + "### Input:\n"
                + PriceInput.dollars(input.amount()) + " dollars\n\n"
                + "### Response:\n";
    }

    @Override
    public String yes() {
        return "Yes";
    }

    @Override
    public String no() {
        return "No";
    }

    @Override
    public String toString() {
        return "ALPACA";
    }
}
