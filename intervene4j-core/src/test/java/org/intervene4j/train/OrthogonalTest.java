package org.intervene4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.testing.GradCheck;
import org.junit.jupiter.api.Test;

class OrthogonalTest {
    private static void setWeight(Orthogonal rot, Tensor values) {
        try (GradMode off = GradMode.off()) {
            rot.weight().copyFrom(values);
        }
    }

    private static double[] doubles(Tensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** max |R^T R - I| computed in float64 from the float32 R [rows, cols]. */
    private static double orthoError(Tensor r) {
        return DoubleMatrices.orthonormalityError(doubles(r), r.size(0), r.size(1));
    }

    @Test
    void zeroWeightGivesIdentity() {
        Tensor r = Orthogonal.identity(5).matrix();
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) assertThat(r.get(i, j)).isEqualTo(i == j ? 1f : 0f);
        }
        assertThat(r.op()).isEqualTo("cayley");
        assertThat(r.requiresGrad()).isTrue();
    }

    @Test
    void randomWeightsGiveOrthogonalMatrices() {
        for (int d : new int[] {64, 256}) {
            Orthogonal rot = Orthogonal.identity(d);
            setWeight(rot, Tensor.randn(new Random(d), 1f, d, d));
            Tensor r = rot.matrix();
            double err = orthoError(r);
            System.out.printf("Orthogonal d=%d: max |R^T R - I| = %.3g%n", d, err);
            assertThat(err).as("d=%d", d).isLessThan(1e-5);
            // and not trivially the identity
            assertThat(Math.abs(r.get(0, 0) - 1f)).isGreaterThan(1e-3f);
        }
    }

    @Test
    void inverseIsAccurateAndVectorMatchesScalar() {
        for (int d : new int[] {1, 3, 17, 65, 97}) {
            Random rng = new Random(d);
            double[] a = new double[d * d];
            for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
            double[][] inv = new double[2][];
            boolean saved = KernelConfig.vectorized();
            try {
                KernelConfig.setVectorized(true);
                inv[0] = DoubleMatrices.invert(a, d);
                KernelConfig.setVectorized(false);
                inv[1] = DoubleMatrices.invert(a, d);
            } finally {
                KernelConfig.setVectorized(saved);
            }
            double[] prod = DoubleMatrices.multiply(a, inv[0], d, d, d);
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    assertThat(prod[i * d + j]).as("d=%d A A^-1 [%d,%d]", d, i, j).isCloseTo(i == j ? 1 : 0, offset(1e-9));
                    assertThat(inv[1][i * d + j]).isCloseTo(inv[0][i * d + j], offset(1e-9 * (1 + Math.abs(inv[0][i * d + j]))));
                }
            }
        }
        assertThatThrownBy(() -> DoubleMatrices.invert(new double[] {1, 2, 2, 4}, 2)).hasMessageContaining("singular");
    }

    @Test
    void vectorAndScalarKernelsGiveTheSameRotationAndGradient() {
        for (int[] dr : new int[][] {{1, 1}, {3, 2}, {17, 17}, {65, 9}}) {
            int d = dr[0];
            int rank = dr[1];
            float[][] values = new float[2][];
            float[][] grads = new float[2][];
            boolean saved = KernelConfig.vectorized();
            try {
                for (int k = 0; k < 2; k++) {
                    KernelConfig.setVectorized(k == 0);
                    Random rng = new Random(d);
                    Orthogonal rot = new Orthogonal(d, rank, RandomOrthogonal.sample(rng, d));
                    setWeight(rot, Tensor.randn(rng, 0.5f, d, d));
                    Tensor r = rot.matrix();
                    // a non-contiguous seed gradient
                    r.backward(org.intervene4j.testing.Rand.transposedView(rng, d, rank));
                    values[k] = r.toFloatArray();
                    grads[k] = rot.weight().grad().toFloatArray();
                }
            } finally {
                KernelConfig.setVectorized(saved);
            }
            for (int i = 0; i < values[0].length; i++) {
                assertThat(values[1][i]).isCloseTo(values[0][i], offset(1e-6f));
            }
            for (int i = 0; i < grads[0].length; i++) {
                assertThat(grads[1][i]).as("d=%d grad %d", d, i)
                        .isCloseTo(grads[0][i], offset(1e-5f * (1 + Math.abs(grads[0][i]))));
            }
        }
    }

    @Test
    void multiplyMatchesNaiveProductOnAwkwardSizes() {
        Random rng = new Random(5);
        int[][] dims = {{1, 1, 1}, {3, 17, 5}, {65, 3, 300}, {17, 130, 65}};
        for (int[] mkn : dims) {
            int m = mkn[0];
            int k = mkn[1];
            int n = mkn[2];
            double[] a = new double[m * k];
            double[] b = new double[k * n];
            for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = rng.nextGaussian();
            double[] c = DoubleMatrices.multiply(a, b, m, k, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                    assertThat(c[i * n + j]).isCloseTo(s, offset(1e-10));
                }
            }
        }
    }

    @Test
    void stridedGemmAccumulatesIntoABlockWithBothKernels() {
        Random rng = new Random(6);
        int m = 9;
        int k = 5;
        int n = 37;
        int lda = 8;
        int ldb = 40;
        int ldc = 50;
        double[] a = new double[3 + m * lda];
        double[] b = new double[2 + k * ldb];
        double[] c0 = new double[7 + m * ldc];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = rng.nextGaussian();
        for (int i = 0; i < c0.length; i++) c0[i] = rng.nextGaussian();
        boolean saved = KernelConfig.vectorized();
        try {
            for (boolean vector : new boolean[] {true, false}) {
                KernelConfig.setVectorized(vector);
                double[] c = c0.clone();
                DoubleMatrices.gemm(m, k, n, a, 3, lda, b, 2, ldb, c, 7, ldc);
                for (int idx = 0; idx < c.length; idx++) {
                    int r = (idx - 7) / ldc;
                    int col = (idx - 7) % ldc;
                    double expected = c0[idx];
                    if (idx >= 7 && col < n) {
                        for (int p = 0; p < k; p++) expected += a[3 + r * lda + p] * b[2 + p * ldb + col];
                    }
                    assertThat(c[idx]).as("vector=%s element %d", vector, idx).isCloseTo(expected, offset(1e-12));
                }
            }
        } finally {
            KernelConfig.setVectorized(saved);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Random rng = new Random(11);
        Tensor r0 = RandomOrthogonal.sample(rng, 6);
        for (Orthogonal rot : List.of(Orthogonal.identity(6), Orthogonal.lowRank(6, 3), new Orthogonal(6, 4, r0))) {
            setWeight(rot, Tensor.randn(rng, 0.5f, 6, 6));
            GradCheck.check(rot.toString(), in -> rot.matrix(), rot.weight());
        }
    }

    /** R(W) in float64 straight from the definition, for a tight finite-difference check. */
    private static double[] referenceR(double[] w, double[] r0, int d, int rank) {
        double[] m = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) m[i * d + j] = (i == j ? 1 : 0) + w[i * d + j] - w[j * d + i];
        }
        double[] inv = DoubleMatrices.invert(m, d);
        double[] c = new double[d * d];
        for (int i = 0; i < d * d; i++) c[i] = 2 * inv[i] - (i / d == i % d ? 1 : 0);
        double[] r = r0 == null ? c : DoubleMatrices.multiply(r0, c, d, d, d);
        double[] out = new double[d * rank];
        for (int i = 0; i < d; i++) System.arraycopy(r, i * d, out, i * rank, rank);
        return out;
    }

    @Test
    void gradientMatchesFloat64FiniteDifferencesTightly() {
        // low rank; full rank (backward reuses R0 M^-1); and a size that takes the packed vector products
        gradientMatchesFloat64FiniteDifferences(7, 5);
        gradientMatchesFloat64FiniteDifferences(7, 7);
        gradientMatchesFloat64FiniteDifferences(40, 40);
    }

    private static void gradientMatchesFloat64FiniteDifferences(int d, int rank) {
        Random rng = new Random(3);
        Tensor r0 = RandomOrthogonal.sample(rng, d);
        Orthogonal rot = new Orthogonal(d, rank, r0);
        setWeight(rot, Tensor.randn(rng, 0.3f, d, d));
        double[] c = new double[d * rank];
        for (int i = 0; i < c.length; i++) c[i] = rng.nextGaussian();
        float[] cf = new float[c.length];
        for (int i = 0; i < c.length; i++) cf[i] = (float) c[i];
        rot.matrix().backward(Tensor.of(cf, d, rank));
        float[] analytic = rot.weight().grad().toFloatArray();
        double[] w = doubles(rot.weight());
        double[] r0d = doubles(r0);
        double h = 1e-6;
        double maxErr = 0;
        for (int k = 0; k < d * d; k++) {
            double orig = w[k];
            w[k] = orig + h;
            double[] plus = referenceR(w, r0d, d, rank);
            w[k] = orig - h;
            double[] minus = referenceR(w, r0d, d, rank);
            w[k] = orig;
            double numeric = 0;
            for (int i = 0; i < c.length; i++) numeric += c[i] * (plus[i] - minus[i]) / (2 * h);
            maxErr = Math.max(maxErr, Math.abs(numeric - analytic[k]) / (1 + Math.abs(numeric)));
        }
        System.out.printf("Cayley gradient (d=%d, rank=%d) vs float64 finite differences: max rel error %.3g%n", d,
                rank, maxErr);
        assertThat(maxErr).as("d=%d rank=%d", d, rank).isLessThan(1e-5);
    }

    @Test
    void initialRotationIsWhereTrainingStarts() {
        Random rng = new Random(2);
        Tensor r0 = RandomOrthogonal.sample(rng, 9);
        assertThat(orthoError(r0)).isLessThan(1e-6);
        Tensor r = new Orthogonal(9, 4, r0).matrix();
        assertThat(r.shape()).containsExactly(9, 4);
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 4; j++) assertThat(r.get(i, j)).isCloseTo(r0.get(i, j), offset(1e-6f));
        }
        assertThat(new Orthogonal(9, 4, r0).initialRotation().toFloatArray()).containsExactly(r0.toFloatArray());
        assertThat(Orthogonal.identity(3).initialRotation()).isNull();
        Tensor low = RandomOrthogonal.sample(new Random(2), 9, 4);
        assertThat(low.toFloatArray()).containsExactly(r.toFloatArray(), offset(1e-6f));
    }

    @Test
    void lowRankColumnsStayOrthonormal() {
        Orthogonal rot = Orthogonal.random(new Random(4), 40, 8);
        setWeight(rot, Tensor.randn(new Random(5), 1f, 40, 40));
        Tensor r = rot.matrix();
        assertThat(r.shape()).containsExactly(40, 8);
        assertThat(orthoError(r)).isLessThan(1e-5);
    }

    @Test
    void randomOrthogonalIsReproducibleAndOrthogonal() {
        Tensor a = RandomOrthogonal.sample(new Random(9), 50);
        Tensor b = RandomOrthogonal.sample(new Random(9), 50);
        Tensor c = RandomOrthogonal.sample(new Random(10), 50);
        assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
        assertThat(a.toFloatArray()).isNotEqualTo(c.toFloatArray());
        assertThat(orthoError(a)).isLessThan(1e-6);
        assertThatThrownBy(() -> RandomOrthogonal.sample(new Random(0), 3, 4)).hasMessageContaining("cols");
    }

    @Test
    void randomOrthogonalLooksHaarDistributed() {
        // Under the Haar measure on O(3) each entry has mean 0 and mean square 1/3; without the
        // sign correction Q[0][0] would always be negative.
        Random rng = new Random(12);
        int samples = 4000;
        double mean = 0;
        double meanSquare = 0;
        int negativeDet = 0;
        for (int s = 0; s < samples; s++) {
            double[] q = RandomOrthogonal.sampleDouble(rng, 3);
            mean += q[0] / samples;
            meanSquare += q[0] * q[0] / samples;
            double det = q[0] * (q[4] * q[8] - q[5] * q[7]) - q[1] * (q[3] * q[8] - q[5] * q[6])
                    + q[2] * (q[3] * q[7] - q[4] * q[6]);
            if (det < 0) negativeDet++;
        }
        assertThat(mean).isCloseTo(0, offset(0.04));
        assertThat(meanSquare).isCloseTo(1.0 / 3, offset(0.03));
        assertThat(negativeDet / (double) samples).isCloseTo(0.5, offset(0.05));
    }

    @Test
    void staysOrthogonalOver1000AdamSteps() {
        int d = 32;
        Random rng = new Random(8);
        Tensor c = Tensor.randn(rng, 1f, d, d);
        // loss = -trace(C R), so dL/dR = -C^T
        float[] seed = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) seed[i * d + j] = -c.get(j, i);
        }
        Orthogonal rot = Orthogonal.identity(d);
        Adam opt = Adam.of(0.01, rot.weight());
        double before = trace(c, rot.matrix());
        for (int step = 0; step < 1000; step++) {
            try (Arena arena = Arena.open()) {
                opt.zeroGrad();
                rot.matrix().backward(Tensor.of(seed.clone(), d, d));
                opt.step();
            }
        }
        Tensor r = rot.matrix();
        double after = trace(c, r);
        double err = orthoError(r);
        // At a maximum over rotations C R is symmetric; measure how far from that the end point is.
        double[] cr = DoubleMatrices.multiply(doubles(c), doubles(r), d, d, d);
        double asym = 0;
        double scale = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                asym = Math.max(asym, Math.abs(cr[i * d + j] - cr[j * d + i]));
                scale = Math.max(scale, Math.abs(cr[i * d + j]));
            }
        }
        System.out.printf("1000 Adam steps d=32: trace(CR) %.4f -> %.4f, max|R^T R - I| = %.3g, max|CR - (CR)^T| / max|CR| = %.3g%n",
                before, after, err, asym / scale);
        assertThat(err).isLessThan(1e-5);
        assertThat(after).isGreaterThan(before + 20);
        assertThat(asym / scale).isLessThan(0.05);
    }

    private static double trace(Tensor c, Tensor r) {
        int d = c.size(0);
        double t = 0;
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < d; k++) t += (double) c.get(i, k) * r.get(k, i);
        }
        return t;
    }

    @Test
    void reusesTheInverseWhileTheWeightIsUnchanged() {
        Orthogonal rot = Orthogonal.identity(4);
        setWeight(rot, Tensor.randn(new Random(1), 1f, 4, 4));
        float[] first = rot.matrix().toFloatArray();
        assertThat(rot.matrix().toFloatArray()).containsExactly(first);
        try (GradMode off = GradMode.off()) {
            rot.weight().set(rot.weight().get(0, 1) + 0.5f, 0, 1);
        }
        assertThat(rot.matrix().toFloatArray()).isNotEqualTo(first);
        try (GradMode off = GradMode.off()) {
            assertThat(rot.matrix().requiresGrad()).isFalse();
        }
    }

    /** (R0 (I + A)^{-1} (I - A))[:, :rank] in float64, A = W - W^T: the reference of one forward. */
    private static double[] cayleyReference(double[] r0, double[] w, int d, int rank) {
        double[] plus = new double[d * d], minus = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double a = w[i * d + j] - w[j * d + i];
                plus[i * d + j] = (i == j ? 1 : 0) + a;
                minus[i * d + j] = (i == j ? 1 : 0) - a;
            }
        }
        double[] c = DoubleMatrices.multiply(r0, DoubleMatrices.multiply(DoubleMatrices.invert(plus, d), minus, d, d, d), d, d, d);
        double[] out = new double[d * rank];
        for (int i = 0; i < d; i++) System.arraycopy(c, i * d, out, i * rank, rank);
        return out;
    }

    @Test
    void successiveWeightsWithAnInitialRotationMatchFloat64AndKeepTheirGradients() {
        // Forwards reuse their work arrays and the float copy of R0 from one weight to the next;
        // each result and each gradient must still be that weight's own.
        int d = 33, rank = 7;
        Tensor r0 = RandomOrthogonal.sample(new Random(8), d);
        Orthogonal rot = new Orthogonal(d, rank, r0);
        Tensor seed = Tensor.randn(new Random(9), 1f, d, rank);
        float[][] gradients = new float[3][];
        Tensor[] weights = new Tensor[3];
        for (int step = 0; step < 3; step++) {
            weights[step] = Tensor.randn(new Random(20 + step), 0.3f, d, d);
            setWeight(rot, weights[step]);
            try (Arena arena = Arena.open()) {
                Tensor r = rot.matrix();
                double[] expected = cayleyReference(doubles(r0), doubles(weights[step]), d, rank);
                float[] got = r.toFloatArray();
                for (int i = 0; i < got.length; i++) assertThat((double) got[i]).isCloseTo(expected[i], offset(2e-6));
                rot.weight().clearGrad();
                Ops.sum(Ops.mul(r, seed)).backward();
                gradients[step] = rot.weight().grad().toFloatArray();
            }
        }
        // the same weights again, in another order and on a fresh rotation: the same gradients
        for (int step : new int[] {2, 0, 1}) {
            Orthogonal fresh = new Orthogonal(d, rank, r0);
            setWeight(fresh, weights[step]);
            Ops.sum(Ops.mul(fresh.matrix(), seed)).backward();
            assertThat(fresh.weight().grad().toFloatArray()).containsExactly(gradients[step]);
        }
    }

    @Test
    void aFailedForwardLeavesNoStaleMemo() {
        Orthogonal rot = Orthogonal.identity(6);
        Tensor good = Tensor.randn(new Random(3), 0.5f, 6, 6);
        setWeight(rot, good);
        float[] expected = rot.matrix().toFloatArray();
        Tensor bad = Tensor.of(good.toFloatArray(), 6, 6);
        try (GradMode off = GradMode.off()) {
            bad.set(Float.NaN, 1, 2);
        }
        for (int round = 0; round < 2; round++) {
            setWeight(rot, bad);
            assertThatThrownBy(rot::matrix).hasMessageContaining("singular");
            assertThatThrownBy(rot::matrix).as("asked again: no memo of the failed forward").hasMessageContaining("singular");
            setWeight(rot, good);
            assertThat(rot.matrix().toFloatArray()).containsExactly(expected);
        }
    }

    /** {@code sum(R * seed)}'s gradient with respect to W, from a rotation that never saw another weight. */
    private static float[] freshGradient(Tensor initial, int rank, Tensor w, Tensor seed) {
        Orthogonal fresh = new Orthogonal(w.size(0), rank, initial);
        setWeight(fresh, w);
        Ops.sum(Ops.mul(fresh.matrix(), seed)).backward();
        return fresh.weight().grad().toFloatArray();
    }

    @Test
    void aGraphKeptAcrossWeightUpdatesStillGivesItsOwnWeightsGradient() {
        // Each new weight takes over the previous memo entry's arrays: a graph made before must
        // still run the backward of the weight it saw (its inverse, R0 M^{-1} and R0 untouched).
        int d = 24;
        Tensor r0 = RandomOrthogonal.sample(new Random(5), d);
        for (int rank : new int[] {d, 9}) {
            for (Tensor initial : new Tensor[] {r0, null}) {
                Orthogonal rot = new Orthogonal(d, rank, initial);
                Tensor seed = Tensor.randn(new Random(6), 1f, d, rank);
                Tensor[] weights = new Tensor[4];
                Tensor[] losses = new Tensor[4];
                float[][] values = new float[4][];
                for (int step = 0; step < 4; step++) {
                    weights[step] = Tensor.randn(new Random(40 + step), 0.4f, d, d);
                    setWeight(rot, weights[step]);
                    Tensor r = rot.matrix();
                    values[step] = r.toFloatArray();
                    losses[step] = Ops.sum(Ops.mul(r, seed));
                }
                // the oldest graph first: every later forward has recycled the memo's arrays since
                for (int step = 0; step < 4; step++) {
                    rot.weight().clearGrad();
                    losses[step].backward();
                    String what = "rank " + rank + (initial == null ? "" : ", with R0") + ", weight " + step;
                    assertThat(rot.weight().grad().toFloatArray()).as(what)
                            .containsExactly(freshGradient(initial, rank, weights[step], seed));
                    Orthogonal fresh = new Orthogonal(d, rank, initial);
                    setWeight(fresh, weights[step]);
                    assertThat(values[step]).as(what).containsExactly(fresh.matrix().toFloatArray());
                }
            }
        }
    }

    @Test
    void threadsSharingOneMemoGetTheirOwnWeightsRotationAndGradient() throws Exception {
        // Two threads take turns at one memo (as two threads sharing one Orthogonal do) with
        // weights of their own, so nearly every forward recomputes and recycles the other
        // thread's entry; each also runs a smaller rotation in between (its float64 scratch is
        // then larger than needed). Every result and gradient must be that of its own weight.
        int d = 64, rank = 64, small = 13, smallRank = 5;
        double[] r0 = doubles(RandomOrthogonal.sample(new Random(11), d));
        Cayley.Cache shared = new Cayley.Cache();
        int threads = 2, rounds = 400;
        Tensor[][] weights = new Tensor[threads][2];
        Tensor[] smallWeights = new Tensor[threads];
        float[][][] expected = new float[threads][2][];
        float[][][] expectedGrad = new float[threads][2][];
        float[][] expectedSmall = new float[threads][];
        Tensor seed = Tensor.randn(new Random(12), 1f, d, rank);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < 2; i++) {
                weights[t][i] = Tensor.randn(new Random(100 + 10 * t + i), 0.3f, d, d);
                Tensor w = Tensor.of(weights[t][i].toFloatArray(), d, d).requiresGrad(true);
                Tensor r = Cayley.apply(w, r0, rank, null); // no memo: the reference
                expected[t][i] = r.toFloatArray();
                Ops.sum(Ops.mul(r, seed)).backward();
                expectedGrad[t][i] = w.grad().toFloatArray();
            }
            smallWeights[t] = Tensor.randn(new Random(200 + t), 0.3f, small, small);
            try (GradMode off = GradMode.off()) {
                expectedSmall[t] = Cayley.apply(smallWeights[t], null, smallRank, null).toFloatArray();
            }
        }
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<String>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(pool.submit(() -> {
                    Cayley.Cache own = new Cayley.Cache();
                    Tensor w = Tensor.zerosPersistent(d, d).requiresGrad(true);
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        int i = round % 2;
                        try (GradMode off = GradMode.off()) {
                            w.copyFrom(weights[me][i]);
                        }
                        try (Arena arena = Arena.open()) {
                            Tensor r = Cayley.apply(w, r0, rank, shared);
                            if (!Arrays.equals(r.toFloatArray(), expected[me][i])) return "thread " + me + " round " + round + ": R";
                            try (GradMode off = GradMode.off()) {
                                float[] s = Cayley.apply(smallWeights[me], null, smallRank, own).toFloatArray();
                                if (!Arrays.equals(s, expectedSmall[me])) return "thread " + me + " round " + round + ": small R";
                            }
                            if (round % 16 >= 2) continue; // mostly forwards: the threads meet in them
                            w.clearGrad();
                            Ops.sum(Ops.mul(r, seed)).backward();
                            if (!Arrays.equals(w.grad().toFloatArray(), expectedGrad[me][i])) {
                                return "thread " + me + " round " + round + ": gradient";
                            }
                        }
                    }
                    return "ok";
                }));
            }
            for (Future<String> f : results) assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> Orthogonal.lowRank(4, 0)).hasMessageContaining("rank");
        assertThatThrownBy(() -> Orthogonal.lowRank(4, 5)).hasMessageContaining("rank must be in [1, 4]");
        assertThatThrownBy(() -> Orthogonal.identity(0)).hasMessageContaining("d must be >= 1");
        assertThatThrownBy(() -> new Orthogonal(3, 3, Tensor.zerosPersistent(3, 2))).hasMessageContaining("[3, 3]");
        assertThatThrownBy(() -> new Orthogonal(2, 2, Tensor.of(new float[] {1, 1, 0, 1}, 2, 2)))
                .hasMessageContaining("not orthogonal");
        assertThatThrownBy(() -> Cayley.apply(Tensor.zerosPersistent(2, 3), null, 2, null))
                .hasMessageContaining("op 'cayley'").hasMessageContaining("[2, 3]");
    }
}
