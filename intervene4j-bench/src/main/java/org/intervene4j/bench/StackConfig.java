package org.intervene4j.bench;

/**
 * Sizes of the GPT-2-shaped benchmark stack. The defaults are GPT-2 small's block shapes at
 * batch 8, sequence 32; the trainable matrix T sits on the residual stream after block
 * {@code interventionAfter} (1-based), so blocks {@code 1..interventionAfter} need no gradient
 * and the later blocks need input gradients only.
 */
public record StackConfig(int layers, int dModel, int heads, int dMlp, int batch, int seq, int interventionAfter) {
    public static final StackConfig GPT2_SMALL = new StackConfig(12, 768, 12, 3072, 8, 32, 6);

    public StackConfig {
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("d_model " + dModel + " is not a multiple of heads " + heads);
        }
        if (interventionAfter < 0 || interventionAfter > layers) {
            throw new IllegalArgumentException("intervention after block " + interventionAfter
                    + " is outside 0.." + layers);
        }
    }

    public int headDim() {
        return dModel / heads;
    }

    /** Layer-norm epsilon, as in GPT-2. */
    public float eps() {
        return 1e-5f;
    }
}
