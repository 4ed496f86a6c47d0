package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.addScalar;
import static org.intervene4j.engine.Ops.embedding;
import static org.intervene4j.engine.Ops.exp;
import static org.intervene4j.engine.Ops.log;
import static org.intervene4j.engine.Ops.logSoftmax;
import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.scale;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.intervention.training.CounterfactualBatch;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.common.LogitsSelection;
import org.intervene4j.model.KvCache;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.PadSide;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;

/**
 * A hand-built one-token "language model" with two planted variables. Token
 * {@code id = (v * 4 + c) * nuisances + n} encodes V, C in {0..3} and a nuisance n. Its hidden
 * state (site {@code blocks.0.block_output}) is {@code h = Q [code(V); code(C); noise(id)]} with Q
 * a random rotation, code(x) the 2-d point (±1, ±1) of quadrant x and noise 12 random values per
 * token. The readout decodes V from {@code U_V^T h} (the first two columns of Q) and C from
 * {@code U_C^T h} (the next two) and outputs {@code O = (V + C) mod 4}, so the answer depends
 * only on those four planted directions; the other 12 dims are random and ignored.
 *
 * <p>High-level causal model: V, C (inputs), {@code O = (V + C) mod 4}. Counterfactual labels
 * come from running it with V (or C) set to the source's value.
 */
final class PlantedModel implements CausalLM {
    static final int WIDTH = 16;
    static final int VALUES = 4;
    static final Site SITE = Site.of(0, Component.BLOCK_OUTPUT);
    static final float SHARPNESS = 3f;

    final int nuisances;
    final Tensor q;         // [w, w] planted rotation (columns: U_V, U_C, noise axes)
    final Tensor embedding; // [vocab, w]
    private final Tensor readV;   // [w, 4] = U_V code^T
    private final Tensor readC;   // [w, 4]
    private final Tensor combine; // [16, 4]: (v, c) -> (v + c) mod 4

    PlantedModel(Random rng, int nuisances) {
        this(rng, nuisances, false);
    }

    /** @param axisAligned Q = identity: V lives on neurons 0, 1 and C on 2, 3 */
    PlantedModel(Random rng, int nuisances, boolean axisAligned) {
        this.nuisances = nuisances;
        int w = WIDTH;
        float[][] codes = new float[VALUES][];
        for (int x = 0; x < VALUES; x++) {
            double angle = Math.PI / 2 * x + Math.PI / 4;
            codes[x] = new float[] {(float) (Math.sqrt(2) * Math.cos(angle)), (float) (Math.sqrt(2) * Math.sin(angle))};
        }
        q = axisAligned ? identity(w) : org.intervene4j.train.RandomOrthogonal.sample(rng, w);
        int vocab = VALUES * VALUES * nuisances;
        embedding = Tensor.zerosPersistent(vocab, w);
        for (int id = 0; id < vocab; id++) {
            int v = id / nuisances / VALUES;
            int c = id / nuisances % VALUES;
            float[] latent = new float[w];
            latent[0] = codes[v][0];
            latent[1] = codes[v][1];
            latent[2] = codes[c][0];
            latent[3] = codes[c][1];
            for (int j = 4; j < w; j++) latent[j] = (float) rng.nextGaussian();
            for (int i = 0; i < w; i++) {
                double s = 0;
                for (int j = 0; j < w; j++) s += q.get(i, j) * latent[j];
                embedding.set((float) s, id, i);
            }
        }
        readV = Tensor.zerosPersistent(w, VALUES);
        readC = Tensor.zerosPersistent(w, VALUES);
        for (int i = 0; i < w; i++) {
            for (int x = 0; x < VALUES; x++) {
                readV.set(SHARPNESS * (q.get(i, 0) * codes[x][0] + q.get(i, 1) * codes[x][1]), i, x);
                readC.set(SHARPNESS * (q.get(i, 2) * codes[x][0] + q.get(i, 3) * codes[x][1]), i, x);
            }
        }
        combine = Tensor.zerosPersistent(VALUES * VALUES, VALUES);
        for (int v = 0; v < VALUES; v++) for (int c = 0; c < VALUES; c++) combine.set(1f, v * VALUES + c, (v + c) % VALUES);
    }

    private static Tensor identity(int w) {
        Tensor t = Tensor.zerosPersistent(w, w);
        for (int i = 0; i < w; i++) t.set(1f, i, i);
        return t;
    }

