package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.mul;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;

/**
 * Gaussian noise (the corruption of causal tracing, Meng et al. 2022, "Locating and Editing
 * Factual Associations in GPT"): {@code b[idx] + σ·ε[idx]}, {@code ε ~ N(0, I)}.
 *
 * <p>ε is a pure function of {@code seed} and the row count: row i of every call gets the
 * i-th block of {@code w} draws of {@code new Random(seed)}, so the corrupted run and every
 * corrupted-with-restoration run of a trace see the same noise (as ROME's tracing does by
 * re-seeding). σ is usually {@code 3 x} the standard deviation of the embeddings over a corpus:
 * {@link #embeddingSigma}. σ = 0 is the identity.
 */
public final class Noise implements Intervention {
    public static final String TYPE = "noise";
    private final float sigma;
    private final long seed;

    private Noise(float sigma, long seed) {
        this.sigma = sigma;
        this.seed = seed;
    }

    /** Noise of standard deviation {@code sigma} (>= 0) drawn from {@code seed}. */
    public static Noise of(double sigma, long seed) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException(TYPE + ": sigma must be a finite number >= 0, got " + sigma);
        }
        return new Noise((float) sigma, seed);
    }

    /**
     * {@code multiple x} the standard deviation of every embedding value (pooled over
     * dimensions, unbiased, like ROME's {@code collect_embedding_std}) at the unpadded
     * positions of the corpus; ROME uses {@code multiple = 3}. The {@code embeddings} site is
     * what the first block reads: for GPT-2 that includes the learned position embeddings,
     * whereas ROME measures the token embeddings alone, so σ differs slightly there (adding the
     * noise at either point is the same corruption).
     */
    public static double embeddingSigma(CausalLM model, Iterable<TokenBatch> corpus, double multiple) {
        RunningStats stats = RunningStats.collect(model, Site.of(Component.EMBEDDINGS), Positions.all(), corpus);
        return multiple * stats.overallStd(true);
    }

    public float sigma() {
        return sigma;
    }

    public long seed() {
        return seed;
    }

    /** The noise rows ε·σ [n, w] this intervention adds (before the subspace mask). */
    public Tensor noise(int n, int w) {
        Tensor eps = Tensor.empty(n, w);
        float[] d = eps.data();
        Random rng = new Random(seed);
        for (int i = 0; i < n * w; i++) d[i] = (float) (rng.nextGaussian() * sigma);
        return eps;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        if (sigma == 0f) return base;
        int w = base.size(1);
        Tensor eps = noise(base.size(0), w);
        if (subspace != null) eps = mul(eps, SubspaceMask.of(w, subspace));
        return add(base, eps);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", TYPE);
        c.put("sigma", (double) sigma);
        c.put("seed", seed);
        return c;
    }

    /** Rebuilds saved noise (config {@code sigma}, {@code seed}). */
    public static Noise fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        ConfigReader r = new ConfigReader(TYPE, config, params);
        r.checkType();
        double s = r.doubleValue("sigma");
        if (s < 0) throw new IllegalArgumentException(TYPE + ": config field 'sigma' must be >= 0, got " + s);
        return new Noise((float) s, r.longValue("seed"));
    }
}
