package org.intervene4j.bench.interventions;

import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.intervene4j.bench.Timing;
import org.intervene4j.bench.torch.TorchGpt2Hooked;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.intervention.BoundlessRotatedSpace;
import org.intervene4j.intervention.IntervenableModel;
import org.intervene4j.intervention.InterventionSpec;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Site;
import org.intervene4j.train.Adam;
import org.intervene4j.train.Orthogonal;

/**
 * Training steps per second of Boundless DAS, ours against the same step written directly in
 * libtorch. One step, on both sides: a source forward up to the site (as {@link IntervenableModel}
 * runs it: a source forward stops once its rows are read) reading the site's last-position rows; a base forward whose last-position rows at the
 * site become {@code b + (((s - b) R^T) ⊙ m) R}, with R the Cayley rotation of a trainable
 * {@code W [d, d]} ({@code A = W - W^T}, {@code R = (I + A)^{-1} (I - A)}, starting at W = 0)
 * and m the soft interval mask {@code σ((c - lo)/τ) σ((hi - c)/τ)}, {@code c_i = i + 1/2},
 * {@code hi = d softplus(raw)}, {@code lo = 0} (one variable); cross-entropy of the last
 * position's logits against random labels; backward (only W and raw require gradients); an Adam
 * update of W and raw. Both sides run the final norm and LM head on the last position only (ours
 * through a logits selection on the base batch), as a trainer reading one label position does.
 * Steps run in rounds (ours, then libtorch, each after {@link Timing#settle()}) and the median step time of
 * each is kept. The first step's losses are returned for the parity check (same weights, same
 * inputs, same starting parameters: they must agree to float rounding).
 */
public final class BoundlessDasStepBench {
    /** Steps per second of both sides, their ratio and the first-step losses. */
    public record Result(int batch, int seq, String site, int rotation_dim, double temperature, double lr,
                         double steps_per_s, double libtorch_steps_per_s, double speedup_vs_libtorch,
                         double step_ms, double libtorch_step_ms,
                         double first_loss, double libtorch_first_loss, double first_loss_abs_diff, boolean loss_parity_ok,
                         double last_loss, double libtorch_last_loss, int warmup_steps, int timed_steps,
                         Phases phases_ms, Phases libtorch_phases_ms) {}

    /**
     * Median milliseconds of a step's parts: both forwards (source, then base with the
     * intervention, rotation and mask included, and the loss), the backward, the Adam update.
     */
    public record Phases(double forward, double backward, double update) {}

    /** Per-step phase durations (ms) of one side. */
    private static final class PhaseTimes {
        final double[] forward, backward, update;
        int n;

        PhaseTimes(int steps) {
            forward = new double[steps];
            backward = new double[steps];
            update = new double[steps];
        }

        /** Records a step timed at {@code t0 < t1 < t2 < t3} (nanoTime), when recording. */
        void add(boolean record, long t0, long t1, long t2, long t3) {
            if (!record) return;
            forward[n] = (t1 - t0) / 1e6;
            backward[n] = (t2 - t1) / 1e6;
            update[n] = (t3 - t2) / 1e6;
            n++;
        }

        Phases medians() {
            return new Phases(Timing.median(java.util.Arrays.copyOf(forward, n)), Timing.median(java.util.Arrays.copyOf(backward, n)),
                    Timing.median(java.util.Arrays.copyOf(update, n)));
        }
    }

    static final double INITIAL_WIDTH = 0.5;

    /**
     * Untimed steps per side before timing. Our first steps run the backward's kernels (layer-norm
     * and GELU backward, Adam, the float64 inverse) before the JIT has compiled them: a JFR
     * profile of a fresh process shows the Vector API's boxing fallbacks in them for about ten
     * steps (backward ~90 ms instead of ~35). A training run takes hundreds of steps, so its
     * steady state is what is timed; libtorch gets the same untimed steps.
     */
    public static final int DEFAULT_WARMUP = 12;

    private final CausalLM model;
    private final TorchGpt2Hooked lib;
    private final Site site;
    private final int batch, seq, warmup, runs;
    private final double temperature, lr;
    private final long seed;

