package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.addScalar;
import static org.intervene4j.engine.Ops.exp;
import static org.intervene4j.engine.Ops.indexSelect;
import static org.intervene4j.engine.Ops.log;
import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.mul;
import static org.intervene4j.engine.Ops.scale;
import static org.intervene4j.engine.Ops.sigmoid;
import static org.intervene4j.engine.Ops.sub;
import static org.intervene4j.engine.Ops.sum;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Boundless DAS: a soft interval mask in a learned rotated space,
 * {@code out = ((1 - m) ⊙ b R^T + m ⊙ s R^T) R}, computed as {@code b + (((s - b) R^T) ⊙ m) R}.
 *
 * <p><b>Intervals.</b> Each of the V variables owns an interval {@code [lo_j, hi_j)} of the D
 * rotated dims. Widths are learned as fractions of D, {@code width_j = softplus(raw_j) > 0}
 * (as in the reference implementation, where boundaries live in [0, 1] times D); the
 * intervals are laid end to end from dim 0 by a cumulative sum, {@code hi_j = D Σ_{l<=j} width_l},
 * {@code lo_j = hi_{j-1}} ({@code lo_0 = 0}), so they stay ordered and never overlap.
 *
 * <p><b>Mask.</b> Soft: {@code m_i = σ((c_i - lo)/τ) · σ((hi - c_i)/τ)} with dim i at its
 * centre {@code c_i = i + 1/2}. The half step is a deliberate convention: with {@code c_i = i}
 * (the reference code) the dim sitting on a boundary is pinned at {@code m = 1/2} at every
 * temperature, and dim 0 is always half-swapped for {@code lo = 0}. With centres, the hard
 * limit (τ -> 0, used at evaluation, {@link #setHard}) is {@code m_i = 1 iff lo <= i + 1/2 < hi}:
 * exactly {@code [lo, hi)} for whole-number boundaries, and a variable gets
 * {@code round(width · D)} dims. A variable with no whole dim is the identity under the hard
 * mask; under the soft mask a zero-width interval gives {@code m_i <= σ(x)σ(-x)}, which only
 * vanishes as τ -> 0.
 *
 * <p><b>Variables per example.</b> With one variable every row uses it; with several, call
 * {@link #setVariables} before each forward (the trainer does it from each counterfactual
 * example's variable index).
 *
 * <p><b>Penalty.</b> {@link #widthPenalty()} = Σ widths (fractions of D); Boundless DAS trains
 * with {@code loss = CE + λ Σ widths}, λ = 1.
 */
public final class BoundlessRotatedSpace extends SoftMaskedInterchange implements Penalized, PerExampleVariables {
    public static final String TYPE = "boundless_rotated_space";

    private final Orthogonal rotation;
    private final Tensor initial;
    private final Tensor rawWidths; // [V], softplus(raw) = width as a fraction of D
    private final Tensor centers;   // [1, D] = i + 1/2
    private final Tensor cumulative; // [V, V] upper triangle of ones: hi = widths @ cumulative
    private int[] perExample;

    /**
     * @param rotation     a full rotation of the site's width D
     * @param variables    V >= 1 high-level variables, one interval each
     * @param initialWidth starting width of every interval as a fraction of D, in (0, 1]
     * @param temperature  starting τ > 0
     */
    public BoundlessRotatedSpace(Orthogonal rotation, int variables, double initialWidth, double temperature) {
        super(TYPE);
        if (rotation.rank() != rotation.dim()) {
            throw new IllegalArgumentException(TYPE + ": needs a full rotation, got rank " + rotation.rank() + " of " + rotation.dim());
        }
        if (variables < 1) throw new IllegalArgumentException(TYPE + ": variables must be >= 1, got " + variables);
        if (!(initialWidth > 0 && initialWidth <= 1)) {
            throw new IllegalArgumentException(TYPE + ": initialWidth must be in (0, 1] (a fraction of the width), got " + initialWidth);
        }
        this.rotation = rotation;
        this.initial = rotation.initialRotation();
        this.rawWidths = Tensor.zerosPersistent(variables).requiresGrad(true);
        int d = rotation.dim();
        this.centers = Tensor.zerosPersistent(1, d);
        for (int i = 0; i < d; i++) centers.data()[i] = i + 0.5f;
        this.cumulative = Tensor.zerosPersistent(variables, variables);
        for (int l = 0; l < variables; l++) {
            for (int j = l; j < variables; j++) cumulative.data()[l * variables + j] = 1f;
        }
        double[] widths = new double[variables];
        Arrays.fill(widths, initialWidth);
        setWidths(widths);
        setTemperature(temperature);
    }

    /** One variable at a random rotation, intervals starting at half the width, τ = 50. */
    public static BoundlessRotatedSpace random(Random rng, int width) {
        return new BoundlessRotatedSpace(Orthogonal.random(rng, width, width), 1, 0.5, 50);
    }

    /** V variables at a random rotation, each interval starting at {@code 0.5 / V} of the width, τ = 50. */
    public static BoundlessRotatedSpace random(Random rng, int width, int variables) {
        return new BoundlessRotatedSpace(Orthogonal.random(rng, width, width), variables, 0.5 / variables, 50);
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int d = rotation.dim();
        Rotations.checkRows(TYPE, base, source, d);
        if (subspace != null) {
            throw new IllegalArgumentException(TYPE + ": the learned intervals choose the subspace; the spec must give none");
        }
        Tensor masks = hard() ? hardMasks() : softMasks();                 // [V, D]
        Tensor m = indexSelect(masks, 0, rowVariables(base.size(0)));   // [n, D]
        Tensor r = rotation.matrix();                                    // [D, D], rows = basis
        Tensor coords = matmul(sub(source, base), r.transpose(0, 1));   // [n, D]
        return add(base, matmul(mul(coords, m), r));
    }

    /** Widths as fractions of D, differentiable: {@code softplus(raw)} [V]. */
    public Tensor widths() {
        return log(addScalar(exp(rawWidths), 1f));
    }

    /** Σ widths (fractions of D), differentiable. */
    public Tensor widthPenalty() {
        return sum(widths());
    }

    @Override
    public Tensor penalty() {
        return widthPenalty();
    }

    /** The soft masks {@code [V, D]} at the current temperature, differentiable. */
    public Tensor softMasks() {
        int v = variables();
        int d = rotation.dim();
        Tensor w = widths().reshape(1, v);
        Tensor hi = scale(matmul(w, cumulative), d).reshape(v, 1);   // [V, 1] in dims
        Tensor lo = sub(hi, scale(w, d).reshape(v, 1));
        float inv = (float) (1 / temperature());
        Tensor left = sigmoid(scale(sub(centers, lo), inv));           // [V, D]
        Tensor right = sigmoid(scale(sub(hi, centers), inv));
        return mul(left, right);
    }

    /** The hard masks {@code [V, D]}: 1 on each variable's {@link #intervals() interval}, 0 elsewhere (a constant). */
    public Tensor hardMasks() {
        int v = variables();
        int d = rotation.dim();
        Tensor m = Tensor.zeros(v, d);
        int[][] iv = intervals();
        for (int j = 0; j < v; j++) {
            for (int i = iv[j][0]; i < iv[j][1]; i++) m.data()[m.offset() + j * d + i] = 1f;
        }
        return m;
    }

    /**
     * The learned intervals as whole dims, {@code [start, end)} per variable: the dims the hard
     * mask swaps ({@code lo <= i + 1/2 < hi}, clipped to the D dims).
     */
    public int[][] intervals() {
        double[] w = widthValues();
        int d = rotation.dim();
        int[][] out = new int[w.length][2];
        double hi = 0;
        for (int j = 0; j < w.length; j++) {
            double lo = hi;
            hi = lo + w[j] * d;
            out[j][0] = firstDimAtOrAbove(lo, d);
            out[j][1] = firstDimAtOrAbove(hi, d);
        }
        return out;
    }

    /** How many rotated dims each variable owns under the hard mask. */
    public int[] dimensionCounts() {
        int[][] iv = intervals();
        int[] out = new int[iv.length];
        for (int j = 0; j < iv.length; j++) out[j] = iv[j][1] - iv[j][0];
        return out;
    }

    /** The smallest dim i with {@code i + 1/2 >= x}, within [0, d]. */
    private static int firstDimAtOrAbove(double x, int d) {
        double i = Math.ceil(x - 0.5);
        return (int) Math.max(0, Math.min(d, i));
    }

    /** Current widths as fractions of D, in double. */
    public double[] widthValues() {
        float[] raw = rawWidths.toFloatArray();
        double[] out = new double[raw.length];
        for (int j = 0; j < raw.length; j++) out[j] = softplus(raw[j]);
        return out;
    }

    /** Sets the widths (fractions of D, each > 0) without autograd. */
    public void setWidths(double... fractions) {
        if (fractions.length != variables()) {
            throw new IllegalArgumentException(TYPE + ": " + fractions.length + " widths for " + variables() + " variables");
        }
        float[] raw = new float[fractions.length];
        for (int j = 0; j < raw.length; j++) {
            double f = fractions[j];
            if (!(f > 0 && Double.isFinite(f))) throw new IllegalArgumentException(TYPE + ": widths must be > 0, got " + f);
            raw[j] = (float) (f > 30 ? f : Math.log(Math.expm1(f))); // softplus^-1
        }
        try (GradMode off = GradMode.off()) {
            rawWidths.copyFrom(Tensor.of(raw, raw.length));
        }
    }

    private static double softplus(double x) {
        return x > 30 ? x : Math.log1p(Math.exp(x));
    }

    private int[] rowVariables(int n) {
        int[] rows = new int[n];
        if (variables() == 1) return rows;
        if (perExample == null) {
            throw new IllegalStateException(TYPE + ": " + variables() + " variables, but no per-example variable was set "
                    + "(call setVariables before the forward)");
        }
        int b = perExample.length;
        if (n % b != 0) {
            throw new IllegalArgumentException(TYPE + ": " + n + " rows cannot be split evenly over " + b
                    + " examples (each example needs the same number of positions and heads)");
        }
        int per = n / b;
        for (int r = 0; r < n; r++) rows[r] = perExample[r / per];
        return rows;
    }

    @Override
    public void setVariables(int[] perExample) {
        if (perExample == null) {
            this.perExample = null;
            return;
        }
        if (perExample.length == 0) throw new IllegalArgumentException(TYPE + ": setVariables needs at least one example");
        for (int v : perExample) {
            if (v < 0 || v >= variables()) {
                throw new IndexOutOfBoundsException(TYPE + ": variable " + v + " is out of range (" + variables() + " variables)");
            }
        }
        this.perExample = perExample.clone();
    }

    @Override
    public int variables() {
        return rawWidths.size(0);
    }

    /** The current rotation R {@code [D, D]} (rows = basis), differentiable. */
    public Tensor rotation() {
        return rotation.matrix();
    }

    public Orthogonal orthogonal() {
        return rotation;
    }

    /** The trainable raw widths {@code [V]} (softplus gives the widths); a separate learning rate usually suits them. */
    public Tensor rawWidths() {
        return rawWidths;
    }

    /** {@code rotation.weight}, {@code rotation.initial} (when not the identity), {@code raw_widths} [V]. */
    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> p = Rotations.parameters(rotation, initial);
        p.put("raw_widths", rawWidths);
        return p;
    }

    /** {@code width}, {@code variables}, {@code temperature}, {@code hard}, and the learned {@code dimension_counts} (informative). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("width", rotation.dim());
        c.put("variables", variables());
        c.put("temperature", temperature());
        c.put("hard", hard());
        c.put("dimension_counts", Arrays.stream(dimensionCounts()).boxed().toList());
        return c;
    }

    public static BoundlessRotatedSpace fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        int w = Rotations.intOf(config, "width", TYPE);
        int v = Rotations.intOf(config, "variables", TYPE);
        BoundlessRotatedSpace out = new BoundlessRotatedSpace(Rotations.rebuild(TYPE, w, w, params), v, 0.5 / v,
                Rotations.doubleOf(config, "temperature", TYPE, 50));
        Rotations.copyInto(out.rawWidths, Rotations.requireParam(TYPE, params, "raw_widths", v));
        out.setHard(Boolean.TRUE.equals(config.get("hard")));
        return out;
    }

    @Override
    public String toString() {
        return TYPE + "[width=" + rotation.dim() + ", variables=" + variables() + ", dims=" + List.of(Arrays.stream(dimensionCounts())
                .boxed().toArray()) + ", τ=" + temperature() + (hard() ? ", hard" : "") + "]";
    }
}
