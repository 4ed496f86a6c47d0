package org.intervene4j.causal.task;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.causal.CausalModel;
import org.intervene4j.causal.CounterfactualSampler;
import org.intervene4j.causal.ValueSet;
import org.intervene4j.engine.Tensor;

/**
 * The hierarchical equality task of the DAS paper: inputs W, X, Y, Z are objects;
 * {@code WX = (W == X)}, {@code YZ = (Y == Z)}, output {@code O = (WX == YZ)}.
 *
 * <p>Objects come from a finite table of {@code objects} random vectors of size {@code dim},
 * each coordinate uniform in [-1, 1), drawn once from the seed (the paper draws fresh vectors;
 * a fixed table keeps equality exact and the network small). A network sees an input as the
 * four vectors concatenated, {@code [4 * dim]}.
 *
 * <pre>{@code
 * HierarchicalEquality task = new HierarchicalEquality(100, 4, new Random(0));
 * EqualityInput in = task.sample(rng);                 // WX and YZ each true half the time
 * Tensor x = task.encode(List.of(in));                 // [1, 16]
 * task.causalModel().predict(task.inputs(in));         // in.label()
 * List<CounterfactualPair<EqualityInput>> pairs = task.sampler().sample(1000, rng);
 * }</pre>
 */
public final class HierarchicalEquality {
    public static final String W = "W";
    public static final String X = "X";
    public static final String Y = "Y";
    public static final String Z = "Z";
    public static final String WX = "WX";
    public static final String YZ = "YZ";
    public static final String O = "O";

    private final int objects;
    private final int dim;
    private final float[][] vectors; // [objects][dim]
    private final CausalModel model;

    /**
     * @param objects number of distinct objects (>= 2)
     * @param dim     size of each object's vector (>= 1)
     * @param rng     draws the object vectors
     */
    public HierarchicalEquality(int objects, int dim, Random rng) {
        if (objects < 2) throw new IllegalArgumentException("hierarchical equality: objects must be >= 2, got " + objects);
        if (dim < 1) throw new IllegalArgumentException("hierarchical equality: dim must be >= 1, got " + dim);
        this.objects = objects;
        this.dim = dim;
        this.vectors = new float[objects][dim];
        for (float[] v : vectors) for (int i = 0; i < dim; i++) v[i] = rng.nextFloat() * 2 - 1;
        ValueSet ids = ValueSet.intRange(0, objects - 1);
        this.model = CausalModel.builder("hierarchical equality")
                .input(W, ids).input(X, ids).input(Y, ids).input(Z, ids)
                .variable(WX, ValueSet.booleans(), p -> p.getInt(W) == p.getInt(X), W, X)
                .variable(YZ, ValueSet.booleans(), p -> p.getInt(Y) == p.getInt(Z), Y, Z)
                .variable(O, ValueSet.booleans(), p -> p.getBoolean(WX) == p.getBoolean(YZ), WX, YZ)
                .output(O)
                .build();
    }

    /** The causal model: inputs W, X, Y, Z (object indices), WX, YZ, output O. */
    public CausalModel causalModel() {
        return model;
    }

    /** The model's input variables for {@code in}. */
    public Map<String, Object> inputs(EqualityInput in) {
        return Map.of(W, in.w(), X, in.x(), Y, in.y(), Z, in.z());
    }

    /**
     * An input with WX and YZ each true with probability 1/2, independently (so O is balanced):
     * X is W or, uniformly, one of the other objects; likewise Z for Y.
     */
    public EqualityInput sample(Random rng) {
        int w = rng.nextInt(objects);
        int y = rng.nextInt(objects);
        return new EqualityInput(w, partner(w, rng), y, partner(y, rng));
    }

    private int partner(int first, Random rng) {
        if (rng.nextBoolean()) return first;
        int other = rng.nextInt(objects - 1);
        return other >= first ? other + 1 : other;
    }

    /**
     * Balanced counterfactual pairs over the three interventions the DAS paper trains with:
     * index 0 = WX alone, 1 = YZ alone, 2 = WX and YZ together.
     */
    public CounterfactualSampler<EqualityInput> sampler() {
        return CounterfactualSampler.builder(model, this::inputs, this::sample)
                .intervention(WX).intervention(YZ).intervention(WX, YZ).build();
    }

    /** The network input of each example: W, X, Y, Z vectors concatenated, {@code [n, 4 * dim]}. */
    public Tensor encode(List<EqualityInput> inputs) {
        float[] data = new float[inputs.size() * 4 * dim];
        for (int n = 0; n < inputs.size(); n++) {
            EqualityInput in = inputs.get(n);
            int at = n * 4 * dim;
            for (int obj : new int[] {in.w(), in.x(), in.y(), in.z()}) {
                check(obj);
                System.arraycopy(vectors[obj], 0, data, at, dim);
                at += dim;
            }
        }
        return Tensor.of(data, inputs.size(), 4 * dim);
    }

    /** A copy of object {@code id}'s vector. */
    public float[] vector(int id) {
        check(id);
        return vectors[id].clone();
    }

    private void check(int id) {
        if (id < 0 || id >= objects) throw new IllegalArgumentException("hierarchical equality: object " + id + " outside 0.." + (objects - 1));
    }

    public int objects() {
        return objects;
    }

    public int dim() {
        return dim;
    }

    /** {@code 4 * dim}. */
    public int inputWidth() {
        return 4 * dim;
    }
}
