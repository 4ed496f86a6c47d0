package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Component;
import org.intervene4j.site.Site;
import org.intervene4j.testing.Fixtures;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.intervene4j.train.Orthogonal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReftTest {
    static final int W = 7;
    static final int R = 3;

    static Intervention make(String type, long seed) {
        Random rng = new Random(seed);
        return switch (type) {
            case LoReFT.TYPE -> LoReFT.random(rng, W, R);
            case NoReFT.TYPE -> NoReFT.random(rng, W, R);
            case ConsReFT.TYPE -> ConsReFT.random(rng, W, R);
            case LobiReFT.TYPE -> LobiReFT.random(rng, W, R);
            case DiReFT.TYPE -> DiReFT.random(rng, W, R);
            case NodiReFT.TYPE -> NodiReFT.random(rng, W, R);
            default -> throw new IllegalArgumentException(type);
        };
    }

    static Intervention load(String type, Map<String, Object> config, Map<String, Tensor> params) {
        return switch (type) {
            case LoReFT.TYPE -> LoReFT.fromConfig(config, params);
            case NoReFT.TYPE -> NoReFT.fromConfig(config, params);
            case ConsReFT.TYPE -> ConsReFT.fromConfig(config, params);
            case LobiReFT.TYPE -> LobiReFT.fromConfig(config, params);
            case DiReFT.TYPE -> DiReFT.fromConfig(config, params);
            case NodiReFT.TYPE -> NodiReFT.fromConfig(config, params);
            default -> throw new IllegalArgumentException(type);
        };
    }

    /** [rows][cols] in float64. */
    static double[][] mat(Tensor t) {
        int r = t.size(0);
        int c = t.size(1);
        float[] v = t.toFloatArray();
        double[][] m = new double[r][c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i][j] = v[i * c + j];
        return m;
    }

    static double[] vec(Tensor t) {
        return Rand.doubles(t);
    }

    /** The R [r, w] (rows orthonormal) of an orthogonal-family intervention. */
    static double[][] rRows(Orthogonal o) {
        double[][] rt = mat(o.matrix().detach()); // [w, r]
        double[][] r = new double[R][W];
        for (int i = 0; i < W; i++) for (int k = 0; k < R; k++) r[k][i] = rt[i][k];
        return r;
    }

    static double[] times(double[][] m, double[] x) { // m [r, w] x [w] -> [r]
        double[] y = new double[m.length];
        for (int k = 0; k < m.length; k++) for (int i = 0; i < x.length; i++) y[k] += m[k][i] * x[i];
        return y;
    }

    static double[] timesT(double[][] m, double[] y) { // m^T y: [w]
        double[] x = new double[m[0].length];
        for (int k = 0; k < m.length; k++) for (int i = 0; i < x.length; i++) x[i] += m[k][i] * y[k];
        return x;
    }

    /** The paper / pyreft formula of each type in float64, on one row h, with the rank mask. */
    static double[] reference(Intervention iv, double[] h, boolean[] keep) {
        double[][] p;   // the matrix h is edited along (R or W2)
        double[] inner; // the r-dim edit
        double[] b;
        switch (iv.type()) {
            case LoReFT.TYPE -> {
                LoReFT x = (LoReFT) iv;
                p = rRows(x.rotation());
                b = vec(x.bias());
                double[] wh = times(mat(x.weight()), h);
                double[] rh = times(p, h);
                inner = new double[R];
                for (int k = 0; k < R; k++) inner[k] = wh[k] + b[k] - rh[k];
            }
            case NoReFT.TYPE -> {
                NoReFT x = (NoReFT) iv;
                p = mat(x.projection());
                b = vec(x.bias());
                double[] wh = times(mat(x.weight()), h);
                double[] ph = times(p, h);
                inner = new double[R];
                for (int k = 0; k < R; k++) inner[k] = wh[k] + b[k] - ph[k];
            }
            case ConsReFT.TYPE -> {
                ConsReFT x = (ConsReFT) iv;
                p = rRows(x.rotation());
                b = vec(x.bias());
                double[] rh = times(p, h);
                inner = new double[R];
                for (int k = 0; k < R; k++) inner[k] = b[k] - rh[k];
            }
            case LobiReFT.TYPE -> {
                LobiReFT x = (LobiReFT) iv;
                p = rRows(x.rotation());
                inner = vec(x.bias());
            }
            case DiReFT.TYPE -> {
                DiReFT x = (DiReFT) iv;
                p = rRows(x.rotation());
                b = vec(x.bias());
                inner = times(mat(x.weight()), h);
                for (int k = 0; k < R; k++) inner[k] += b[k];
            }
            case NodiReFT.TYPE -> {
                NodiReFT x = (NodiReFT) iv;
                p = mat(x.projection());
                b = vec(x.bias());
                inner = times(mat(x.weight()), h);
                for (int k = 0; k < R; k++) inner[k] += b[k];
            }
            default -> throw new IllegalArgumentException(iv.type());
        }
        for (int k = 0; k < R; k++) if (!keep[k]) inner[k] = 0;
        double[] edit = timesT(p, inner);
        double[] out = h.clone();
        for (int i = 0; i < W; i++) out[i] += edit[i];
        return out;
    }

    static List<Tensor> trainable(Intervention iv) {
        List<Tensor> out = new ArrayList<>();
        iv.parameters().forEach((name, t) -> {
            if (t.requiresGrad()) out.add(t);
        });
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"loreft", "noreft", "consreft", "lobireft", "direft", "nodireft"})
    void matchesTheFloat64FormulaWithAndWithoutASubspace(String type) {
        Intervention iv = make(type, 11);
        assertThat(iv.type()).isEqualTo(type);
        assertThat(iv.needsSource()).isFalse();
        Tensor h = Tensor.randn(new Random(5), 1f, 4, W);
        double worst = 0;
        for (int[] sub : new int[][] {null, {0, 2}}) {
            boolean[] keep = new boolean[R];
            for (int k = 0; k < R; k++) keep[k] = sub == null;
            if (sub != null) for (int k : sub) keep[k] = true;
            Tensor out;
            try (GradMode off = GradMode.off()) {
                out = iv.apply(h, null, sub);
            }
            double[][] got = mat(out);
            double[][] hs = mat(h);
            for (int i = 0; i < 4; i++) {
                double[] want = reference(iv, hs[i], keep);
                for (int j = 0; j < W; j++) worst = Math.max(worst, Math.abs(got[i][j] - want[j]));
            }
        }
        assertThat(worst).as("%s max |float32 - float64|", type).isLessThan(1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"loreft", "noreft", "consreft", "lobireft", "direft", "nodireft"})
    void gradientsMatchFiniteDifferences(String type) {
        Intervention iv = make(type, 21);
        Tensor h = Rand.param(new Random(6), 3, W);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(h);
        inputs.addAll(trainable(iv));
        assertThat(inputs.size()).isGreaterThanOrEqualTo(type.equals("consreft") || type.equals("lobireft") ? 3 : 4);
        Function<Tensor[], Tensor> f = in -> iv.apply(in[0], null, null);
        GradCheck.check(type, f, inputs.toArray(new Tensor[0]));
        Function<Tensor[], Tensor> fs = in -> iv.apply(in[0], null, new int[] {1});
        GradCheck.check(type + " subspace {1}", fs, inputs.toArray(new Tensor[0]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"loreft", "noreft", "consreft", "lobireft", "direft", "nodireft"})
    void savedConfigRebuildsTheSameInterventionAndSeedsAreDeterministic(String type) {
        Intervention iv = make(type, 31);
        Tensor h = Tensor.randn(new Random(8), 1f, 5, W);
        try (GradMode off = GradMode.off()) {
            float[] want = iv.apply(h, null, null).toFloatArray();
            assertThat(make(type, 31).apply(h, null, null).toFloatArray()).containsExactly(want);
            assertThat(make(type, 32).apply(h, null, null).toFloatArray()).isNotEqualTo(want);
            // through JSON-like values: every number a double, lists of doubles
            Map<String, Object> json = new HashMap<>();
            iv.config().forEach((k, v) -> json.put(k, v instanceof Number n ? (Object) n.doubleValue() : v));
            Intervention back = load(type, json, iv.parameters());
            assertThat(back.type()).isEqualTo(type);
            assertThat(back.config()).isEqualTo(iv.config());
            assertThat(back.apply(h, null, null).toFloatArray()).containsExactly(want);
            assertThat(trainable(back)).hasSameSizeAs(trainable(iv));
        }
    }

    @Test
    void loreftWithWEqualToRAndZeroBiasIsTheIdentity() {
        Orthogonal rot = Orthogonal.random(new Random(1), W, R);
        Tensor weight = rot.matrix().detach().transpose(0, 1).contiguous().persist().requiresGrad(true);
        LoReFT iv = LoReFT.of(rot, weight, Tensor.zerosPersistent(R).requiresGrad(true));
        NoReFT no = NoReFT.of(weight.detach(), weight.detach(), Tensor.zerosPersistent(R));
        Tensor h = Tensor.randn(new Random(2), 3f, 6, W);
        try (GradMode off = GradMode.off()) {
            float[] hv = h.toFloatArray();
            for (Intervention x : List.of(iv, no)) {
                float[] out = x.apply(h, null, null).toFloatArray();
                for (int i = 0; i < hv.length; i++) assertThat((double) Math.abs(out[i] - hv[i])).as(x.type()).isLessThan(2e-6);
            }
        }
    }

    @Test
    void consreftSetsTheSubspaceCoordinatesToB() {
        ConsReFT iv = ConsReFT.random(new Random(4), W, R);
        Tensor h = Tensor.randn(new Random(9), 2f, 5, W);
        try (GradMode off = GradMode.off()) {
            Tensor rh = Ops.matmul(iv.apply(h, null, null), iv.rotation().matrix()); // R out: [5, r]
            float[] got = rh.toFloatArray();
            float[] b = iv.bias().toFloatArray();
            for (int i = 0; i < 5; i++) for (int k = 0; k < R; k++) assertThat((double) Math.abs(got[i * R + k] - b[k])).isLessThan(1e-5);
        }
    }

    @Test
    void trainsInsideAModel() throws Exception {
        CausalLM m = Fixtures.load("llama");
        int d = m.info().dModel();
        LoReFT iv = LoReFT.random(new Random(3), d, 2);
        Site site = Site.of(0, Component.BLOCK_OUTPUT);
        IntervenableModel im = new IntervenableModel(m, List.of(InterventionSpec.at(site, iv, -1, new int[] {-1}, null)));
        Tensor logits = im.run(TokenBatch.of(IntervenableModelTest.BASE), List.of()).logits();
        Ops.sum(logits).backward();
        for (Tensor t : trainable(iv)) {
            assertThat(t.grad()).isNotNull();
            double norm = 0;
            for (float g : t.grad().toFloatArray()) norm += g * g;
            assertThat(norm).isGreaterThan(0);
        }
        assertThat(im.parameters()).containsKeys("interventions.0.weight", "interventions.0.bias", "interventions.0.rotation.weight");
    }

    @Test
    void badConfigsNameTheField() {
        Intervention iv = make("loreft", 1);
        Map<String, Tensor> params = iv.parameters();
        Map<String, Object> noRank = new HashMap<>(iv.config());
        noRank.remove("rank");
        assertThatThrownBy(() -> LoReFT.fromConfig(noRank, params)).hasMessageContaining("loreft").hasMessageContaining("'rank' is missing");
        Map<String, Object> bigRank = new HashMap<>(iv.config());
        bigRank.put("rank", 9);
        assertThatThrownBy(() -> LoReFT.fromConfig(bigRank, params)).hasMessageContaining("'rank' must be <= width 7");
        Map<String, Object> fracRank = new HashMap<>(iv.config());
        fracRank.put("rank", 2.5);
        assertThatThrownBy(() -> LoReFT.fromConfig(fracRank, params)).hasMessageContaining("'rank' must be an integer");
        Map<String, Tensor> badWeight = new HashMap<>(params);
        badWeight.put("weight", Tensor.zeros(R, W + 1));
        assertThatThrownBy(() -> LoReFT.fromConfig(iv.config(), badWeight)).hasMessageContaining("parameter 'weight' has shape [3, 8]")
                .hasMessageContaining("expected [3, 7]");
        Map<String, Tensor> noBias = new HashMap<>(params);
        noBias.remove("bias");
        assertThatThrownBy(() -> LoReFT.fromConfig(iv.config(), noBias)).hasMessageContaining("parameter 'bias' is missing");
        assertThatThrownBy(() -> NoReFT.fromConfig(iv.config(), params)).hasMessageContaining("noreft: config field 'type' says 'loreft'");
        assertThatThrownBy(() -> LoReFT.random(new Random(0), 4, 5)).hasMessageContaining("rank must be in [1, 4]");
        assertThatThrownBy(() -> iv.apply(Tensor.zeros(2, W), null, new int[] {3})).hasMessageContaining("subspace index 3")
                .hasMessageContaining("rank 3");
        assertThatThrownBy(() -> iv.apply(Tensor.zeros(2, W + 1), null, null)).hasMessageContaining("width 7");
    }
}
