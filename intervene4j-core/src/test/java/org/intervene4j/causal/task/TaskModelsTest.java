package org.intervene4j.causal.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Models;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped price-tagging checkpoint extracts once, loads as GPT-2 and does the task. */
class TaskModelsTest {
    @TempDir
    Path cache;

    @Test
    void shippedModelScoresAtLeast98PercentOnFreshHeldOutPrompts() {
        Path dir = TaskModels.priceTagging(cache);
        CausalLM model = Models.loadCausalLM(dir);
        // a seed the export did not use; every input is held out from training by construction
        List<PriceInput> heldOut = PriceSplit.heldOutSet(777, 2000);
        double accuracy = PriceTaggingAccuracy.of(model, heldOut);
        System.out.printf("shipped price-tagging model: held-out accuracy %.4f on %d prompts%n", accuracy, heldOut.size());
        assertThat(accuracy).isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void theTokenizerPathGivesTheSameAnswersAsDirectIds() {
        Path dir = TaskModels.priceTagging(cache);
        CausalLM model = Models.loadCausalLM(dir);
        List<PriceInput> inputs = PriceSplit.heldOutSet(31, 64);
        try (Tokenizer tok = Tokenizer.open(dir); GradMode off = GradMode.off()) {
            String[] prompts = inputs.stream().map(PricePrompt.COMPACT::render).toArray(String[]::new);
            Tensor logits = model.forward(tok.batch(PadSide.RIGHT, prompts)).contiguous(); // [64, 17, vocab]
            int vocab = logits.size(2);
            int yes = tok.encode(PricePrompt.COMPACT.yes())[1];
            int no = tok.encode(PricePrompt.COMPACT.no())[1];
            int right = 0;
            for (int i = 0; i < inputs.size(); i++) {
                float y = logits.get(i, CompactPricePrompt.ANSWER_POSITION, yes);
                float n = logits.get(i, CompactPricePrompt.ANSWER_POSITION, no);
                if ((y > n) == inputs.get(i).inside()) right++;
            }
            assertThat(right).isGreaterThanOrEqualTo(60);
            assertThat(PriceTaggingAccuracy.of(model, inputs)).isEqualTo(right / 64.0, org.assertj.core.data.Offset.offset(2 / 64.0));
        }
        assertThat(model.info().vocab()).isEqualTo(PriceVocabulary.size());
    }

    @Test
    void shippedModelAlsoAnswersTheSingleBoundQuestionsItWasTrainedOn() {
        Path dir = TaskModels.priceTagging(cache);
        CausalLM model = Models.loadCausalLM(dir);
        List<PriceInput> inputs = PriceSplit.heldOutSet(55, 400);
        try (Tokenizer tok = Tokenizer.open(dir); GradMode off = GradMode.off()) {
            String[] above = inputs.stream().map(in -> "above " + PriceInput.dollars(in.lo()) + " : "
                    + PriceInput.dollars(in.amount()) + " ?").toArray(String[]::new);
            String[] below = inputs.stream().map(in -> "below " + PriceInput.dollars(in.hi()) + " : "
                    + PriceInput.dollars(in.amount()) + " ?").toArray(String[]::new);
            int last = PriceVocabulary.SINGLE_BOUND_TOKENS - 1;
            Tensor a = model.forward(tok.batch(PadSide.RIGHT, above)).contiguous(); // [400, 12, vocab]
            Tensor b = model.forward(tok.batch(PadSide.RIGHT, below)).contiguous(); // [400, 12, vocab]
            int rightA = 0;
            int rightB = 0;
            int yesA = 0;
            int yesB = 0;
            for (int i = 0; i < inputs.size(); i++) {
                PriceInput in = inputs.get(i);
                boolean left = in.amount() >= in.lo();
                boolean right = in.amount() <= in.hi();
                if (left) yesA++;
                if (right) yesB++;
                if ((a.get(i, last, PriceVocabulary.YES_ID) > a.get(i, last, PriceVocabulary.NO_ID)) == left) rightA++;
                if ((b.get(i, last, PriceVocabulary.YES_ID) > b.get(i, last, PriceVocabulary.NO_ID)) == right) rightB++;
            }
            System.out.printf("shipped model: above %d/400 (yes share %d/400), below %d/400 (yes share %d/400)%n",
                    rightA, yesA, rightB, yesB);
            // far above always answering the majority (about 300/400)
            assertThat(rightA).isGreaterThanOrEqualTo(380);
            assertThat(rightB).isGreaterThanOrEqualTo(380);
        }
    }

    @Test
    void extractionIsReusedAndNamedByContent() throws IOException {
        Path first = TaskModels.priceTagging(cache);
        assertThat(first.getParent()).isEqualTo(cache);
        assertThat(first.getFileName().toString()).matches("price-tagging-[0-9a-f]{16}");
        for (String f : PriceTaggingCheckpoint.FILES) assertThat(first.resolve(f)).isRegularFile();
        FileTime stamp = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(first.resolve("model.safetensors"), stamp);
        Path second = TaskModels.priceTagging(cache);
        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second.resolve("model.safetensors"))).isEqualTo(stamp); // not rewritten
        try (var entries = Files.list(cache)) {
            assertThat(entries.toList()).containsExactly(first); // no staging folder left behind
        }
        // a damaged copy (a truncated file) is replaced by a fresh extraction
        Files.write(first.resolve("model.safetensors"), new byte[10]);
        Path third = TaskModels.priceTagging(cache);
        assertThat(Files.size(third.resolve("model.safetensors"))).isGreaterThan(10);
    }

    @Test
    void metadataRecordsHowTheModelWasMade() throws IOException {
        JsonNode info = new ObjectMapper().readTree(TaskModels.priceTagging(cache).resolve("training.json").toFile());
        PriceTaggingTrainer.Settings defaults = PriceTaggingTrainer.Settings.defaults();
        assertThat(info.at("/settings/seed").asLong()).isEqualTo(defaults.seed());
        assertThat(info.at("/settings/steps").asInt()).isEqualTo(defaults.steps());
        assertThat(info.at("/settings/d_model").asInt()).isEqualTo(defaults.dModel());
        assertThat(info.get("held_out_accuracy").asDouble()).isGreaterThanOrEqualTo(0.98);
    }
}
