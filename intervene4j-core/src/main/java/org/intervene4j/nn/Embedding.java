package org.intervene4j.nn;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/** A lookup table: row {@code i} of {@code weight [count, dim]} is the vector of id {@code i}. */
public final class Embedding extends Module {
    private final int count;
    private final int dim;
    private final Tensor weight; // [count, dim]

    /** A table initialized from N(0, std^2) (GPT-2 uses std 0.02; PyTorch's default is 1). */
    public Embedding(int count, int dim, float std, Random rng) {
        if (count < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got count=" + count + ", dim=" + dim);
        }
        this.count = count;
        this.dim = dim;
        this.weight = param("weight", Init.normal(rng, std, count, dim));
    }

    /** The rows for {@code ids}, shaped {@code [leading..., dim]} (leading multiplies to ids.length). */
    public Tensor forward(int[] ids, int... leading) {
        return Ops.embedding(weight, ids, leading);
    }

    /** The rows for a {@code [batch, seq]} grid of ids: {@code [batch, seq, dim]}. */
    public Tensor forward(int[][] ids) {
        int batch = ids.length;
        int seq = batch == 0 ? 0 : ids[0].length;
        int[] flat = new int[batch * seq];
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != seq) {
                throw new IllegalArgumentException("Embedding: row " + b + " has " + ids[b].length + " ids, row 0 has " + seq);
            }
            System.arraycopy(ids[b], 0, flat, b * seq, seq);
        }
        return forward(flat, batch, seq);
    }

    /** The table {@code [count, dim]}. */
    public Tensor weight() {
        return weight;
    }

    public int count() {
        return count;
    }

    public int dim() {
        return dim;
    }
}
