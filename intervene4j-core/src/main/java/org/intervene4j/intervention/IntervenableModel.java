package org.intervene4j.intervention;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.KvCache;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.Sampler;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.site.Sites;

/**
 * A model with interventions placed at its sites. {@link #run} first runs each source input,
 * reading the source rows every interchange needs, then runs the base input with each base
 * site's rows replaced or modified. The wrapped model is never changed: hooks exist only for
 * the duration of a forward pass, and nothing global is switched.
 *
 * <p>Gradients flow through the interventions to their parameters (and, when the caller keeps
 * grad mode on, through the model to anything upstream that requires them). Under grad mode, a
 * base batch with a logits selection whose interventions all act in the later part of the prompt
 * is run in two parts ({@link PrefixSplit}): the columns before the earliest intervened one,
 * without hooks or graph, into a KV cache; then the rest with the interventions. The results and
 * gradients are those of the whole forward (to float rounding); the backward visits only the
 * rest's rows. In the same runs, a source forward keeps only the rows it reads in the block
 * where it ends ({@link SourceRowCut}). Both change results by float rounding only, and only in
 * training forwards: grad mode on and some intervention with a parameter that requires a
 * gradient. Every other forward runs whole, so that, for one, a vanilla interchange with the base
 * as its own source reproduces the plain logits bit for bit, grad mode on or off.
 * {@link #withTrainingCuts} turns both off.
 */
public final class IntervenableModel {
    private final CausalLM model;
    private final List<InterventionSpec> specs;
    /** Every site a spec reads or writes (whole sites, no positions): the only ones the hooks watch. */
    private final Set<Site> touched = new HashSet<>();
    /** Whether training forwards may be cut ({@link PrefixSplit}, {@link SourceRowCut}; see {@link #cutsThisRun}). */
    private final boolean cutsTrainingRuns;

    public IntervenableModel(CausalLM model, List<InterventionSpec> specs) {
        this(model, specs, true);
    }

    private IntervenableModel(CausalLM model, List<InterventionSpec> specs, boolean cutsTrainingRuns) {
        this.model = model;
        this.specs = List.copyOf(specs);
        this.cutsTrainingRuns = cutsTrainingRuns;
        for (InterventionSpec s : this.specs) {
            touched.add(s.site().whole());
            touched.add(s.sourceSite().whole());
        }
        ModelInfo info = model.info();
        for (int k = 0; k < this.specs.size(); k++) {
            InterventionSpec s = this.specs.get(k);
            checkSite("interventions[" + k + "].site", s.site(), info);
            checkSite("interventions[" + k + "].source_site", s.sourceSite(), info);
            if (s.site().component() == Component.ATTENTION_WEIGHTS) {
                throw new IllegalArgumentException("interventions[" + k + "].site: " + s.site()
                        + " is an attention pattern; patch query/key/value or head outputs instead");
            }
        }
    }

    private static void checkSite(String field, Site site, ModelInfo info) {
        if (site.component().perLayer && site.layer() >= info.layers()) {
            throw new IllegalArgumentException(field + ": layer " + site.layer() + " of " + site + " is out of range (the model has "
                    + info.layers() + " layers)");
        }
    }

    public CausalLM model() {
        return model;
    }

    /**
     * True for a training forward, the only kind that is cut: grad mode is on and some
     * intervention has a parameter that requires a gradient (an evaluation that merely left grad
     * mode on keeps its bit-exact results).
     */
    private boolean cutsThisRun() {
        return cutsTrainingRuns && GradMode.enabled() && !parameters().isEmpty();
    }

    /**
     * This model with the cuts of training forwards turned on or off (on by default): the
     * prefix cut of base forwards ({@link PrefixSplit}) and the row cut of source forwards
     * ({@link SourceRowCut}). Off, every forward runs whole: the gradients are the same up to
     * float rounding, only slower to get.
     */
    public IntervenableModel withTrainingCuts(boolean on) {
        return new IntervenableModel(model, specs, on);
    }

    public List<InterventionSpec> specs() {
        return specs;
    }

    /** True for a site some spec reads or writes: the hooks of this model's forwards run only there. */
    boolean touches(Site site) {
        return touched.contains(site);
    }

    /**
     * True when some spec writes or reads the {@code final_norm} or {@code logits} site. Those
     * sites see only the kept positions of a batch with a logits selection
     * ({@link TokenBatch#withLogitsAt}), so callers that select logits for speed fall back to
     * full logits for such specs.
     */
    public boolean actsOnLogitsSites() {
        for (InterventionSpec s : specs) {
            if (isLogitsSite(s.site()) || isLogitsSite(s.sourceSite())) return true;
        }
        return false;
    }

