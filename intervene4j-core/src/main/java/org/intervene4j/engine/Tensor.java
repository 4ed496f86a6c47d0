package org.intervene4j.engine;

import java.util.Arrays;
import java.util.Random;

/**
 * An fp32 tensor: a row-major view ({@code offset}, {@code shape}, {@code strides}) of a float
 * array. Views (reshape, transpose, permute, narrow, select, unsqueeze, expand) share the array
 * and record themselves for autograd; ops live in {@link Ops}.
 *
 * <p>Autograd: a tensor that {@link #requiresGrad()} and was made by an op carries a
 * {@link GradNode}; {@link #backward()} walks those nodes in reverse. Leaves (made by the user)
 * accumulate their gradient in {@link #grad()}; frozen tensors never get one.
 */
public final class Tensor {
    final float[] data;
    final int offset;
    final int[] shape;
    final int[] strides;
    /** The arena whose buffer this tensor views, or null when the array is owned by the GC. */
    final Arena arena;

    private boolean requiresGrad;
    GradNode gradFn;
    private Tensor grad;
    private boolean retainGrad;
    /** Name of the op that made this tensor ("leaf" for user-made tensors), for messages. */
    String op = "leaf";

    Tensor(float[] data, int offset, int[] shape, int[] strides, Arena arena) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.arena = arena;
    }

    // ---------------------------------------------------------------- creation

    /** A new contiguous tensor, zero-filled; in the current {@link Arena} if one is open. */
    public static Tensor zeros(int... shape) {
        int[] s = shape.clone();
        int n = Shapes.numel(s);
        Arena a = Arena.current();
        return new Tensor(Arena.allocate(n, true), 0, s, Shapes.contiguousStrides(s), n < 64 ? null : a);
    }

    /**
     * A new contiguous tensor whose contents are arbitrary (ops that overwrite every element
     * use this to skip zero-filling a recycled buffer).
     */
    public static Tensor empty(int... shape) {
        int[] s = shape.clone();
        int n = Shapes.numel(s);
        Arena a = Arena.current();
        return new Tensor(Arena.allocate(n, false), 0, s, Shapes.contiguousStrides(s), n < 64 ? null : a);
    }

    /** A new tensor outside any arena (parameters, gradients, optimizer state). */
    public static Tensor zerosPersistent(int... shape) {
        int[] s = shape.clone();
        return new Tensor(new float[Shapes.numel(s)], 0, s, Shapes.contiguousStrides(s), null);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = empty(shape);
        Arrays.fill(t.data, 0, t.numel(), value);
        return t;
    }

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, 0, new int[0], new int[0], null);
    }

    /** Wraps {@code data} (no copy) as a contiguous tensor of {@code shape}. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        if (Shapes.numel(s) != data.length) {
            throw new IllegalArgumentException("Tensor.of: " + data.length + " values cannot have shape "
                    + Shapes.str(s) + " (" + Shapes.numel(s) + " elements)");
        }
        return new Tensor(data, 0, s, Shapes.contiguousStrides(s), null);
    }

    /** Copies a 2-d array into a new {@code [rows, cols]} tensor. */
    public static Tensor of(float[][] rows) {
        int r = rows.length;
        int c = r == 0 ? 0 : rows[0].length;
        float[] d = new float[r * c];
        for (int i = 0; i < r; i++) {
            if (rows[i].length != c) {
                throw new IllegalArgumentException("Tensor.of: row " + i + " has " + rows[i].length
                        + " values, row 0 has " + c);
            }
            System.arraycopy(rows[i], 0, d, i * c, c);
        }
        return of(d, r, c);
    }

    /** Standard normal values scaled by {@code std}, reproducible from {@code rng}. */
    public static Tensor randn(Random rng, float std, int... shape) {
        Tensor t = zerosPersistent(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (rng.nextGaussian() * std);
        return t;
    }

    /** Uniform values in {@code [lo, hi)}, reproducible from {@code rng}. */
    public static Tensor uniform(Random rng, float lo, float hi, int... shape) {
        Tensor t = zerosPersistent(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * rng.nextFloat();
        return t;
    }

    /** {@code [0, 1, ..., n-1]} as floats. */
    public static Tensor arange(int n) {
        Tensor t = zerosPersistent(n);
        for (int i = 0; i < n; i++) t.data[i] = i;
        return t;
    }

    // ---------------------------------------------------------------- metadata

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** A copy of the strides (in elements). */
    public int[] strides() {
        return strides.clone();
    }

    /** Size of dimension {@code d}; negative counts from the end. */
    public int size(int d) {
        return shape[Shapes.dim("size", d, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    /** True when the elements are laid out row-major without gaps from {@link #offset()}. */
    public boolean isContiguous() {
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) return false;
            s *= shape[i];
        }
        return true;
    }

    /** Raw backing array; kernels index it with {@link #offset()} and {@link #strides()}. */
    public float[] data() {
        checkAlive("data");
        return data;
    }

    public int offset() {
        return offset;
    }

    /** Name of the op that produced this tensor ("leaf" for tensors the user made). */
    public String op() {
        return op;
    }

    // ---------------------------------------------------------------- element access

    /** The value of a one-element tensor. */
    public float item() {
        checkAlive("item");
        if (numel() != 1) {
            throw new IllegalArgumentException("item(): tensor has shape " + Shapes.str(shape) + ", not one element");
        }
        return data[offset];
    }

    /** The element at {@code index} (one index per dimension). */
    public float get(int... index) {
        return data[flatIndex("get", index)];
    }

    /** Sets the element at {@code index}; only allowed on tensors outside the autograd graph. */
    public void set(float value, int... index) {
        checkMutable("set");
        data[flatIndex("set", index)] = value;
    }

    private int flatIndex(String what, int[] index) {
        checkAlive(what);
        if (index.length != shape.length) {
            throw new IllegalArgumentException(what + ": " + index.length + " indices for a tensor of shape " + Shapes.str(shape));
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(what + ": index " + Arrays.toString(index)
                        + " out of range for shape " + Shapes.str(shape));
            }
            p += index[i] * strides[i];
        }
        return p;
    }

    /** The elements in row-major order, as a new array. */
    public float[] toFloatArray() {
        checkAlive("toFloatArray");
        float[] out = new float[numel()];
        Strided.copy(shape, out, 0, Shapes.contiguousStrides(shape), data, offset, strides);
        return out;
    }

    /**
     * Writes the elements in row-major order into {@code out[0 .. numel)} (an array the caller
     * reuses, where {@link #toFloatArray} would allocate one).
     */
    public void copyTo(float[] out) {
        checkAlive("copyTo");
        if (out.length < numel()) {
            throw new IllegalArgumentException("copyTo: " + out.length + " floats for a tensor of shape " + Shapes.str(shape));
        }
        Strided.copy(shape, out, 0, Shapes.contiguousStrides(shape), data, offset, strides);
    }

    /** Copies {@code src} (same shape) into this tensor's elements, in place, without autograd. */
    public Tensor copyFrom(Tensor src) {
        checkMutable("copyFrom");
        src.checkAlive("copyFrom");
        if (!Shapes.same(shape, src.shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shapes.str(src.shape)
                    + " differs from destination shape " + Shapes.str(shape));
        }
        Strided.copy(shape, data, offset, strides, src.data, src.offset, src.strides);
        return this;
    }

    /** Fills every element with {@code value}, in place, without autograd. */
    public Tensor fill(float value) {
        checkMutable("fill");
        if (isContiguous()) {
            Arrays.fill(data, offset, offset + numel(), value);
        } else {
            copyFrom(full(value, shape));
        }
        return this;
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as trainable (or frozen). Tensors made by ops cannot be changed. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can change requiresGrad; this one was made by '"
                    + op + "' (use detach() first)");
        }
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf (or of a tensor that {@link #retainGrad() retains} it), or null. */
    public Tensor grad() {
        return grad;
    }

    void markRequiresGrad() {
        requiresGrad = true;
    }

    void setGrad(Tensor g) {
        grad = g;
    }

    /** Keeps this non-leaf tensor's gradient after backward (attribution methods read it). */
    public Tensor retainGrad() {
        retainGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainGrad;
    }

    /** Zeroes the accumulated gradient in place (keeps its buffer). */
    public void zeroGrad() {
        if (grad != null) grad.fill(0f);
    }

    /**
     * Forgets the gradient (sets it to null): an optimizer then skips this tensor until a
     * backward reaches it again, unlike a zeroed gradient, which still moves momentum.
     */
    public void clearGrad() {
        grad = null;
    }

    /** The op node that made this tensor, or null for leaves and tensors outside the graph. */
    public GradNode gradFn() {
        return gradFn;
    }

    /** The same values, cut from the graph: a leaf that does not require grad. */
    public Tensor detach() {
        Tensor t = new Tensor(data, offset, shape, strides, arena);
        t.op = op;
        return t;
    }

    /** Back-propagates from this one-element tensor. */
    public void backward() {
        Autograd.backward(this, null);
    }

    /** Back-propagates from this tensor with {@code seed} = d(loss)/d(this). */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed);
    }

    /**
     * A copy that lives outside any arena and outside the graph, so it survives the arena's
     * close (results of a training step that the caller keeps).
     */
    public Tensor persist() {
        checkAlive("persist");
        Tensor t = zerosPersistent(shape);
        Strided.copy(shape, t.data, 0, t.strides, data, offset, strides);
        return t;
    }

    // ---------------------------------------------------------------- views

    /**
     * The same elements with a new shape (one dimension may be -1). A view when the layout
     * allows it, otherwise a contiguous copy.
     */
    public Tensor reshape(int... newShape) {
        checkAlive("reshape");
        int[] s = inferShape(newShape);
        if (Shapes.same(s, shape)) return this;
        Tensor src = isContiguous() ? this : contiguous();
        Tensor out = new Tensor(src.data, src.offset, s, Shapes.contiguousStrides(s), src.arena);
        int[] inShape = shape;
        return Graph.record("reshape", out, (g, needs) -> new Tensor[] {g.reshape(inShape)}, this);
    }

    private int[] inferShape(int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shapes.str(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: negative size in " + Shapes.str(newShape));
            } else {
                known *= s[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.str(shape) + " into " + Shapes.str(newShape));
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.str(shape) + " (" + n
                    + " elements) into " + Shapes.str(newShape) + " (" + known + " elements)");
        }
        return s;
    }

    /** A contiguous tensor with the same values (this tensor itself when already contiguous). */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        Tensor out = contiguousCopyNoGrad();
        return Graph.record("contiguous", out, (g, needs) -> new Tensor[] {g}, this);
    }

    Tensor contiguousCopyNoGrad() {
        checkAlive("contiguous");
        Tensor out = empty(shape);
        Strided.copy(shape, out.data, 0, out.strides, data, offset, strides);
        return out;
    }

    /** Swaps two dimensions (a view). */
    public Tensor transpose(int d0, int d1) {
        int a = Shapes.dim("transpose", d0, shape.length);
        int b = Shapes.dim("transpose", d1, shape.length);
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** Reorders dimensions: output dimension i is input dimension {@code perm[i]} (a view). */
    public Tensor permute(int... perm) {
        checkAlive("permute");
        if (perm.length != shape.length) {
            throw new IllegalArgumentException("permute: " + perm.length + " dimensions given for a tensor of shape " + Shapes.str(shape));
        }
        int[] s = new int[perm.length];
        int[] st = new int[perm.length];
        int[] inverse = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shapes.dim("permute", perm[i], perm.length);
            if (seen[p]) throw new IllegalArgumentException("permute: dimension " + p + " repeated in " + Arrays.toString(perm));
            seen[p] = true;
            s[i] = shape[p];
            st[i] = strides[p];
            inverse[p] = i;
        }
        Tensor out = new Tensor(data, offset, s, st, arena);
        return Graph.record("permute", out, (g, needs) -> new Tensor[] {g.permute(inverse)}, this);
    }

    /** Elements {@code [start, start + length)} of dimension {@code dim} (a view). */
    public Tensor narrow(int dim, int start, int length) {
        checkAlive("narrow");
        int d = Shapes.dim("narrow", dim, shape.length);
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow: range [" + start + ", " + (start + length)
                    + ") out of bounds for dimension " + d + " of shape " + Shapes.str(shape));
        }
        int[] s = shape.clone();
        s[d] = length;
        Tensor out = new Tensor(data, offset + start * strides[d], s, strides, arena);
        return Graph.recordRegion("narrow", out, full -> full.narrowNoGrad(d, start, length), this);
    }

    /** Elements {@code [start, end)} of dimension {@code dim} (a view). */
    public Tensor slice(int dim, int start, int end) {
        return narrow(dim, start, end - start);
    }

    /** Index {@code index} of dimension {@code dim}, removing that dimension (a view). */
    public Tensor select(int dim, int index) {
        checkAlive("select");
        int d = Shapes.dim("select", dim, shape.length);
        if (index < 0 || index >= shape[d]) {
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for dimension "
                    + d + " of shape " + Shapes.str(shape));
        }
        int[] s = new int[shape.length - 1];
        int[] st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            s[j] = shape[i];
            st[j++] = strides[i];
        }
        Tensor out = new Tensor(data, offset + index * strides[d], s, st, arena);
        return Graph.recordRegion("select", out, full -> full.selectNoGrad(d, index), this);
    }

    /** Inserts a dimension of size 1 at {@code dim} (a view). */
    public Tensor unsqueeze(int dim) {
        int d = Shapes.dim("unsqueeze", dim, shape.length + 1);
        int[] s = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == d ? 1 : shape[j++];
        return reshape(s);
    }

    /** Removes dimension {@code dim}, which must have size 1 (a view). */
    public Tensor squeeze(int dim) {
        int d = Shapes.dim("squeeze", dim, shape.length);
        if (shape[d] != 1) {
            throw new IllegalArgumentException("squeeze: dimension " + d + " of shape " + Shapes.str(shape) + " is not 1");
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) s[j++] = shape[i];
        return reshape(s);
    }

    /** Repeats size-1 dimensions to {@code target} without copying (stride 0); a view. */
    public Tensor expand(int... target) {
        checkAlive("expand");
        int[] full = Shapes.broadcast("expand", shape, target);
        if (!Shapes.same(full, target)) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.str(shape) + " to " + Shapes.str(target));
        }
        int[] st = Shapes.broadcastStrides(shape, strides, target);
        Tensor out = new Tensor(data, offset, target.clone(), st, arena);
        int[] inShape = shape;
        return Graph.record("expand", out, (g, needs) -> new Tensor[] {sumTo(g, inShape)}, this);
    }

    /** Sums {@code g} over the dimensions broadcast from {@code shape} (gradient of broadcasting). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        if (Shapes.same(g.shape, shape)) return g;
        Tensor out = zeros(shape);
        int[] st = Shapes.broadcastStrides(shape, out.strides, g.shape);
        Strided.accumulate(g.shape, out.data, 0, st, g.data, g.offset, g.strides);
        return out;
    }

    Tensor narrowNoGrad(int d, int start, int length) {
        int[] s = shape.clone();
        s[d] = length;
        return new Tensor(data, offset + start * strides[d], s, strides, arena);
    }

    Tensor selectNoGrad(int d, int index) {
        int[] s = new int[shape.length - 1];
        int[] st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            s[j] = shape[i];
            st[j++] = strides[i];
        }
        return new Tensor(data, offset + index * strides[d], s, st, arena);
    }

    /** Adds {@code src} (broadcastable to this shape) into this tensor, in place, without autograd. */
    void accumulateNoGrad(Tensor src) {
        int[] st = Shapes.broadcastStrides(src.shape, src.strides, shape);
        Strided.accumulate(shape, data, offset, strides, src.data, src.offset, st);
    }

    // ---------------------------------------------------------------- checks

    /** Throws when this tensor's arena has closed (its buffer may now belong to another tensor). */
    public void checkAlive(String what) {
        if (arena != null && arena.isClosed()) {
            throw new IllegalStateException(what + ": tensor " + Shapes.str(shape) + " made by '" + op
                    + "' was used after its Arena closed; call persist() on results kept beyond the step");
        }
    }

    private void checkMutable(String what) {
        checkAlive(what);
        if (gradFn != null || (requiresGrad && GradMode.enabled())) {
            throw new IllegalStateException(what + ": cannot modify tensor " + Shapes.str(shape)
                    + " in place while it is part of an autograd graph (made by '" + op
                    + "'); update trainable leaves inside GradMode.off()");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shapes.str(shape));
        if (requiresGrad) sb.append(" requiresGrad");
        if (!"leaf".equals(op)) sb.append(" op=").append(op);
        if (arena != null && arena.isClosed()) return sb.append(" <arena closed>").toString();
        int n = numel();
        float[] v = n <= 8 ? toFloatArray() : Arrays.copyOf(toFloatArray(), 8);
        sb.append(' ').append(Arrays.toString(v));
        if (n > 8) sb.setLength(sb.length() - 1);
        if (n > 8) sb.append(", ...]");
        return sb.toString();
    }
}
