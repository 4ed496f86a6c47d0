package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;
import org.junit.jupiter.api.Test;

/** Forward identities and float64 references of the trainable intervention types, and their save/rebuild. */
class TrainableInterventionsTest {
    static final int W = 12;
    static final int N = 5;

    static Tensor rows(long seed) {
        return Tensor.randn(new Random(seed), 1f, N, W);
    }

    /** A rotation away from its start, so that W and R0 both matter. */
    static Orthogonal trainedRotation(long seed, int rank) {
        Orthogonal rot = Orthogonal.random(new Random(seed), W, rank);
        try (GradMode off = GradMode.off()) {
            rot.weight().copyFrom(Tensor.randn(new Random(seed + 1), 0.3f, W, W));
        }
        return rot;
    }

    static double[][] matrix(Tensor t) {
        double[][] out = new double[t.size(0)][t.size(1)];
        for (int i = 0; i < out.length; i++) for (int j = 0; j < out[0].length; j++) out[i][j] = t.get(i, j);
        return out;
    }

    static double maxDiff(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertThat(x).hasSameSizeAs(y);
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs((double) x[i] - y[i]));
        return m;
    }

    static double maxDiff(Tensor a, double[][] ref) {
        double m = 0;
        for (int i = 0; i < ref.length; i++) for (int j = 0; j < ref[0].length; j++) m = Math.max(m, Math.abs(a.get(i, j) - ref[i][j]));
        return m;
    }

    /** Rotated-space interchange in float64: x = b R^T, y = s R^T, x[i] = y[i] weighted by mask[i], out = x R. */
    static double[][] rotatedReference(double[][] r, Tensor b, Tensor s, double[][] mask) {
        int n = b.size(0);
        int w = b.size(1);
        double[][] out = new double[n][w];
        for (int row = 0; row < n; row++) {
            double[] x = new double[w];
            for (int i = 0; i < w; i++) {
                double xb = 0;
                double xs = 0;
                for (int j = 0; j < w; j++) {
                    xb += b.get(row, j) * r[i][j];
                    xs += s.get(row, j) * r[i][j];
                }
                double m = mask[row][i];
                x[i] = (1 - m) * xb + m * xs;
            }
            for (int j = 0; j < w; j++) for (int i = 0; i < w; i++) out[row][j] += x[i] * r[i][j];
        }
        return out;
    }

    static double[][] maskRows(int n, int w, int... dims) {
        double[][] m = new double[n][w];
        for (double[] row : m) for (int d : dims) row[d] = 1;
        return m;
    }

    @Test
    void rotatedSpaceOverEveryDimIsVanillaAndMatchesFloat64OnSubspaces() {
        RotatedSpace das = new RotatedSpace(trainedRotation(1, W), 3);
        Tensor b = rows(10);
        Tensor s = rows(11);
        try (GradMode off = GradMode.off()) {
            int[] all = Rotations.firstK(W);
            double toVanilla = maxDiff(das.apply(b, s, all), new Vanilla().apply(b, s, null));
            double[][] r = matrix(das.rotation());
            double firstK = maxDiff(das.apply(b, s, null), rotatedReference(r, b, s, maskRows(N, W, 0, 1, 2)));
            double picked = maxDiff(das.apply(b, s, new int[] {4, 1}), rotatedReference(r, b, s, maskRows(N, W, 1, 4)));
            System.out.printf("rotated space: |all dims - vanilla| %.2g, |k=3 - float64| %.2g, |{4,1} - float64| %.2g%n", toVanilla, firstK, picked);
            assertThat(toVanilla).isLessThan(1e-5);
            assertThat(firstK).isLessThan(1e-5);
            assertThat(picked).isLessThan(1e-5);
            assertThat(das.apply(b, b, null).toFloatArray()).containsExactly(b.toFloatArray()); // b = s: nothing moves
        }
    }

    @Test
    void lowRankMatchesItsFormulaAndFullRankIsVanilla() {
        LowRankRotatedSpace lr = new LowRankRotatedSpace(trainedRotation(2, 3));
        Tensor b = rows(20);
        Tensor s = rows(21);
        try (GradMode off = GradMode.off()) {
            double[][] r = matrix(lr.basis()); // [w, 3]
            double[][] ref = new double[N][W];
            for (int row = 0; row < N; row++) {
                double[] c = new double[3];
                for (int k = 0; k < 3; k++) for (int j = 0; j < W; j++) c[k] += (s.get(row, j) - b.get(row, j)) * r[j][k];
                for (int j = 0; j < W; j++) {
                    ref[row][j] = b.get(row, j);
                    for (int k = 0; k < 3; k++) ref[row][j] += c[k] * r[j][k];
                }
            }
            assertThat(maxDiff(lr.apply(b, s, null), ref)).isLessThan(1e-5);
            LowRankRotatedSpace full = new LowRankRotatedSpace(trainedRotation(3, W));
            assertThat(maxDiff(full.apply(b, s, null), s)).isLessThan(1e-5);
            assertThatThrownBy(() -> lr.apply(b, s, new int[] {3})).hasMessageContaining("subspace index 3");
        }
    }

    @Test
    void boundlessHardMaskIsExactIntervalsAndZeroWidthIsTheIdentity() {
        BoundlessRotatedSpace bdas = new BoundlessRotatedSpace(trainedRotation(4, W), 1, 0.5, 1.0);
        Tensor b = rows(30);
        Tensor s = rows(31);
        try (GradMode off = GradMode.off()) {
            bdas.setHard(true);
            bdas.setWidths(0.4 / W); // 0.4 dims: no whole dim -> identity
            assertThat(bdas.dimensionCounts()).containsExactly(0);
            assertThat(bdas.apply(b, s, null).toFloatArray()).containsExactly(b.toFloatArray());
            bdas.setWidths(2.6 / W); // dims 0, 1, 2 (centres 0.5, 1.5, 2.5 < 2.6)
            assertThat(bdas.intervals()[0]).containsExactly(0, 3);
            double[][] r = matrix(bdas.rotation());
            assertThat(maxDiff(bdas.apply(b, s, null), rotatedReference(r, b, s, maskRows(N, W, 0, 1, 2)))).isLessThan(1e-5);
            bdas.setWidths(1.0); // every dim: vanilla
            assertThat(maxDiff(bdas.apply(b, s, null), s)).isLessThan(1e-5);
            // soft mask at a low temperature: zero-ish width is (nearly) the identity too
            bdas.setHard(false);
            bdas.setTemperature(0.01);
            bdas.setWidths(1e-6);
            assertThat(maxDiff(bdas.apply(b, s, null), b)).isLessThan(1e-6);
        }
    }

    @Test
    void boundlessSoftMaskFollowsTheSigmoidProductAndVariablesGetAdjacentIntervals() {
        BoundlessRotatedSpace bdas = new BoundlessRotatedSpace(trainedRotation(5, W), 3, 0.2, 0.7);
        bdas.setWidths(0.25, 1.0 / W, 0.3); // in dims: [0, 3), [3, 4), [4, 7.6)
        try (GradMode off = GradMode.off()) {
            Tensor m = bdas.softMasks();
            double[] bounds = {0, 3, 4, 7.6};
            double worst = 0;
            for (int v = 0; v < 3; v++) {
                for (int i = 0; i < W; i++) {
                    double c = i + 0.5;
                    double want = sig((c - bounds[v]) / 0.7) * sig((bounds[v + 1] - c) / 0.7);
                    worst = Math.max(worst, Math.abs(m.get(v, i) - want));
                }
            }
            assertThat(worst).isLessThan(1e-5);
            assertThat(bdas.intervals()).isDeepEqualTo(new int[][] {{0, 3}, {3, 4}, {4, 8}});
            assertThat(bdas.dimensionCounts()).containsExactly(3, 1, 4);
            assertThat(bdas.widthPenalty().item()).isCloseTo((float) (0.25 + 1.0 / W + 0.3), org.assertj.core.data.Offset.offset(1e-5f));

            // per-example variables: 2 examples x 2 rows each; each row uses its example's mask
            Tensor b = Tensor.randn(new Random(6), 1f, 4, W);
            Tensor s = Tensor.randn(new Random(7), 1f, 4, W);
            assertThatThrownBy(() -> bdas.apply(b, s, null)).hasMessageContaining("setVariables");
            bdas.setVariables(new int[] {2, 0});
            Tensor out = bdas.apply(b, s, null);
            double[][] r = matrix(bdas.rotation());
            double[][] mask = new double[4][W];
            for (int row = 0; row < 4; row++) {
                int v = row < 2 ? 2 : 0;
                for (int i = 0; i < W; i++) mask[row][i] = m.get(v, i);
            }
            assertThat(maxDiff(out, rotatedReference(r, b, s, mask))).isLessThan(1e-5);
            bdas.setVariables(new int[] {0, 1, 2});
            assertThatThrownBy(() -> bdas.apply(b, s, null)).hasMessageContaining("4 rows").hasMessageContaining("3 examples");
        }
    }

    static double sig(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void sigmoidMaskMixesBySigmoidAndItsHardMaskSelectsPositiveLogits() {
        SigmoidMask sm = new SigmoidMask(W, 0f, 0.5);
        try (GradMode off = GradMode.off()) {
            sm.logits().copyFrom(Tensor.randn(new Random(8), 1f, W));
            Tensor b = rows(40);
            Tensor s = rows(41);
            Tensor out = sm.apply(b, s, null);
            double worst = 0;
            for (int r = 0; r < N; r++) {
                for (int i = 0; i < W; i++) {
                    double m = sig(sm.logits().get(i) / 0.5);
                    worst = Math.max(worst, Math.abs(out.get(r, i) - ((1 - m) * b.get(r, i) + m * s.get(r, i))));
                }
            }
            assertThat(worst).isLessThan(1e-5);
            sm.setHard(true);
            Tensor hard = sm.apply(b, s, new int[] {0, 1, 2, 3});
            for (int r = 0; r < N; r++) {
                for (int i = 0; i < W; i++) {
                    boolean swapped = i < 4 && sm.logits().get(i) > 0;
                    assertThat(hard.get(r, i)).isEqualTo(swapped ? s.get(r, i) : b.get(r, i));
                }
            }
        }
    }

    @Test
    void jacobiDecomposesSymmetricMatricesAndPcaFindsPlantedAxes() {
        Random rng = new Random(9);
        int n = 40;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.nextGaussian();
        SymmetricEigen.Result e = SymmetricEigen.decompose(a, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += e.vector(k, i) * e.values()[k] * e.vector(k, j);
                worst = Math.max(worst, Math.abs(s - a[i * n + j]));
            }
        }
        assertThat(worst).as("|V diag V^T - A|").isLessThan(1e-10);
        for (int k = 1; k < n; k++) assertThat(e.values()[k]).isLessThanOrEqualTo(e.values()[k - 1]);

        // rows with standard deviations 5, 3, 1, 0.1... along the axes of a random rotation Q
        Tensor q = org.intervene4j.train.RandomOrthogonal.sample(new Random(10), W);
        int count = 4000;
        float[] data = new float[count * W];
        double[] std = new double[W];
        for (int i = 0; i < W; i++) std[i] = i == 0 ? 5 : i == 1 ? 3 : i == 2 ? 1 : 0.1;
        for (int r = 0; r < count; r++) {
            double[] z = new double[W];
            for (int i = 0; i < W; i++) z[i] = std[i] * rng.nextGaussian();
            for (int j = 0; j < W; j++) {
                double v = 7; // an offset the mean absorbs
                for (int i = 0; i < W; i++) v += q.get(j, i) * z[i];
                data[r * W + j] = (float) v;
            }
        }
        PcaRotatedSpace pca = PcaRotatedSpace.fit(Tensor.of(data, count, W), 2);
        for (int k = 0; k < 2; k++) {
            double dot = 0;
            for (int j = 0; j < W; j++) dot += pca.components().get(k, j) * q.get(j, k);
            assertThat(Math.abs(dot)).as("component %d vs planted axis", k).isGreaterThan(0.999);
        }
        assertThat(pca.variances().get(0)).isCloseTo(25f, org.assertj.core.data.Offset.offset(2f));
        Tensor b = rows(50);
        Tensor s = rows(51);
        try (GradMode off = GradMode.off()) {
            assertThat(maxDiff(pca.apply(b, s, Rotations.firstK(W)), s)).isLessThan(1e-5);
            assertThat(maxDiff(pca.apply(b, s, null), rotatedReference(matrix(pca.components()), b, s, maskRows(N, W, 0, 1))))
                    .isLessThan(1e-5);
        }
    }

    @Test
    void everyTypeIsRebuiltExactlyFromItsConfigAndParameters() {
        BoundlessRotatedSpace bdas = new BoundlessRotatedSpace(trainedRotation(6, W), 2, 0.2, 3.0);
        bdas.setVariables(new int[] {1});
        SigmoidMask sm = new SigmoidMask(W, 0.3f, 2.0);
        try (GradMode off = GradMode.off()) {
            sm.logits().copyFrom(Tensor.randn(new Random(12), 1f, W));
        }
        List<Intervention> all = List.of(new RotatedSpace(trainedRotation(7, W), 4), new RotatedSpace(Orthogonal.identity(W), 2),
                new LowRankRotatedSpace(trainedRotation(8, 3)), bdas, sm, PcaRotatedSpace.fit(Tensor.randn(new Random(13), 1f, 50, W), 3));
        Tensor b = rows(60);
        Tensor s = rows(61);
        for (Intervention iv : all) {
            Map<String, Tensor> params = new java.util.LinkedHashMap<>();
            iv.parameters().forEach((k, t) -> params.put(k, t.persist())); // as if read back from a file
            Intervention back = switch (iv.type()) {
                case RotatedSpace.TYPE -> RotatedSpace.fromConfig(iv.config(), params);
                case LowRankRotatedSpace.TYPE -> LowRankRotatedSpace.fromConfig(iv.config(), params);
                case BoundlessRotatedSpace.TYPE -> BoundlessRotatedSpace.fromConfig(iv.config(), params);
                case SigmoidMask.TYPE -> SigmoidMask.fromConfig(iv.config(), params);
                case PcaRotatedSpace.TYPE -> PcaRotatedSpace.fromConfig(iv.config(), params);
                default -> throw new AssertionError(iv.type());
            };
            if (back instanceof BoundlessRotatedSpace bb) bb.setVariables(new int[] {1});
            assertThat(back.type()).isEqualTo(iv.type());
            assertThat(back.needsSource()).isTrue();
            assertThat(back.config()).isEqualTo(iv.config());
            try (GradMode off = GradMode.off()) {
                assertThat(back.apply(b, s, null).toFloatArray()).as(iv.type()).containsExactly(iv.apply(b, s, null).toFloatArray());
            }
        }
    }
}