    public BoundlessDasStepBench(CausalLM model, TorchGpt2Hooked lib, Site site, int batch, int seq, double temperature, double lr,
                                 int warmup, int runs, long seed) {
        this.model = model;
        this.lib = lib;
        this.site = site;
        this.batch = batch;
        this.seq = seq;
        this.temperature = temperature;
        this.lr = lr;
        this.warmup = warmup;
        this.runs = runs;
        this.seed = seed;
    }

    public Result run() throws Exception {
        int vocab = model.info().vocab();
        int d = model.info().dModel();
        SplittableRandom rng = new SplittableRandom(seed + 1);
        int[][] baseIds = RandomTokens.ids(rng, batch, seq, vocab);
        int[][] sourceIds = RandomTokens.ids(rng, batch, seq, vocab);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(vocab);

        Ours ours = new Ours(baseIds, sourceIds, labels, d);
        Lib theirs = new Lib(baseIds, sourceIds, labels, d);
        double firstOurs = ours.step(), firstLib = theirs.step();
        System.out.printf("first-step loss: ours %.6f, libtorch %.6f (|diff| %.2e)%n", firstOurs, firstLib,
                Math.abs(firstOurs - firstLib));
        for (int i = 1; i < warmup; i++) {
            ours.step();
            theirs.step();
        }
        Timing.collectGarbage();
        double[] o = new double[runs], l = new double[runs];
        double lastOurs = firstOurs, lastLib = firstLib;
        for (int i = 0; i < runs; i++) {
            Timing.settle();
            long t0 = System.nanoTime();
            lastOurs = ours.step(true);
            o[i] = (System.nanoTime() - t0) / 1e6;
            Timing.settle();
            t0 = System.nanoTime();
            lastLib = theirs.step(true);
            l[i] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.printf("loss after %d steps: ours %.6f, libtorch %.6f%n", warmup + runs, lastOurs, lastLib);
        double om = Timing.median(o), lm = Timing.median(l);
        double diff = Math.abs(firstOurs - firstLib);
        boolean ok = diff <= 1e-3 * Math.max(1, Math.abs(firstLib));
        Phases op = ours.times.medians(), lp = theirs.times.medians();
        System.out.printf("phases (median ms): ours forward %.1f, backward %.1f, update %.1f; "
                + "libtorch forward %.1f, backward %.1f, update %.1f%n", op.forward(), op.backward(), op.update(),
                lp.forward(), lp.backward(), lp.update());
        return new Result(batch, seq, site.toString(), d, temperature, lr, 1000 / om, 1000 / lm, lm / om, om, lm,
                firstOurs, firstLib, diff, ok, lastOurs, lastLib, warmup, runs, op, lp);
    }

    /** Our step: {@link IntervenableModel} + {@link BoundlessRotatedSpace} + our Adam. */
    private final class Ours {
        final TokenBatch base, source;
        final int[] labels;
        final IntervenableModel im;
        final Adam opt;

        Ours(int[][] baseIds, int[][] sourceIds, int[] labels, int d) {
            base = RandomTokens.batch(baseIds).withSharedLogitsAt(-1); // the LM head runs on the label position only
            source = RandomTokens.batch(sourceIds);
            this.labels = labels;
            Orthogonal rotation = Orthogonal.identity(d);
            BoundlessRotatedSpace das = new BoundlessRotatedSpace(rotation, 1, INITIAL_WIDTH, temperature);
            im = new IntervenableModel(model, List.of(InterventionSpec.at(site, das, 0, new int[] {-1}, new int[] {-1})));
            opt = Adam.of(lr, rotation.weight(), das.rawWidths());
        }

        final PhaseTimes times = new PhaseTimes(runs);

        double step() {
            return step(false);
        }

        double step(boolean record) {
            long t0 = System.nanoTime();
            opt.zeroGrad();
            double loss;
            long t1, t2;
            try (Arena arena = Arena.open(); GradMode on = GradMode.on()) {
                Tensor logits = im.run(base, List.of(source)).logits();          // [batch, 1, vocab]: last position
                Tensor ce = Ops.crossEntropy(logits.select(1, 0), labels, -1);
                t1 = System.nanoTime();
                ce.backward();
                loss = ce.item();
                t2 = System.nanoTime();
            }
            opt.step();
            times.add(record, t0, t1, t2, System.nanoTime());
            return loss;
        }
    }

    /** The same step in libtorch ops: hooked GPT-2 forwards, Cayley by linalg_solve, torch Adam. */
    private final class Lib {
        final org.bytedeco.pytorch.Tensor base, source, labels; // [batch, seq], [batch, seq], [batch] int64
        final org.bytedeco.pytorch.Tensor w, raw, eye, centers;
        final org.bytedeco.pytorch.Adam opt;
        final int d;

        Lib(int[][] baseIds, int[][] sourceIds, int[] labelIds, int d) {
            this.d = d;
            base = ids(baseIds);
            source = ids(sourceIds);
            long[] lab = new long[labelIds.length];
            for (int i = 0; i < lab.length; i++) lab[i] = labelIds[i];
            labels = torch.tensor(lab);
            w = torch.zeros(d, d).requires_grad_(true);
            float rawInit = (float) Math.log(Math.expm1(INITIAL_WIDTH)); // softplus^-1, as our setWidths
            raw = torch.tensor(new float[] {rawInit}).requires_grad_(true);
            eye = torch.eye(d);
            centers = torch.arange(new Scalar(d)).to(torch.ScalarType.Float).add(new Scalar(0.5f)); // [d] = i + 1/2
            opt = new org.bytedeco.pytorch.Adam(new TensorVector(w, raw), new AdamOptions(lr));
        }

        final PhaseTimes times = new PhaseTimes(runs);

        double step() {
            return step(false);
        }

        double step(boolean record) {
            try (PointerScope scope = new PointerScope()) {
                long t0 = System.nanoTime();
                opt.zero_grad();
                int last = seq - 1;
                // the source runs only up to the site, as ours does (its forward stops once its rows are read)
                org.bytedeco.pytorch.Tensor[] sourceRows = {lib.blockOutput(source, site.layer()).select(1, last)}; // [batch, d]
                org.bytedeco.pytorch.Tensor a = w.sub(w.t());
                org.bytedeco.pytorch.Tensor r = torch.linalg_solve(eye.add(a), eye.sub(a)); // (I + A)^{-1} (I - A)
                org.bytedeco.pytorch.Tensor width = raw.exp().add(new Scalar(1f)).log();     // softplus, [1]
                org.bytedeco.pytorch.Tensor hi = width.mul(new Scalar((float) d));
                org.bytedeco.pytorch.Tensor lo = hi.sub(width.mul(new Scalar((float) d)));
                Scalar invTau = new Scalar((float) (1 / temperature));
                org.bytedeco.pytorch.Tensor m = centers.sub(lo).mul(invTau).sigmoid()
                        .mul(hi.sub(centers).mul(invTau).sigmoid());                          // [d]
                org.bytedeco.pytorch.Tensor logits = lib.lastPositionLogits(base, site.layer(), x -> { // [batch, vocab]
                    org.bytedeco.pytorch.Tensor b = x.select(1, last);                        // [batch, d]
                    org.bytedeco.pytorch.Tensor coords = sourceRows[0].sub(b).matmul(r.t());
                    org.bytedeco.pytorch.Tensor patched = b.add(coords.mul(m).matmul(r));
                    return torch.cat(new TensorVector(x.narrow(1, 0, last), patched.unsqueeze(1)), 1);
                });
                org.bytedeco.pytorch.Tensor loss = torch.cross_entropy(logits, labels);
                long t1 = System.nanoTime();
                loss.backward();
                float value = loss.item_float();
                long t2 = System.nanoTime();
                opt.step();
                times.add(record, t0, t1, t2, System.nanoTime());
                return value;
            }
        }

        private org.bytedeco.pytorch.Tensor ids(int[][] rows) {
            long[] flat = new long[rows.length * rows[0].length];
            for (int i = 0; i < rows.length; i++) {
                for (int t = 0; t < rows[i].length; t++) flat[i * rows[i].length + t] = rows[i][t];
            }
            return torch.tensor(flat).reshape(rows.length, rows[0].length);
        }
    }
}
