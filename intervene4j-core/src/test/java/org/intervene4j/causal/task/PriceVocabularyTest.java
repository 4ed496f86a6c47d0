package org.intervene4j.causal.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The written tokenizer.json splits COMPACT prompts exactly as the direct encoder does. */
class PriceVocabularyTest {
    @TempDir
    Path dir;

    @Test
    void tokenizerEncodesTheDocumentedLayout() {
        PriceVocabulary.writeTokenizer(dir);
        try (Tokenizer tok = Tokenizer.open(dir)) {
            int[] ids = tok.encode("between 1.25 and 6.73 : 4.50 ?");
            List<String> pieces = new ArrayList<>();
            for (int id : ids) pieces.add(PriceVocabulary.TOKENS.get(id));
            assertThat(pieces).containsExactly("<bos>", "between", "1", ".", "2", "5", "and", "6", ".", "7", "3",
                    ":", "4", ".", "5", "0", "?");
            assertThat(ids).containsExactly(2, 17, 5, 14, 6, 9, 18, 10, 14, 11, 7, 15, 8, 14, 9, 4, 16);
            assertThat(tok.bosId()).isEqualTo(PriceVocabulary.BOS_ID);
            assertThat(tok.eosId()).isEqualTo(PriceVocabulary.EOS_ID);
            assertThat(tok.padId()).isEqualTo(PriceVocabulary.PAD_ID);
            // the answers are one token each (after the BOS the post-processor adds)
            assertThat(tok.encode(PricePrompt.COMPACT.yes())).containsExactly(PriceVocabulary.BOS_ID, PriceVocabulary.YES_ID);
            assertThat(tok.encode(PricePrompt.COMPACT.no())).containsExactly(PriceVocabulary.BOS_ID, PriceVocabulary.NO_ID);
            assertThat(tok.encode("between 1.25 dollars")).containsExactly(2, 17, 5, 14, 6, 9, PriceVocabulary.UNK_ID);
            assertThat(tok.decode(ids)).isEqualTo("between 1 . 2 5 and 6 . 7 3 : 4 . 5 0 ?");
        }
    }

    @Test
    void tokenizerAgreesWithTheDirectEncoderOnRandomPrompts() {
        PriceVocabulary.writeTokenizer(dir);
        Random rng = new Random(11);
        try (Tokenizer tok = Tokenizer.open(dir)) {
            for (int i = 0; i < 300; i++) {
                PriceInput input = PriceInput.sample(rng);
                int[] ids = tok.encode(PricePrompt.COMPACT.render(input));
                assertThat(ids).as("%s", input).hasSize(CompactPricePrompt.TOKENS).containsExactly(PriceVocabulary.encode(input));
                // the digits sit where the layout says
                assertThat(ids[CompactPricePrompt.LO_POSITION]).isEqualTo(PriceVocabulary.digitId(input.lo() / 100));
                assertThat(ids[CompactPricePrompt.HI_POSITION + 3]).isEqualTo(PriceVocabulary.digitId(input.hi() % 10));
                assertThat(ids[CompactPricePrompt.AMOUNT_POSITION + 2]).isEqualTo(PriceVocabulary.digitId(input.amount() / 10 % 10));
            }
        }
    }

    @Test
    void singleBoundQuestionsEncodeAsTheTokenizerSplitsThem() {
        PriceVocabulary.writeTokenizer(dir);
        // the new words come after the COMPACT ones, so the COMPACT ids above are unchanged
        assertThat(PriceVocabulary.TOKENS.get(PriceVocabulary.ABOVE_ID)).isEqualTo("above");
        assertThat(PriceVocabulary.TOKENS.get(PriceVocabulary.BELOW_ID)).isEqualTo("below");
        assertThat(PriceVocabulary.size()).isEqualTo(23);
        Random rng = new Random(12);
        try (Tokenizer tok = Tokenizer.open(dir)) {
            PriceInput fixed = new PriceInput(125, 673, 450);
            assertThat(tok.encode("above 1.25 : 4.50 ?")).containsExactly(2, 21, 5, 14, 6, 9, 15, 8, 14, 9, 4, 16)
                    .containsExactly(PriceVocabulary.encodeAbove(fixed));
            assertThat(tok.encode("below 6.73 : 4.50 ?")).containsExactly(PriceVocabulary.encodeBelow(fixed));
            for (int i = 0; i < 200; i++) {
                PriceInput in = PriceInput.sample(rng);
                String above = "above " + PriceInput.dollars(in.lo()) + " : " + PriceInput.dollars(in.amount()) + " ?";
                String below = "below " + PriceInput.dollars(in.hi()) + " : " + PriceInput.dollars(in.amount()) + " ?";
                assertThat(tok.encode(above)).as(above).hasSize(PriceVocabulary.SINGLE_BOUND_TOKENS)
                        .containsExactly(PriceVocabulary.encodeAbove(in));
                assertThat(tok.encode(below)).as(below).containsExactly(PriceVocabulary.encodeBelow(in));
                // the answers are the two halves of the task's own answer
                boolean left = PriceVocabulary.aboveAnswerId(in) == PriceVocabulary.YES_ID;
                boolean right = PriceVocabulary.belowAnswerId(in) == PriceVocabulary.YES_ID;
                assertThat(left).isEqualTo(in.amount() >= in.lo());
                assertThat(right).isEqualTo(in.amount() <= in.hi());
                assertThat(left && right).isEqualTo(in.inside());
            }
        }
    }
}