    /** The planted V subspace, columns {@code [w, 2]} in double. */
    double[][] plantedV() {
        return planted(0);
    }

    /** The planted C subspace, columns {@code [w, 2]} in double. */
    double[][] plantedC() {
        return planted(2);
    }

    private double[][] planted(int first) {
        double[][] out = new double[WIDTH][2];
        for (int i = 0; i < WIDTH; i++) {
            out[i][0] = q.get(i, first);
            out[i][1] = q.get(i, first + 1);
        }
        return out;
    }

    static int output(int v, int c) {
        return (v + c) % VALUES;
    }

    int token(int v, int c, int n) {
        return (v * VALUES + c) * nuisances + n;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("planted", 1, WIDTH, 1, 1, WIDTH, WIDTH, VALUES, 16);
    }

    @Override
    public Tensor forward(TokenBatch batch, Sites sites, KvCache cache) {
        int b = batch.batch();
        int s = batch.seq();
        Tensor h = embedding(embedding, batch.flatIds(), b, s);           // [b, s, w]
        h = sites.at(0, Component.BLOCK_OUTPUT, h);
        h = LogitsSelection.keep(h, batch);                               // [b, k, w]: the kept logit rows
        s = h.size(1);
        Tensor lv = logSoftmax(matmul(h, readV));                          // [b, s, 4]
        Tensor lc = logSoftmax(matmul(h, readC));
        Tensor joint = add(lv.unsqueeze(3), lc.unsqueeze(2)).reshape(b, s, VALUES * VALUES); // log p(v) + log p(c)
        return log(addScalar(matmul(exp(joint), combine), 1e-9f));        // log p(O)
    }

    @Override
    public List<SiteShape> sites() {
        return List.of(new SiteShape(SITE, new int[] {WIDTH}));
    }

    /** One example's inputs. */
    record Example(int v, int c, int n) {
    }

    /**
     * Counterfactual pairs: base and source drawn at random over nuisances {@code [nLo, nHi)};
     * the intervened variable is V (variable 0) or C (variable 1), chosen by {@code variables}
     * (null: always V). The label runs the causal model with that variable set to the source's value.
     */
    CounterfactualBatch pairs(Random rng, int size, int nLo, int nHi, boolean mixVariables) {
        int[][] base = new int[size][1];
        int[][] source = new int[size][1];
        int[] labels = new int[size];
        int[] variables = new int[size];
        for (int i = 0; i < size; i++) {
            Example bx = new Example(rng.nextInt(VALUES), rng.nextInt(VALUES), nLo + rng.nextInt(nHi - nLo));
            Example sx = new Example(rng.nextInt(VALUES), rng.nextInt(VALUES), nLo + rng.nextInt(nHi - nLo));
            base[i][0] = token(bx.v, bx.c, bx.n);
            source[i][0] = token(sx.v, sx.c, sx.n);
            variables[i] = mixVariables ? rng.nextInt(2) : 0;
            // the causal model under the intervention: the chosen variable takes the source's value
            int v = variables[i] == 0 ? sx.v : bx.v;
            int c = variables[i] == 1 ? sx.c : bx.c;
            labels[i] = output(v, c);
        }
        CounterfactualBatch batch = CounterfactualBatch.atLastToken(TokenBatch.padded(base, PadSide.RIGHT, 0),
                List.of(TokenBatch.padded(source, PadSide.RIGHT, 0)), labels);
        return mixVariables ? batch.withVariables(variables) : batch;
    }

    List<CounterfactualBatch> heldOut(long seed, int batches, int size, int nLo, int nHi, boolean mix) {
        Random rng = new Random(seed);
        List<CounterfactualBatch> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) out.add(pairs(rng, size, nLo, nHi, mix));
        return out;
    }

    /** Factual accuracy of the plain model on every token. */
    double factualAccuracy() {
        int vocab = VALUES * VALUES * nuisances;
        int[][] ids = new int[vocab][1];
        for (int id = 0; id < vocab; id++) ids[id][0] = id;
        Tensor logits = forward(TokenBatch.padded(ids, PadSide.RIGHT, 0));
        int correct = 0;
        for (int id = 0; id < vocab; id++) {
            int best = 0;
            for (int o = 1; o < VALUES; o++) if (logits.get(id, 0, o) > logits.get(id, 0, best)) best = o;
            if (best == output(id / nuisances / VALUES, id / nuisances % VALUES)) correct++;
        }
        return (double) correct / vocab;
    }
}
