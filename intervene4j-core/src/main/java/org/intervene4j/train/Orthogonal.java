package org.intervene4j.train;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Tensor;

/**
 * A trainable rotation (the rotation of distributed alignment search): an unconstrained leaf
 * weight W {@code [d, d]} mapped to an orthogonal matrix by the Cayley map,
 * {@code R = R0 (I + A)^{-1} (I - A)} with {@code A = W - W^T}. W starts at 0, so training
 * starts at the initial rotation R0 (identity unless given) and R stays exactly orthogonal (up
 * to float rounding) whatever the optimizer does to W. With {@code rank < d} only the first
 * {@code rank} columns are kept: {@code R [d, rank]} has orthonormal columns (a low-rank
 * subspace).
 *
 * <pre>{@code
 * Orthogonal rot = Orthogonal.random(new Random(0), 768, 768);
 * Adam opt = Adam.of(1e-3, rot.weight());
 * Tensor r = rot.matrix();   // [768, 768], differentiable w.r.t. rot.weight()
 * }</pre>
 *
 * <p>Every call of {@link #matrix()} makes a new graph node; the float64 inverse is reused
 * while W is unchanged.
 */
public final class Orthogonal {
    private final int d;
    private final int rank;
    private final Tensor weight;
    private final double[] initial;
    private final Cayley.Cache cache = new Cayley.Cache();

    /**
     * @param d       size of the rotated space
     * @param rank    columns of R kept, 1..d ({@code d} for a full rotation)
     * @param initial R0 {@code [d, d]} orthogonal, or null for the identity
     */
    public Orthogonal(int d, int rank, Tensor initial) {
        if (d < 1) throw new IllegalArgumentException("Orthogonal: d must be >= 1, got " + d);
        if (rank < 1 || rank > d) {
            throw new IllegalArgumentException("Orthogonal: rank must be in [1, " + d + "], got " + rank);
        }
        this.d = d;
        this.rank = rank;
        this.weight = Tensor.zerosPersistent(d, d).requiresGrad(true);
        if (initial == null) {
            this.initial = null;
        } else {
            int[] s = initial.shape();
            if (s.length != 2 || s[0] != d || s[1] != d) {
                throw new IllegalArgumentException("Orthogonal: initial rotation must have shape [" + d + ", " + d + "], got "
                        + Arrays.toString(s));
            }
            float[] f = initial.toFloatArray();
            double[] r0 = new double[f.length];
            for (int i = 0; i < f.length; i++) r0[i] = f[i];
            double err = DoubleMatrices.orthonormalityError(r0, d, d);
            if (!(err < 1e-4)) {
                throw new IllegalArgumentException("Orthogonal: initial rotation is not orthogonal: max |R0^T R0 - I| = " + err);
            }
            this.initial = r0;
        }
    }

    /** A full rotation starting at the identity. */
    public static Orthogonal identity(int d) {
        return new Orthogonal(d, d, null);
    }

    /** {@code [d, rank]} orthonormal columns starting at the first {@code rank} axes. */
    public static Orthogonal lowRank(int d, int rank) {
        return new Orthogonal(d, rank, null);
    }

    /** {@code [d, rank]} starting at the first {@code rank} columns of a uniformly random rotation. */
    public static Orthogonal random(Random rng, int d, int rank) {
        return new Orthogonal(d, rank, RandomOrthogonal.sample(rng, d));
    }

    /** The trainable leaf W {@code [d, d]} (give it to an optimizer). */
    public Tensor weight() {
        return weight;
    }

    /** {@link #weight()} as a list, for optimizer groups. */
    public List<Tensor> parameters() {
        return List.of(weight);
    }

    /** The current rotation {@code [d, rank]}, differentiable with respect to {@link #weight()}. */
    public Tensor matrix() {
        return Cayley.apply(weight, initial, rank, cache);
    }

    /** A copy of the initial rotation R0 {@code [d, d]}, or null when training started at the identity. */
    public Tensor initialRotation() {
        if (initial == null) return null;
        Tensor t = Tensor.zerosPersistent(d, d);
        float[] out = t.data();
        for (int i = 0; i < initial.length; i++) out[i] = (float) initial[i];
        return t;
    }

    public int dim() {
        return d;
    }

    public int rank() {
        return rank;
    }

    @Override
    public String toString() {
        return "Orthogonal[d=" + d + ", rank=" + rank + (initial == null ? "" : ", initial rotation") + "]";
    }
}
