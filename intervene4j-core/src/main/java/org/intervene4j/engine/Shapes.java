package org.intervene4j.engine;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and ops: element counts, strides, broadcasting. */
public final class Shapes {
    private Shapes() {}

    /** Number of elements of a shape (1 for a scalar shape {@code []}). */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Broadcast of two shapes by numpy rules, or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("op '" + op + "': cannot broadcast shapes "
                        + str(a) + " and " + str(b) + " (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides that read a tensor of shape {@code shape}/{@code strides} as if it had the larger
     * broadcast shape {@code target}: broadcast dimensions get stride 0.
     */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int shift = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            out[i + shift] = shape[i] == 1 && target[i + shift] != 1 ? 0 : strides[i];
        }
        return out;
    }

    /** A dimension index with negatives counted from the end, checked against the rank. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException(
                    "op '" + op + "': dimension " + dim + " out of range for a tensor of rank " + rank);
        }
        return d;
    }

    /** The shape in the form {@code [2, 3, 4]}. */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** True when both shapes are equal. */
    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }
}