    private static boolean isLogitsSite(Site site) {
        return site != null && (site.component() == Component.FINAL_NORM || site.component() == Component.LOGITS);
    }

    /** Every trainable tensor of the placed interventions, each once (shared interventions count once). */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<Intervention, Integer> seen = new java.util.IdentityHashMap<>();
        for (InterventionSpec s : specs) {
            if (seen.containsKey(s.intervention())) continue;
            int id = seen.size();
            seen.put(s.intervention(), id);
            s.intervention().parameters().forEach((name, t) -> {
                if (t.requiresGrad()) out.put("interventions." + id + "." + name, t); // fixed tensors are not trained
            });
        }
        return out;
    }

    /** What a run produced. */
    public record Result(Tensor logits, Tensor baseLogits, Map<Integer, Tensor> collected, List<Fired> fired) {
        /** Rows collected by spec {@code k} (a collect intervention): [n, w]. */
        public Tensor collected(int k) {
            Tensor t = collected.get(k);
            if (t == null) throw new IllegalArgumentException("intervention " + k + " collected nothing");
            return t;
        }
    }

    /** Runs the base under all interventions; {@code sources.get(k)} feeds specs with source k. */
    public Result run(TokenBatch base, List<TokenBatch> sources) {
        return run(base, sources, false);
    }

    /**
     * @param alsoBase also return the plain base logits (one more forward without hooks)
     */
    public Result run(TokenBatch base, List<TokenBatch> sources, boolean alsoBase) {
        Map<Integer, Tensor> sourceRows = readSources(base, sources);
        Map<Integer, Tensor> collected = new HashMap<>();
        Map<Integer, Tensor> ownRows = new HashMap<>(); // same-run sources (SameRunSource), read as the base runs
        List<Fired> fired = new ArrayList<>();
        IntPredicate ownReads = k -> specs.get(k).intervention() instanceof SameRunSource;
        PrefixSplit split = cutsThisRun() && !actsOnLogitsSites() ? PrefixSplit.of(specs, base) : null;
        KvCache cache = split == null ? null : prefixCache(split.prefix);
        Tensor logits = cache != null
                ? model.forward(split.rest, hook(split.rest, k -> true, sourceRows, ownReads, ownRows, collected, fired, split::place), cache)
                : model.forward(base, hook(base, k -> true, sourceRows, ownReads, ownRows, collected, fired, p -> p), null);
        Tensor plain = alsoBase ? model.forward(base) : null;
        return new Result(logits, plain, collected, fired);
    }

    /**
     * Runs {@code prefix} (columns no intervention touches) without hooks into a cache that keeps
     * the step's own tensors, or returns null when the prefix carries an autograd graph (some
     * model weight requires a gradient, which the rows of the prefix feed too): then only the
     * whole forward gives every gradient. The check watches the last block's keys and values,
     * which every earlier weight feeds and which are all the rest reads of the prefix (watching
     * anything after the attention would keep the last block from dropping the prefix's rows).
     */
    private KvCache prefixCache(TokenBatch prefix) {
        int layers = model.info().layers();
        KvCache cache = KvCache.withinStep(layers);
        Site keys = Site.of(layers - 1, Component.KEY_OUTPUT);
        Site values = Site.of(layers - 1, Component.VALUE_OUTPUT);
        boolean[] graph = {false};
        model.forward(prefix, Sites.with(layers, (site, x) -> {
            graph[0] |= x.requiresGrad();
            return x;
        }, site -> site.equals(keys) || site.equals(values)), cache);
        return graph[0] ? null : cache;
    }

    /**
     * Runs a chain {@code source_0 -> source_1 -> ... -> base} (the last input is the base):
     * a spec with {@code source = k} reads its rows in the run of input k, after that run's own
     * interventions, and writes them into the run of input k + 1. Specs without a source act in
     * the base run. So a variable patched from source 0 into source 1 is what source 1 passes on.
     *
     * @param chain the inputs in order, the base last; all with the same number of examples
     */
    public Result runSerial(List<TokenBatch> chain) {
        if (chain.isEmpty()) throw new IllegalArgumentException("serial run: no inputs (the chain ends with the base)");
        int last = chain.size() - 1;
        for (int k = 0; k < specs.size(); k++) {
            InterventionSpec s = specs.get(k);
            if (s.intervention() instanceof SameRunSource) {
                throw new IllegalArgumentException("intervention " + k + " (" + s.intervention().type() + ") reads its own run; "
                        + "use run(...) for it, not a serial chain");
            }
            if (s.intervention().needsSource() && s.source() >= last) {
                throw new IllegalArgumentException("intervention " + k + " (" + s.intervention().type() + " at " + s.site()
                        + ") reads input " + s.source() + " of a chain of " + chain.size() + " inputs; it must read one of inputs 0.."
                        + (last - 1) + " (the base, input " + last + ", is written, never read)");
            }
        }
        for (TokenBatch b : chain) {
            if (b.batch() != chain.get(last).batch()) {
                throw new IllegalArgumentException("serial run: every input needs " + chain.get(last).batch() + " examples, one has "
                        + b.batch());
            }
        }
        Map<Integer, Tensor> collected = new HashMap<>();
        List<Fired> fired = new ArrayList<>();
        Map<Integer, Tensor> incoming = new HashMap<>();
        Tensor logits = null;
        for (int r = 0; r <= last; r++) {
            int run = r;
            Map<Integer, Tensor> outgoing = new HashMap<>();
            IntPredicate writes = k -> {
                InterventionSpec s = specs.get(k);
                return s.intervention().needsSource() ? s.source() == run - 1 : run == last;
            };
            IntPredicate reads = k -> specs.get(k).intervention().needsSource() && specs.get(k).source() == run;
            logits = model.forward(chain.get(r), hook(chain.get(r), writes, incoming, reads, outgoing, collected, fired, p -> p), null);
            incoming = outgoing;
        }
        return new Result(logits, null, collected, fired);
    }

    /**
     * The hook of one forward over {@code batch}: specs that {@code writes} accepts change their
     * base site's rows (source rows from {@code sourceRows}, or from {@code readRows} for
     * same-run sources); then specs that {@code reads} accepts read their source site's rows
     * (after this run's writes) into {@code readRows}. {@code place} maps the specs' positions to
     * token indices of {@code batch} (the identity unless the forward covers part of the input).
     */
    private Sites hook(TokenBatch batch, IntPredicate writes, Map<Integer, Tensor> sourceRows, IntPredicate reads,
                       Map<Integer, Tensor> readRows, Map<Integer, Tensor> collected, List<Fired> fired,
                       UnaryOperator<Positions> place) {
        ModelInfo info = model.info();
        return Sites.with(info.layers(), (site, x) -> {
            Tensor out = x;
            for (int k = 0; k < specs.size(); k++) {
                InterventionSpec s = specs.get(k);
                if (!writes.test(k) || !s.site().whole().equals(site)) continue;
                RowSelection sel = select(k, s.site(), place.apply(s.basePositions()), s.heads(), batch, out.shape(), info);
                checkSubspace(k, s, sel.rowWidth);
                Tensor rows = sel.gather(out);
                Tensor src = sourceRows.get(k);
                if (s.intervention() instanceof SameRunSource) {
                    src = readRows.get(k);
                    if (src == null) {
                        throw new IllegalArgumentException("intervention " + k + " (" + s.intervention().type() + " at " + s.site()
                                + ") reads " + s.sourceSite() + " of the same run, which the forward does not reach before " + s.site());
                    }
                }
                if (src != null && !java.util.Arrays.equals(src.shape(), rows.shape())) {
                    throw new IllegalArgumentException("intervention " + k + " at " + s.site() + ": the source gives rows "
                            + java.util.Arrays.toString(src.shape()) + " for base rows " + java.util.Arrays.toString(rows.shape())
                            + " (positions and heads must pair up one to one)");
                }
                fired.addAll(sel.fired);
                if (s.intervention() instanceof Collect) {
                    collected.put(k, rows);
                    continue;
                }
                out = sel.scatter(out, s.intervention().apply(rows, src, s.subspace()));
            }
            for (int k = 0; k < specs.size(); k++) {
                InterventionSpec s = specs.get(k);
                if (reads.test(k) && s.sourceSite().whole().equals(site)) {
                    readRows.put(k, select(k, s.sourceSite(), place.apply(s.sourcePositions()), s.heads(), batch, out.shape(), info)
                            .gather(out));
                }
            }
            return out;
        }, touched::contains);
    }

    /** What a generation with interventions produced. */
    public record Generation(int[] tokens, Map<Integer, Tensor> collected, List<Fired> fired) {
        /**
         * Rows collected by spec {@code k} over the whole generation, in the order the forwards
         * read them (prompt positions first, then one row per generated token): [n, w].
         */
        public Tensor collected(int k) {
            Tensor t = collected.get(k);
            if (t == null) throw new IllegalArgumentException("intervention " + k + " collected nothing");
            return t;
        }
    }

    /**
     * Generates up to {@code maxNewTokens} tokens after {@code prompt} (one example) with the KV
     * cache, under the interventions. Base positions are positions of the whole sequence
     * (negative: from the prompt's end); each spec acts in the forward that processes its
     * positions, so its effect on later tokens equals a full recomputation. With
     * {@code everyNewToken}, every spec also acts at each generated token's position (a spec
     * reading a source then needs exactly one source position, whose row it applies).
     * Collect specs gather their rows at every forward they fire in.
     *
     * @param sources source inputs (one example each), indexed by the specs' {@code source}
     * @param eosId   stop after this token (included), or null
     * @param onToken called with each new token as soon as it exists, or null
     */
    public Generation generate(int[] prompt, List<int[]> sources, int maxNewTokens, Sampler sampler, Integer eosId,
                               boolean everyNewToken, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        List<TokenBatch> batches = new ArrayList<>();
        for (int[] s : sources) batches.add(TokenBatch.of(s));
        return new InterventionGeneration(this, prompt, batches, everyNewToken).run(maxNewTokens, sampler, eosId, onToken);
    }

    /** Source rows per spec, read by one forward per source input that some spec uses. */
    Map<Integer, Tensor> readSources(TokenBatch base, List<TokenBatch> sources) {
        Map<Integer, Tensor> rows = new HashMap<>();
        ModelInfo info = model.info();
        for (int src = 0; src < sources.size(); src++) {
            TokenBatch input = sources.get(src);
            int which = src;
            boolean used = specs.stream().anyMatch(s -> s.source() == which && s.intervention().needsSource());
            if (!used) continue;
            if (input.batch() != base.batch()) {
                throw new IllegalArgumentException("source " + src + " has " + input.batch() + " examples but the base has " + base.batch());
            }
            long needed = specs.stream().filter(s -> s.source() == which && s.intervention().needsSource()).count();
            int[] read = {0};
            SourceRowCut cut = cutsThisRun() ? SourceRowCut.of(specs, which, input) : null;
            Sites reader = Sites.with(info.layers(), (site, x) -> {
                // fewer columns than the input: the cut block's rows, the kept positions in order
                boolean keptOnly = cut != null && x.size(1) != input.seq();
                for (int k = 0; k < specs.size(); k++) {
                    InterventionSpec s = specs.get(k);
                    if (s.source() != which || !s.intervention().needsSource() || !s.sourceSite().whole().equals(site)) continue;
                    RowSelection sel = keptOnly
                            ? select(k, s.sourceSite(), cut.keptPositions, s.heads(), cut.keptRows, x.shape(), info)
                            : select(k, s.sourceSite(), s.sourcePositions(), s.heads(), input, x.shape(), info);
                    rows.put(k, sel.gather(x));
                    read[0]++;
                }
                // Every row this source feeds has been read: the rest of its forward would be wasted.
                if (read[0] == needed) throw new SourceRead();
                return x;
            }, touched::contains);
            try {
                if (cut != null) {
                    model.forward(cut.batch, reader.endingIn(cut.layer), null);
                } else {
                    model.forward(input, reader, null);
                }
            } catch (SourceRead done) {
                // the source forward stopped after its last needed site
            }
        }
        for (int k = 0; k < specs.size(); k++) {
            InterventionSpec s = specs.get(k);
            if (s.intervention().needsSource() && !rows.containsKey(k)) {
                throw new IllegalArgumentException("intervention " + k + " (" + s.intervention().type() + " at " + s.site()
                        + ") reads source " + s.source() + ", but only " + sources.size() + " source input(s) were given");
            }
        }
        return rows;
    }

    /**
     * Ends a source forward early once all its rows are read. Thrown by the reading hook and
     * caught right around the forward; no stack trace, nothing escapes {@link #readSources}.
     */
    private static final class SourceRead extends RuntimeException {
        SourceRead() {
            super(null, null, false, false);
        }
    }

    private static RowSelection select(int k, Site site, Positions positions, int[] heads, TokenBatch batch, int[] shape,
                                       ModelInfo info) {
        int h = headsOf(site.component(), info);
        return RowSelection.of(k, site, positions, heads, batch, shape, h, info.headDim());
    }

    private static int headsOf(Component c, ModelInfo info) {
        return c == Component.KEY_OUTPUT || c == Component.VALUE_OUTPUT ? info.kvHeads() : info.heads();
    }

    private static void checkSubspace(int k, InterventionSpec s, int width) {
        if (s.subspace() == null) return;
        for (int d : s.subspace()) {
            if (d < 0 || d >= width) {
                throw new IndexOutOfBoundsException("intervention " + k + " at " + s.site() + ": subspace index " + d
                        + " is beyond the row width " + width);
            }
        }
    }
}
