package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.indexSelect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.Tensor;

/**
 * Resample ablation: {@code b[idx] = r[idx]}, where {@code r} is the row of another input at the
 * same site. Two ways to supply the other inputs:
 * <ul>
 *   <li>{@linkplain #fromBank a bank} of rows {@code [N, w]} collected beforehand from reference
 *       inputs: each selected base row gets a bank row drawn uniformly with replacement;</li>
 *   <li>{@linkplain #fromSource the source rows} of the run (the spec's source input, which
 *       should hold other inputs than the base): the source rows are shuffled by a uniformly
 *       random permutation, so base row i gets source row {@code perm[i]}, which in general
 *       comes from another example and another position of the source batch.</li>
 * </ul>
 * "Another example" is therefore whatever the bank or the source batch holds: to exclude the
 * base input itself, build the bank (or the source batch) from a disjoint set of inputs.
 * The draw is a pure function of {@code seed} and the number of rows: every call with the same
 * seed makes the same choice (so a clean and a patched run see the same resample); use
 * {@link #withSeed} for another draw.
 */
public final class ResampleAblation implements Intervention {
    public static final String TYPE = "resample_ablation";
    private final Tensor bank; // [N, w], or null when the source rows are resampled
    private final long seed;

    private ResampleAblation(Tensor bank, long seed) {
        this.bank = bank;
        this.seed = seed;
    }

    /** Draws each row from {@code bank} [N, w] (N >= 1), with replacement. */
    public static ResampleAblation fromBank(Tensor bank, long seed) {
        if (bank == null || bank.dim() != 2 || bank.size(0) < 1) {
            throw new IllegalArgumentException(TYPE + ": bank must be rows [N, w] with N >= 1, got "
                    + (bank == null ? "null" : java.util.Arrays.toString(bank.shape())));
        }
        return new ResampleAblation(bank, seed);
    }

    /** Shuffles the source rows by a seeded random permutation. */
    public static ResampleAblation fromSource(long seed) {
        return new ResampleAblation(null, seed);
    }

    /** The same ablation with another seed. */
    public ResampleAblation withSeed(long newSeed) {
        return new ResampleAblation(bank, newSeed);
    }

    public long seed() {
        return seed;
    }

    /** The bank [N, w], or null. */
    public Tensor bank() {
        return bank;
    }

    /** Which bank or source row each of {@code n} base rows takes. */
    int[] choose(int n) {
        Random rng = new Random(seed);
        int[] pick = new int[n];
        if (bank != null) {
            int size = bank.size(0);
            for (int i = 0; i < n; i++) pick[i] = rng.nextInt(size);
            return pick;
        }
        for (int i = 0; i < n; i++) pick[i] = i;
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = rng.nextInt(i + 1);
            int t = pick[i];
            pick[i] = pick[j];
            pick[j] = t;
        }
        return pick;
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int n = base.size(0);
        int w = base.size(1);
        Tensor pool = bank != null ? bank : source;
        if (pool == null) throw new IllegalArgumentException(TYPE + ": no source rows were given");
        if (pool.size(1) != w) {
            throw new IllegalArgumentException(TYPE + ": " + (bank != null ? "bank" : "source") + " rows have width " + pool.size(1)
                    + " but the base rows have width " + w);
        }
        return ExactBlend.of(base, indexSelect(pool, 0, choose(n)), subspace);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean needsSource() {
        return bank == null;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return bank == null ? Map.of() : Map.of("bank", bank);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", TYPE);
        c.put("seed", seed);
        c.put("from", bank == null ? "source" : "bank");
        if (bank != null) {
            c.put("rows", bank.size(0));
            c.put("width", bank.size(1));
        }
        return c;
    }

    /** Rebuilds a saved resample ablation (config {@code seed}, {@code from}; a bank's {@code rows}, {@code width}). */
    public static ResampleAblation fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        ConfigReader r = new ConfigReader(TYPE, config, params);
        r.checkType();
        long seed = r.longValue("seed");
        String from = r.string("from");
        switch (from) {
            case "source":
                return new ResampleAblation(null, seed);
            case "bank":
                return new ResampleAblation(r.tensor("bank", r.positiveInt("rows"), r.positiveInt("width")), seed);
            default:
                throw new IllegalArgumentException(TYPE + ": config field 'from' must be 'bank' or 'source', got '" + from + "'");
        }
    }
}
