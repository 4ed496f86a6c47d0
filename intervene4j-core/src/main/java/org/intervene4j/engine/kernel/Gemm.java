package org.intervene4j.engine.kernel;

/**
 * Single-precision matrix multiply on strided operands: {@code C = A B} or {@code C += A B}.
 * Element (i, p) of A is {@code a[aOff + i * aRow + p * aCol]}, so a transposed operand is just
 * swapped strides; packing makes every layout and every size run through the same blocked
 * kernel. Dispatches to the vectorized or scalar implementation per {@link KernelConfig}.
 */
public final class Gemm {
    /**
     * Products with fewer multiply-adds than this skip packing: the scalar loop is faster than
     * setting up blocked kernels for them.
     */
    static final long SMALL_PRODUCT = 4096;

    private Gemm() {}

    /**
     * {@code C[m, n] (+)= A[m, k] * B[k, n]}.
     *
     * @param accumulate add into C when true, overwrite C when false
     * @param ldc        row stride of C (C's columns are contiguous)
     */
    public static void multiply(int m, int n, int k,
                                float[] a, int aOff, int aRow, int aCol,
                                float[] b, int bOff, int bRow, int bCol,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("Gemm.multiply: negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        if (!KernelConfig.vectorized() || (long) m * n * k < SMALL_PRODUCT) {
            ScalarGemm.multiply(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
        } else {
            VectorGemm.multiply(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, ldc, accumulate);
        }
    }

    /**
     * {@code C[m, n] (+)= A[m, k] * B} with B prepacked ({@code k = b.k()}, {@code n = b.n()}):
     * the same product as {@link #multiply(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean)}
     * without packing B.
     */
    public static void multiply(int m, float[] a, int aOff, int aRow, int aCol, PackedPanels b,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        multiply(m, a, aOff, aRow, aCol, b, null, 0, c, cOff, ldc, accumulate);
    }

    /**
     * {@code C = A B + bias} (bias {@code [n]} at {@code bias[biasOff]}, added to every row), or,
     * with accumulate, {@code C += A B} (bias then unused), B prepacked: a linear layer's forward.
     * The bias joins each C tile as the kernel stores it, so C is written once instead of filled
     * with the bias first and then read back; each element is {@code (A B)_ij + bias_j}, the same
     * bits as that fill-then-accumulate order. bias may be null.
     */
    public static void multiply(int m, float[] a, int aOff, int aRow, int aCol, PackedPanels b, float[] bias, int biasOff,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        if (m < 0) throw new IllegalArgumentException("Gemm.multiply: negative size m=" + m);
        if (m == 0) return;
        int n = b.n();
        int k = b.k();
        float[] rowBias = accumulate ? null : bias;
        if (!KernelConfig.vectorized() || b.width() != PackedPanels.WIDTH || (long) m * n * k < SMALL_PRODUCT) {
            ScalarGemm.multiply(m, a, aOff, aRow, aCol, b, c, cOff, ldc, accumulate, rowBias, biasOff);
        } else {
            VectorPrepackedGemm.multiply(m, a, aOff, aRow, aCol, b, c, cOff, ldc, accumulate, rowBias, biasOff);
        }
    }

    /**
     * A batch of independent products of equal sizes: product t reads A at {@code aOffs[t]}, B
     * at {@code bOffs[t]} and writes C at {@code cOffs[t]} (strides shared). Small products
     * run in parallel over the batch; large ones run one after another, each parallel inside.
     * Two products must not write the same C unless the batch is run sequentially, so
     * {@code cOffs} must be distinct.
     */
    public static void multiplyBatched(int batch, int m, int n, int k,
                                       float[] a, int[] aOffs, int aRow, int aCol,
                                       float[] b, int[] bOffs, int bRow, int bCol,
                                       float[] c, int[] cOffs, int ldc, boolean accumulate) {
        if (batch <= 0) return;
        long work = (long) m * n * k;
        if (work >= (1L << 20) || batch == 1) {
            for (int t = 0; t < batch; t++) {
                multiply(m, n, k, a, aOffs[t], aRow, aCol, b, bOffs[t], bRow, bCol, c, cOffs[t], ldc, accumulate);
            }
            return;
        }
        WorkerPool.global().parallelFor(batch, Math.max(work, 1), (from, to) -> {
            for (int t = from; t < to; t++) {
                multiply(m, n, k, a, aOffs[t], aRow, aCol, b, bOffs[t], bRow, bCol, c, cOffs[t], ldc, accumulate);
            }
        });
    }
}
