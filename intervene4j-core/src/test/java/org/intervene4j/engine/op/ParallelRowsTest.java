package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intervene4j.engine.op.RowRef.assertClose;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.WorkerPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sizes large enough that the row loops split across worker threads, checked against float64. */
class ParallelRowsTest {
    private int previousThreads;

    @BeforeEach
    void moreThreads() {
        previousThreads = WorkerPool.global().threads();
        WorkerPool.setGlobalThreads(4);
    }

    @AfterEach
    void restoreThreads() {
        WorkerPool.setGlobalThreads(previousThreads);
    }

    @Test
    void softmaxAndCrossEntropyOverManyRows() {
        Random rng = new Random(1);
        Tensor x = Tensor.randn(rng, 3f, 64, 1000);
        assertClose("softmax parallel [64, 1000]", Ops.softmax(x), SoftmaxTest.refSoftmax(RowRef.doubles(x), 1000, false), 1e-6);
        Tensor logits = x.detach().requiresGrad(true);
        int[] t = new int[64];
        for (int i = 0; i < 64; i++) t[i] = i % 5 == 0 ? -100 : rng.nextInt(1000);
        Ops.crossEntropy(logits, t, -100).backward();
        assertClose("crossEntropy grad parallel", logits.grad(), CrossEntropyTest.refGrad(RowRef.doubles(x), 1000, t), 1e-6);
    }

    @Test
    void layerNormBackwardAcrossBlocksMatchesFloat64() {
        Random rng = new Random(2);
        int rows = 128, d = 300;
        Tensor x = param(rng, rows, d);
        Tensor gamma = param(rng, d);
        Tensor beta = param(rng, d);
        Tensor g = Tensor.randn(rng, 1f, rows, d);
        Ops.layerNorm(x, gamma, beta, 1e-5f).backward(g);
        double[] xs = RowRef.doubles(x);
        double[] gs = RowRef.doubles(g);
        double[] gam = RowRef.doubles(gamma);
        double[] dx = new double[rows * d];
        double[] dgamma = new double[d];
        double[] dbeta = new double[d];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < d; j++) mean += xs[r * d + j];
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) var += (xs[r * d + j] - mean) * (xs[r * d + j] - mean);
            double rstd = 1 / Math.sqrt(var / d + 1e-5);
            double sumG = 0;
            double sumGX = 0;
            for (int j = 0; j < d; j++) {
                double xhat = (xs[r * d + j] - mean) * rstd;
                double gj = gs[r * d + j] * gam[j];
                sumG += gj;
                sumGX += gj * xhat;
                dgamma[j] += gs[r * d + j] * xhat;
                dbeta[j] += gs[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                double xhat = (xs[r * d + j] - mean) * rstd;
                dx[r * d + j] = rstd * (gs[r * d + j] * gam[j] - sumG / d - xhat * sumGX / d);
            }
        }
        assertClose("layerNorm dx parallel", x.grad(), dx, 1e-5);
        assertClose("layerNorm dgamma parallel", gamma.grad(), dgamma, 1e-5);
        assertClose("layerNorm dbeta parallel", beta.grad(), dbeta, 1e-5);
    }

    @Test
    void embeddingBackwardAcrossColumnBlocks() {
        Random rng = new Random(3);
        int vocab = 50, d = 200, n = 400;
        Tensor w = param(rng, vocab, d);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
        Tensor g = Tensor.randn(rng, 1f, n, d);
        Ops.embedding(w, ids).backward(g);
        double[] want = new double[vocab * d];
        float[] gv = g.toFloatArray();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) want[ids[i] * d + c] += gv[i * d + c];
        }
        assertClose("embedding backward parallel", w.grad(), want, 1e-5);
        Tensor rows = Ops.indexSelect(w, 0, ids);
        assertThat(java.util.Arrays.equals(rows.toFloatArray(), Ops.embedding(w, ids).toFloatArray()))
                .as("indexSelect along dim 0 equals embedding").isTrue();
    }

    private static Tensor param(Random rng, int... shape) {
        return Tensor.randn(rng, 1f, shape).requiresGrad(true);
    }
}
