package org.intervene4j.bench;

import java.util.Random;

/**
 * Random frozen weights for the benchmark stack, as plain arrays so the same numbers can be
 * loaded into our engine and into libtorch.
 *
 * <p><b>Layout:</b> every projection matrix is stored as in {@code nn.Linear}, {@code [out, in]}
 * row-major, applied as {@code x @ W^T + b}. (GPT-2 checkpoints store {@code Conv1D} weights
 * {@code [in, out]}; a loader transposes them once.) The attention input projection is fused:
 * {@code wQkv [3 * d_model, d_model]}, rows {@code 0..d} for queries, {@code d..2d} keys,
 * {@code 2d..3d} values, and within each the head index is the major part of the row index.
 */
public final class StackWeights {
    /** The weights of one pre-layer-norm transformer block. */
    public static final class Block {
        public final float[] ln1Gamma, ln1Beta;   // [d]
        public final float[] wQkv, bQkv;          // [3d, d], [3d]
        public final float[] wOut, bOut;          // [d, d], [d]
        public final float[] ln2Gamma, ln2Beta;   // [d]
        public final float[] wFc, bFc;            // [mlp, d], [mlp]
        public final float[] wProj, bProj;        // [d, mlp], [d]

        Block(StackConfig c, Random rng) {
            int d = c.dModel();
            int f = c.dMlp();
            ln1Gamma = around(rng, d, 1f, 0.05f);
            ln1Beta = around(rng, d, 0f, 0.02f);
            wQkv = around(rng, 3 * d * d, 0f, 0.02f);
            bQkv = around(rng, 3 * d, 0f, 0.01f);
            wOut = around(rng, d * d, 0f, 0.02f);
            bOut = around(rng, d, 0f, 0.01f);
            ln2Gamma = around(rng, d, 1f, 0.05f);
            ln2Beta = around(rng, d, 0f, 0.02f);
            wFc = around(rng, f * d, 0f, 0.02f);
            bFc = around(rng, f, 0f, 0.01f);
            wProj = around(rng, d * f, 0f, 0.02f);
            bProj = around(rng, d, 0f, 0.01f);
        }
    }

    public final StackConfig config;
    public final Block[] blocks;
    /** The trainable intervention matrix, {@code [d, d]}, applied as {@code x @ T}; identity plus small noise. */
    public final float[] t;
    /** The input residual stream, {@code [batch, seq, d]}. */
    public final float[] input;

    /** Weights drawn (GPT-2-like scales: std 0.02 matrices) from a seeded generator. */
    public StackWeights(StackConfig config, long seed) {
        this.config = config;
        Random rng = new Random(seed);
        blocks = new Block[config.layers()];
        for (int l = 0; l < blocks.length; l++) blocks[l] = new Block(config, rng);
        int d = config.dModel();
        t = around(rng, d * d, 0f, 0.01f);
        for (int i = 0; i < d; i++) t[i * d + i] += 1f;
        input = around(rng, config.batch() * config.seq() * d, 0f, 1f);
    }

    /** {@code n} values {@code mean + std * N(0, 1)}. */
    private static float[] around(Random rng, int n, float mean, float std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = mean + (float) (rng.nextGaussian() * std);
        return x;
    }
}
