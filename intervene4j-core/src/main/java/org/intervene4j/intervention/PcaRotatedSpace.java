package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.indexSelect;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * DAS in a fixed PCA basis: the principal axes of collected activation rows (computed in
 * float64: covariance, then a symmetric eigen-decomposition), frozen. Interchanges the first
 * {@code k} components, or the components a spec's subspace names (indices into the
 * components, largest variance first): {@code out = b + ((s - b) P_S^T) P_S} with {@code P_S}
 * the chosen component rows. The mean cancels in {@code s - b}, so no centring is needed at
 * apply time; it is kept for projections.
 */
public final class PcaRotatedSpace implements Intervention {
    public static final String TYPE = "pca_rotated_space";

    private final Tensor components; // [w, w], rows = principal axes, by decreasing variance
    private final Tensor variances;  // [w]
    private final Tensor mean;       // [w]
    private final int k;

    private PcaRotatedSpace(Tensor components, Tensor variances, Tensor mean, int k) {
        int w = components.size(0);
        if (k < 1 || k > w) throw new IllegalArgumentException(TYPE + ": k must be in [1, " + w + "], got " + k);
        this.components = components;
        this.variances = variances;
        this.mean = mean;
        this.k = k;
    }

    /**
     * Fits the principal axes of {@code rows [N, w]} (N >= 2), e.g. rows gathered by a
     * {@link Collect} intervention over a corpus, and interchanges the first {@code k}.
     */
    public static PcaRotatedSpace fit(Tensor rows, int k) {
        if (rows.dim() != 2 || rows.size(0) < 2) {
            throw new IllegalArgumentException(TYPE + ": fit needs rows [N >= 2, w], got " + Arrays.toString(rows.shape()));
        }
        int n = rows.size(0);
        int w = rows.size(1);
        float[] x = rows.toFloatArray();
        double[] mu = new double[w];
        for (int r = 0; r < n; r++) for (int j = 0; j < w; j++) mu[j] += x[r * w + j];
        for (int j = 0; j < w; j++) mu[j] /= n;
        double[] cov = new double[w * w];
        double[] row = new double[w];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < w; j++) row[j] = x[r * w + j] - mu[j];
            for (int i = 0; i < w; i++) {
                double ri = row[i];
                if (ri == 0) continue;
                for (int j = i; j < w; j++) cov[i * w + j] += ri * row[j];
            }
        }
        for (int i = 0; i < w; i++) {
            for (int j = i; j < w; j++) {
                cov[i * w + j] /= n - 1;
                cov[j * w + i] = cov[i * w + j];
            }
        }
        SymmetricEigen.Result eig = SymmetricEigen.decompose(cov, w);
        Tensor comps = Tensor.zerosPersistent(w, w);
        Tensor vars = Tensor.zerosPersistent(w);
        Tensor m = Tensor.zerosPersistent(w);
        for (int i = 0; i < w * w; i++) comps.data()[i] = (float) eig.vectors()[i];
        for (int i = 0; i < w; i++) {
            vars.data()[i] = (float) Math.max(0, eig.values()[i]);
            m.data()[i] = (float) mu[i];
        }
        return new PcaRotatedSpace(comps, vars, m, k);
    }

    @Override
    public Tensor apply(Tensor base, Tensor source, int[] subspace) {
        int w = components.size(0);
        Rotations.checkRows(TYPE, base, source, w);
        Rotations.checkSubspace(TYPE, subspace, w);
        Tensor p = indexSelect(components, 0, subspace != null ? subspace : Rotations.firstK(k)); // [|S|, w]
        return Rotations.interchange(base, source, p.transpose(0, 1), p);
    }

    /** Principal axes as rows {@code [w, w]}, by decreasing variance (fixed). */
    public Tensor components() {
        return components;
    }

    /** Variance along each axis {@code [w]}. */
    public Tensor variances() {
        return variances;
    }

    /** Mean of the fitted rows {@code [w]}. */
    public Tensor mean() {
        return mean;
    }

    public int k() {
        return k;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean needsSource() {
        return true;
    }

    /** {@code components} [w, w], {@code variances} [w], {@code mean} [w]; all fixed. */
    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("components", components);
        p.put("variances", variances);
        p.put("mean", mean);
        return p;
    }

    /** {@code width}, {@code k}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("width", components.size(0));
        c.put("k", k);
        return c;
    }

    public static PcaRotatedSpace fromConfig(Map<String, Object> config, Map<String, Tensor> params) {
        int w = Rotations.intOf(config, "width", TYPE);
        Tensor c = Rotations.requireParam(TYPE, params, "components", w, w);
        Tensor v = params.get("variances");
        Tensor m = params.get("mean");
        return new PcaRotatedSpace(c.persist(), v != null ? v.persist() : Tensor.zerosPersistent(w),
                m != null ? m.persist() : Tensor.zerosPersistent(w), Rotations.intOf(config, "k", TYPE));
    }
}
