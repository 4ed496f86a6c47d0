package org.intervene4j.bench.torch;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Small bridges between Java arrays and libtorch tensors (JavaCPP presets). Tensors made
 * outside a {@link org.bytedeco.javacpp.PointerScope} live until the process ends, which is
 * what we want for weights; per-step tensors must be made inside a scope.
 */
public final class TorchSupport {
    private TorchSupport() {}

    /** A new fp32 libtorch tensor holding a copy of {@code data}, shaped {@code shape}. */
    public static Tensor fromArray(float[] data, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        if (n != data.length) {
            throw new IllegalArgumentException("fromArray: " + data.length + " values cannot have shape "
                    + java.util.Arrays.toString(shape));
        }
        return torch.tensor(data).reshape(shape);
    }

    /** The values of {@code t} in row-major order. */
    public static float[] toArray(Tensor t) {
        Tensor c = t.contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        FloatPointer p = c.data_ptr_float();
        p.get(out);
        return out;
    }

    /**
     * Sets libtorch's intra-op thread count ({@code at::set_num_threads}) and the thread count of
     * the OpenBLAS library its fp32 matmul calls. The second matters: this libtorch build uses
     * OpenBLAS ({@code BLAS_INFO=open}), whose own pthread pool ignores {@code at::set_num_threads}
     * and defaults to one thread per core, so without it a "1-thread" libtorch matmul runs on 2.
     */
    public static void setThreads(int n) {
        torch.set_num_threads(n);
        openblas_nolapack.blas_set_num_threads(n);
    }

    /** libtorch's current intra-op thread count. */
    public static int threads() {
        return torch.get_num_threads();
    }

    /** OpenBLAS's current thread count (-1 until set, then what {@link #setThreads} gave). */
    public static int blasThreads() {
        return openblas_nolapack.blas_get_num_threads();
    }

    /**
     * Which OpenBLAS kernels libtorch's matmul runs: the {@code OPENBLAS_CORETYPE} override, or
     * "auto" (OpenBLAS 0.3.31 detects Zen 5 as "Cooperlake", AVX-512; an override of "Haswell"
     * runs AVX2 kernels at about half that GEMM speed).
     */
    public static String blasDescription() {
        String core = System.getenv("OPENBLAS_CORETYPE");
        return "OpenBLAS 0.3.31, OPENBLAS_CORETYPE=" + (core == null || core.isBlank() ? "auto" : core);
    }
}
