package org.intervene4j.intervention;

import static org.intervene4j.engine.Ops.mul;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.train.Orthogonal;

/**
 * The parts the ReFT interventions are made of, shared by the six types: a low-rank map
 * {@code R} with orthonormal rows (an {@link Orthogonal} of rank r, whose matrix {@code [w, r]}
 * is {@code R^T}) or an unconstrained projection {@code W2 [r, w]}, a learned linear map
 * {@code W [r, w]} (nn.Linear layout) and a bias {@code b [r]}. Absent parts are null.
 */
final class ReftParams {
    final String type;
    final int width;
    final int rank;
    final Orthogonal rotation; // R^T [w, r] via matrix(), or null
    final Tensor projection;   // W2 [r, w], or null
    final Tensor weight;       // W [r, w], or null
    final Tensor bias;         // b [r]

    ReftParams(String type, int width, int rank, Orthogonal rotation, Tensor projection, Tensor weight, Tensor bias) {
        this.type = type;
        this.width = width;
        this.rank = rank;
        this.rotation = rotation;
        this.projection = projection;
        this.weight = weight;
        this.bias = bias;
        if (rotation != null && (rotation.dim() != width || rotation.rank() != rank)) {
            throw new IllegalArgumentException(type + ": rotation is " + rotation + ", expected d=" + width + ", rank=" + rank);
        }
        check("projection", projection, rank, width);
        check("weight", weight, rank, width);
        check("bias", bias, rank);
    }

    private void check(String name, Tensor t, int... shape) {
        if (t != null && !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(type + ": " + name + " has shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(shape) + " (rank " + rank + ", width " + width + ")");
        }
    }

    private static void checkSizes(String type, int width, int rank) {
        if (width < 1) throw new IllegalArgumentException(type + ": width must be >= 1, got " + width);
        if (rank < 1 || rank > width) throw new IllegalArgumentException(type + ": rank must be in [1, " + width + "], got " + rank);
    }

    /** U(-1/sqrt(w), 1/sqrt(w)) values that require grad: nn.Linear's default initialisation. */
    private static Tensor linearInit(Random rng, int width, int... shape) {
        float bound = (float) (1 / Math.sqrt(width));
        return Tensor.uniform(rng, -bound, bound, shape).requiresGrad(true);
    }

    /**
     * Freshly initialised parts, drawn from {@code rng} in pyreft's order: R random orthogonal
     * when {@code orthogonal} (else an unconstrained projection W2 with nn.Linear's
     * initialisation), then W when {@code hasWeight}, then b: nn.Linear's initialisation when
     * it is W's bias, {@code U(0, 1)} for the bias-only types.
     */
    static ReftParams random(String type, Random rng, int width, int rank, boolean orthogonal, boolean hasWeight) {
        checkSizes(type, width, rank);
        Orthogonal rotation = orthogonal ? Orthogonal.random(rng, width, rank) : null;
        Tensor projection = orthogonal ? null : linearInit(rng, width, rank, width);
        Tensor weight = hasWeight ? linearInit(rng, width, rank, width) : null;
        Tensor bias = hasWeight ? linearInit(rng, width, rank) : Tensor.uniform(rng, 0f, 1f, rank).requiresGrad(true);
        return new ReftParams(type, width, rank, rotation, projection, weight, bias);
    }

    /** Parts around an orthonormal R (R^T is {@code rotation.matrix()} [w, r]); {@code weight} may be null. */
    static ReftParams ofRotation(String type, Orthogonal rotation, Tensor weight, Tensor bias) {
        return new ReftParams(type, rotation.dim(), rotation.rank(), rotation, null, weight, bias);
    }

    /** Parts around an unconstrained projection W2 [r, w]. */
    static ReftParams ofProjection(String type, Tensor projection, Tensor weight, Tensor bias) {
        return new ReftParams(type, projection.size(1), projection.size(0), null, projection, weight, bias);
    }

    /** R^T [w, r], differentiable with respect to the rotation's weight. */
    Tensor rotationT() {
        return rotation.matrix();
    }

    /** Keeps only the subspace's components of {@code delta} [n, r] (subspace = indices in 0..r-1). */
    Tensor restrict(Tensor delta, int[] subspace) {
        if (subspace == null) return delta;
        return mul(delta, rankMask(subspace));
    }

    void checkRows(Tensor base) {
        if (base.dim() != 2 || base.size(1) != width) {
            throw new IllegalArgumentException(type + ": rows have shape " + Arrays.toString(base.shape()) + " but the intervention has width "
                    + width);
        }
    }

    private Tensor rankMask(int[] subspace) {
        Tensor m = Tensor.zeros(rank);
        float[] d = m.data();
        for (int i : subspace) {
            if (i < 0 || i >= rank) {
                throw new IndexOutOfBoundsException(type + ": subspace index " + i + " is beyond the rank " + rank
                        + " (a ReFT subspace picks rows of its rank-" + rank + " projection)");
            }
            d[i] = 1f;
        }
        return m;
    }

    Map<String, Tensor> parameters() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        if (rotation != null) {
            p.put("rotation.weight", rotation.weight());
            Tensor r0 = rotation.initialRotation();
            if (r0 != null) p.put("rotation.initial", r0);
        }
        if (projection != null) p.put("projection", projection);
        if (weight != null) p.put("weight", weight);
        if (bias != null) p.put("bias", bias);
        return p;
    }

    Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("width", width);
        c.put("rank", rank);
        return c;
    }

    /**
     * Rebuilds saved parts: {@code rotation.weight} [w, w] (and {@code rotation.initial} [w, w]
     * when training started from a random rotation), {@code projection}, {@code weight} [r, w],
     * {@code bias} [r]. Rebuilt tensors are trainable leaves. {@code orthogonal} and {@code hasWeight}
     * as in {@link #random}.
     */
    static ReftParams load(String type, Map<String, Object> config, Map<String, Tensor> params, boolean orthogonal,
                           boolean hasWeight) {
        ConfigReader r = new ConfigReader(type, config, params);
        r.checkType();
        int w = r.positiveInt("width");
        int k = r.positiveInt("rank");
        if (k > w) throw new IllegalArgumentException(type + ": config field 'rank' must be <= width " + w + ", got " + k);
        Orthogonal rotation = null;
        if (orthogonal) {
            Tensor weight = r.tensor("rotation.weight", w, w);
            Tensor initial = r.optionalTensor("rotation.initial", w, w);
            rotation = new Orthogonal(w, k, initial);
            try (GradMode off = GradMode.off()) { // the weight is a trainable leaf
                rotation.weight().copyFrom(weight);
            }
        }
        Tensor projection = orthogonal ? null :  r.tensor("projection", k, w).requiresGrad(true);
        Tensor weight = hasWeight ? r.tensor("weight", k, w).requiresGrad(true) : null;
        Tensor bias = r.tensor("bias", k).requiresGrad(true);
        return new ReftParams(type, w, k, rotation, projection, weight, bias);
    }
}
