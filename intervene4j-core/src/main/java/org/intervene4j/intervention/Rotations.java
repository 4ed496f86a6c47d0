package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.add;
import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.sub;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * Saving and rebuilding the {@link Orthogonal} behind the rotation interventions: its
 * trainable Cayley weight W and, when training started from a random rotation, the fixed
 * initial rotation R0. Together they give back the same R bit for bit.
 */
final class Rotations {
    static final String WEIGHT = "rotation.weight";
    static final String INITIAL = "rotation.initial";

    private Rotations() {}

    /** W and R0 (when there is one) under their names; {@code initial} is the copy the intervention keeps. */
    static Map<String, Tensor> parameters(Orthogonal rotation, Tensor initial) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(WEIGHT, rotation.weight());
        if (initial != null) out.put(INITIAL, initial);
        return out;
    }

    /** The rotation saved by {@link #parameters}: same R0, W copied in. */
    static Orthogonal rebuild(String type, int width, int rank, Map<String, Tensor> params) {
        Tensor w = params.get(WEIGHT);
        if (w == null) throw new IllegalArgumentException(type + ": parameter '" + WEIGHT + "' is missing");
        if (!Arrays.equals(w.shape(), new int[] {width, width})) {
            throw new IllegalArgumentException(type + ": parameter '" + WEIGHT + "' has shape " + Arrays.toString(w.shape())
                    + ", expected [" + width + ", " + width + "]");
        }
        Orthogonal rot = new Orthogonal(width, rank, params.get(INITIAL));
        copyInto(rot.weight(), w);
        return rot;
    }

    /** The saved tensor {@code name}, which must be there with this shape. */
    static Tensor requireParam(String type, Map<String, Tensor> params, String name, int... shape) {
        Tensor t = params.get(name);
        if (t == null || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(type + ": parameter '" + name + "' " + Arrays.toString(shape)
                    + " is missing or has another shape");
        }
        return t;
    }

    /** Copies saved values into a trainable leaf, with grad mode off so that it stays a leaf. */
    static void copyInto(Tensor leaf, Tensor saved) {
        try (GradMode off = GradMode.off()) {
            leaf.copyFrom(saved);
        }
    }

    /**
     * Swaps in source's component along a subspace: {@code base + ((source − base) toCoords) fromCoords},
     * with {@code toCoords} [w, k] the subspace's orthonormal basis as columns and {@code fromCoords}
     * [k, w] the same as rows. Returns base exactly where base and source agree.
     */
    static Tensor interchange(Tensor base, Tensor source, Tensor toCoords, Tensor fromCoords) {
        Tensor coords = matmul(sub(source, base), toCoords); // [n, k]
        return add(base, matmul(coords, fromCoords));
    }

    /** Checks that rows of width {@code w} fit a rotation of size {@code d}. */
    static void checkRows(String type, Tensor base, Tensor source, int d) {
        if (base.dim() != 2 || base.size(1) != d) {
            throw new IllegalArgumentException(type + ": base rows must be [n, " + d + "], got " + Arrays.toString(base.shape()));
        }
        if (source == null) throw new IllegalArgumentException(type + ": needs source rows");
        if (!Arrays.equals(source.shape(), base.shape())) {
            throw new IllegalArgumentException(type + ": source rows " + Arrays.toString(source.shape()) + " differ from base rows "
                    + Arrays.toString(base.shape()));
        }
    }

    /** Checks subspace indices against the {@code limit} dims of the intervention's basis. */
    static void checkSubspace(String type, int[] subspace, int limit) {
        if (subspace == null) return;
        if (subspace.length == 0) throw new IllegalArgumentException(type + ": the subspace is empty");
        for (int i : subspace) {
            if (i < 0 || i >= limit) {
                throw new IndexOutOfBoundsException(type + ": subspace index " + i + " is outside the " + limit + " dims of its basis");
            }
        }
    }

    /** {@code 0, 1, ..., k-1}. */
    static int[] firstK(int k) {
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = i;
        return out;
    }

    static int intOf(Map<String, Object> config, String key, String type) {
        Object v = config.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException(type + ": config '" + key + "' is missing or not a number");
        return n.intValue();
    }

    static double doubleOf(Map<String, Object> config, String key, String type, double fallback) {
        Object v = config.get(key);
        if (v == null) return fallback;
        if (!(v instanceof Number n)) throw new IllegalArgumentException(type + ": config '" + key + "' is not a number");
        return n.doubleValue();
    }
}
