package org.intervene4j.causal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Draws counterfactual pairs for a {@link CausalModel}: base and source from an input sampler,
 * an intervention from a list (each pair intervenes with one of them; the list is used in
 * equal shares), both outputs computed by running the model.
 *
 * <p><b>Balance</b> (default): for each intervention, every combination of (base output,
 * counterfactual output) over the output's value set appears equally often — for a boolean
 * output the four combinations each take a quarter, so a network that ignores the intervention
 * (always answers the base output) scores 0.5, and so does one that always answers "yes".
 * Done by rejection sampling; a combination that no pair reaches after {@code maxTries} draws in
 * a row is reported as impossible. {@link Builder#unbalanced()} keeps pairs as drawn.
 *
 * <pre>{@code
 * CounterfactualSampler<PriceInput> sampler = CounterfactualSampler
 *         .builder(model, (PriceInput in) -> Map.of("lo", in.lo(), "hi", in.hi(), "amount", in.amount()), PriceInput::sample)
 *         .intervention("left")
 *         .intervention("right")
 *         .build();
 * List<CounterfactualPair<PriceInput>> pairs = sampler.sample(1000, new Random(0));
 * CounterfactualSampler.Split<PriceInput> split = sampler.split(4000, 1000, new Random(1)); // disjoint inputs
 * }</pre>
 *
 * @param <I> the input type; must have value equality (a record) for held-out splits
 */
public final class CounterfactualSampler<I> {
    /** Training and held-out pairs; no input of one (as base or source) appears in the other. */
    public record Split<I>(List<CounterfactualPair<I>> train, List<CounterfactualPair<I>> heldOut) {}

    private final CausalModel model;
    private final Function<I, ? extends Map<String, ?>> encoder;
    private final Function<Random, I> inputSampler;
    private final List<List<String>> interventions;
    private final List<Object> outputValues; // null when unbalanced
    private final int maxTries;

    private CounterfactualSampler(Builder<I> b) {
        this.model = b.model;
        this.encoder = b.encoder;
        this.inputSampler = b.inputSampler;
        this.interventions = List.copyOf(b.interventions);
        this.outputValues = b.balanced ? model.values(model.output()).elements() : null;
        this.maxTries = b.maxTries;
    }

    /**
     * @param model        the causal model that labels every pair
     * @param encoder      input -> the model's input variables
     * @param inputSampler draws one input (used for bases and sources alike)
     */
    public static <I> Builder<I> builder(CausalModel model, Function<I, ? extends Map<String, ?>> encoder, Function<Random, I> inputSampler) {
        return new Builder<>(model, encoder, inputSampler);
    }

    /** The pair for a given base, source and intervention index (the model computes both outputs). */
    public CounterfactualPair<I> pair(I base, I source, int intervention) {
        if (intervention < 0 || intervention >= interventions.size()) {
            throw new IllegalArgumentException("counterfactual sampler: intervention index " + intervention + " outside 0.."
                    + (interventions.size() - 1));
        }
        List<String> vars = interventions.get(intervention);
        Map<String, ?> b = encoder.apply(base);
        Object baseOut = model.run(b).get(model.output());
        Object cfOut = model.interchange(b, encoder.apply(source), vars).get(model.output());
        return new CounterfactualPair<>(base, source, intervention, vars, baseOut, cfOut);
    }

    /** {@code n} pairs, balanced as configured, in random order. */
    public List<CounterfactualPair<I>> sample(int n, Random rng) {
        return sample(n, rng, Set.of());
    }

    /** {@code n} pairs none of whose bases or sources is in {@code excluded}. */
    public List<CounterfactualPair<I>> sample(int n, Random rng, Set<I> excluded) {
        if (n < 0) throw new IllegalArgumentException("counterfactual sampler: n must be >= 0, got " + n);
        List<CounterfactualPair<I>> out = new ArrayList<>(n);
        int shares = interventions.size();
        for (int j = 0; j < shares; j++) {
            int nj = n / shares + (j < n % shares ? 1 : 0);
            out.addAll(sampleOne(j, nj, rng, excluded));
        }
        Collections.shuffle(out, rng);
        return out;
    }

    /** {@code nTrain} training pairs, then {@code nHeldOut} pairs that share no input with them. */
    public Split<I> split(int nTrain, int nHeldOut, Random rng) {
        List<CounterfactualPair<I>> train = sample(nTrain, rng);
        List<CounterfactualPair<I>> heldOut = sample(nHeldOut, rng, CounterfactualPair.inputsOf(train));
        return new Split<>(train, heldOut);
    }

    /** Pairs for intervention {@code j}: fills a quota per (base output, counterfactual output) cell. */
    private List<CounterfactualPair<I>> sampleOne(int j, int n, Random rng, Set<I> excluded) {
        int cells = outputValues == null ? 1 : outputValues.size() * outputValues.size();
        int[] quota = new int[cells];
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < cells; c++) {
            quota[c] = n / cells;
            order.add(c);
        }
        Collections.shuffle(order, rng); // which cells get the remainder is random
        for (int r = 0; r < n % cells; r++) quota[order.get(r)]++;
        List<CounterfactualPair<I>> out = new ArrayList<>(n);
        int misses = 0;
        while (out.size() < n) {
            I base = inputSampler.apply(rng);
            I source = inputSampler.apply(rng);
            if (excluded.contains(base) || excluded.contains(source)) {
                if (++misses >= maxTries) {
                    throw new IllegalArgumentException("causal model '" + model.name() + "': " + maxTries + " draws in a row reused"
                            + " excluded (training) inputs; the input space is too small for a disjoint held-out set");
                }
                continue;
            }
            CounterfactualPair<I> p = pair(base, source, j);
            int c = cell(p);
            if (quota[c] > 0) {
                quota[c]--;
                out.add(p);
                misses = 0;
            } else if (++misses >= maxTries) {
                throw new IllegalArgumentException(unreachable(j, quota));
            }
        }
        return out;
    }

    private int cell(CounterfactualPair<I> p) {
        if (outputValues == null) return 0;
        int k = outputValues.size();
        return outputValues.indexOf(p.baseOutput()) * k + outputValues.indexOf(p.counterfactualOutput());
    }

    private String unreachable(int j, int[] quota) {
        List<String> missing = new ArrayList<>();
        int k = outputValues.size();
        for (int c = 0; c < quota.length; c++) {
            if (quota[c] > 0) missing.add("(base output " + outputValues.get(c / k) + ", counterfactual output " + outputValues.get(c % k) + ")");
        }
        return "causal model '" + model.name() + "': balancing pairs intervening on " + interventions.get(j) + ": no pair reached "
                + String.join(", ", missing) + " in " + maxTries + " draws in a row; the combination is impossible or too rare under"
                + " this input sampler (use unbalanced() or raise maxTries)";
    }

    /** The interventions, each a list of variables; a pair's {@code intervention()} indexes this list. */
    public List<List<String>> interventions() {
        return interventions;
    }

    public CausalModel model() {
        return model;
    }

    /** Configures a {@link CounterfactualSampler}. */
    public static final class Builder<I> {
        private final CausalModel model;
        private final Function<I, ? extends Map<String, ?>> encoder;
        private final Function<Random, I> inputSampler;
        private final List<List<String>> interventions = new ArrayList<>();
        private boolean balanced = true;
        private int maxTries = 100_000;

        private Builder(CausalModel model, Function<I, ? extends Map<String, ?>> encoder, Function<Random, I> inputSampler) {
            if (model == null || encoder == null || inputSampler == null) {
                throw new IllegalArgumentException("counterfactual sampler: model, encoder and input sampler are required");
            }
            this.model = model;
            this.encoder = encoder;
            this.inputSampler = inputSampler;
        }

        /** Adds an intervention that sets {@code variables} (together) to their source values. */
        public Builder<I> intervention(String... variables) {
            return intervention(List.of(variables));
        }

        /** Adds an intervention that sets {@code variables} (together) to their source values. */
        public Builder<I> intervention(List<String> variables) {
            if (variables.isEmpty()) throw new IllegalArgumentException("counterfactual sampler: an intervention needs at least one variable");
            for (String v : variables) {
                if (!model.variables().contains(v)) {
                    throw new IllegalArgumentException("counterfactual sampler: causal model '" + model.name() + "' has no variable '" + v
                            + "' (variables: " + model.variables() + ")");
                }
            }
            interventions.add(List.copyOf(variables));
            return this;
        }

        /** Keeps pairs as drawn (no balancing of outputs). */
        public Builder<I> unbalanced() {
            this.balanced = false;
            return this;
        }

        /** Draws in a row without filling a missing combination before giving up (default 100000). */
        public Builder<I> maxTries(int tries) {
            if (tries < 1) throw new IllegalArgumentException("counterfactual sampler: maxTries must be >= 1, got " + tries);
            this.maxTries = tries;
            return this;
        }

        public CounterfactualSampler<I> build() {
            if (interventions.isEmpty()) throw new IllegalArgumentException("counterfactual sampler: add at least one intervention");
            if (balanced && !model.values(model.output()).isExplicit()) {
                throw new IllegalArgumentException("counterfactual sampler: cannot balance the output '" + model.output() + "' of causal model '"
                        + model.name() + "': its values (" + model.values(model.output()) + ") are not listed (use unbalanced())");
            }
            return new CounterfactualSampler<>(this);
        }
    }
}
