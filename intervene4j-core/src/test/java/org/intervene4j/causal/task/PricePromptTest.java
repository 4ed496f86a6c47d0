package org.intervene4j.causal.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The two prompt formats render inputs exactly as documented. */
class PricePromptTest {
    @Test
    void compactPromptPrintsEveryPriceAsDollarsDotCents() {
        PriceInput input = new PriceInput(125, 673, 450);
        assertThat(PricePrompt.COMPACT.render(input)).isEqualTo("between 1.25 and 6.73 : 4.50 ?");
        assertThat(PricePrompt.COMPACT.render(new PriceInput(5, 255, 9))).isEqualTo("between 0.05 and 2.55 : 0.09 ?");
        assertThat(PricePrompt.COMPACT.answer(input)).isEqualTo(" yes");
        assertThat(PricePrompt.COMPACT.answer(new PriceInput(125, 673, 674))).isEqualTo(" no");
    }

    @Test
    void compactPromptsAllHaveTheSameLength() {
        Random rng = new Random(3);
        for (int i = 0; i < 500; i++) {
            // "between D.DD and D.DD : D.DD ?" is always 30 characters
            assertThat(PricePrompt.COMPACT.render(PriceInput.sample(rng))).hasSize(30);
        }
    }

    @Test
    void alpacaPromptIsThePapersTemplate() {
        String expected = """
                Below is an instruction that describes a task, paired with an input that provides further context. \
                Write a response that appropriately completes the request.

                ### Instruction:
                Please say yes only if it costs between 1.25 and 6.73 dollars, otherwise no.

                ### Input:
                4.50 dollars

                ### Response:
                """;
        assertThat(PricePrompt.ALPACA.render(new PriceInput(125, 673, 450))).isEqualTo(expected);
        assertThat(PricePrompt.ALPACA.yes()).isEqualTo("Yes");
        assertThat(PricePrompt.ALPACA.answer(new PriceInput(125, 673, 100))).isEqualTo("No");
    }
}
