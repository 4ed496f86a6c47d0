package org.intervene4j.intervention;

import org.intervene4j.engine.Tensor;

/** A 0/1 row mask [w] selecting a subspace (all ones when the subspace is null). */
final class SubspaceMask {
    private SubspaceMask() {}

    static Tensor of(int width, int[] subspace) {
        Tensor m = Tensor.zeros(width);
        float[] d = m.data();
        if (subspace == null) {
            java.util.Arrays.fill(d, 0, width, 1f);
        } else {
            for (int i : subspace) d[i] = 1f;
        }
        return m;
    }

    /** A length-{@code |subspace|} vector placed at the subspace dims of a width-w row; full-width vectors pass through. */
    static Tensor spread(Tensor vector, int width, int[] subspace, String what) {
        int n = vector.numel();
        if (n == width) return vector.reshape(width);
        if (subspace != null && n == subspace.length) {
            return org.intervene4j.engine.Ops.indexCopy(Tensor.zeros(width), 0, subspace, vector.reshape(n));
        }
        throw new IllegalArgumentException(what + ": vector has " + n + " values but the rows have width " + width
                + (subspace == null ? "" : " and the subspace has " + subspace.length + " dims"));
    }
}
