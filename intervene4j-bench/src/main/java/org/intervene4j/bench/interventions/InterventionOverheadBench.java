package org.intervene4j.bench.interventions;

import java.util.List;
import java.util.SplittableRandom;
import org.intervene4j.bench.Timing;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.intervention.Collect;
import org.intervene4j.intervention.IntervenableModel;
import org.intervene4j.intervention.InterventionSpec;
import org.intervene4j.intervention.Vanilla;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Site;

/**
 * What an intervention costs on top of a plain forward (ours only): a plain no-grad forward, the
 * same forward with a {@link Collect} at a site (every position), and a source + base
 * interchange ({@link Vanilla} at one position, one source forward). The three are timed in
 * rounds (one of each per round, in a rotating order, so a change in the machine's load hits
 * all alike), each run
 * inside {@code GradMode.off()} and its own {@link Arena}. The ratios are medians of the per-round
 * ratios: the three runs of a round are adjacent in time, so a load change between rounds (on
 * this VM the spread of one forward is larger than the few percent measured) cancels out of
 * them; the ratios of the three medians are kept beside them.
 */
public final class InterventionOverheadBench {
    /** Medians (ms) and the derived ratios. */
    public record Result(int batch, int seq, String site, double plain_ms, double collect_ms, double interchange_ms,
                         double collect_overhead, double interchange_ratio,
                         double collect_overhead_of_medians, double interchange_ratio_of_medians,
                         int warmup_rounds, int timed_rounds) {}

    private final CausalLM model;
    private final Site site;
    private final int batch;
    private final int seq;
    private final int warmup;
    private final int runs;
    private final long seed;

    public InterventionOverheadBench(CausalLM model, Site site, int batch, int seq, int warmup, int runs, long seed) {
        this.model = model;
        this.site = site;
        this.batch = batch;
        this.seq = seq;
        this.warmup = warmup;
        this.runs = runs;
        this.seed = seed;
    }

    public Result run() throws Exception {
        int vocab = model.info().vocab();
        SplittableRandom rng = new SplittableRandom(seed);
        TokenBatch base = RandomTokens.batch(RandomTokens.ids(rng, batch, seq, vocab));
        TokenBatch source = RandomTokens.batch(RandomTokens.ids(rng, batch, seq, vocab));
        IntervenableModel collect = new IntervenableModel(model, List.of(InterventionSpec.at(site, new Collect(), -1, null, null)));
        int last = seq - 1;
        IntervenableModel interchange = new IntervenableModel(model,
                List.of(InterventionSpec.at(site, new Vanilla(), 0, new int[] {last}, new int[] {last})));

        Timing.Step plain = () -> {
            try (GradMode off = GradMode.off(); Arena arena = Arena.open()) {
                model.forward(base);
            }
        };
        Timing.Step collecting = () -> {
            try (GradMode off = GradMode.off(); Arena arena = Arena.open()) {
                IntervenableModel.Result r = collect.run(base, List.of());
                if (r.collected(0).size(0) != batch * seq) throw new IllegalStateException("collect read the wrong rows");
            }
        };
        Timing.Step swapping = () -> {
            try (GradMode off = GradMode.off(); Arena arena = Arena.open()) {
                interchange.run(base, List.of(source));
            }
        };
        for (int i = 0; i < warmup; i++) {
            plain.run();
            collecting.run();
            swapping.run();
        }
        Timing.collectGarbage();
        double[] p = new double[runs], c = new double[runs], x = new double[runs];
        for (int i = 0; i < runs; i++) {
            // rotate the order each round, so no kind always follows the same one (cache state, JIT)
            for (int j = 0; j < 3; j++) {
                switch ((i + j) % 3) {
                    case 0 -> p[i] = time(plain);
                    case 1 -> c[i] = time(collecting);
                    default -> x[i] = time(swapping);
                }
            }
        }
        double pm = Timing.median(p), cm = Timing.median(c), xm = Timing.median(x);
        double[] collectRatio = new double[runs], interchangeRatio = new double[runs];
        for (int i = 0; i < runs; i++) {
            collectRatio[i] = c[i] / p[i];
            interchangeRatio[i] = x[i] / p[i];
        }
        return new Result(batch, seq, site.toString(), pm, cm, xm, Timing.median(collectRatio) - 1, Timing.median(interchangeRatio),
                cm / pm - 1, xm / pm, warmup, runs);
    }

    private static double time(Timing.Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e6;
    }
}
