package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Supplier;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.KernelConfig;

/** Comparison helpers for the row-op tests: float results against float64 references. */
final class RowRef {
    private RowRef() {}

    /** Max of |got - want| / max(1, |want|) (relative for large values, absolute near zero). */
    static double maxErr(float[] got, double[] want) {
        assertThat(got).hasSize(want.length);
        double m = 0;
        for (int i = 0; i < got.length; i++) {
            double e = Math.abs(got[i] - want[i]) / Math.max(1.0, Math.abs(want[i]));
            if (Double.isNaN(e)) return Double.POSITIVE_INFINITY;
            m = Math.max(m, e);
        }
        return m;
    }

    /** Asserts the max error is within tol and reports it (collected for the engine's error table). */
    static void assertClose(String what, Tensor got, double[] want, double tol) {
        double e = maxErr(got.toFloatArray(), want);
        System.out.printf("[maxerr] %s: %.3g%n", what, e);
        assertThat(e).as("%s: max error vs float64 reference", what).isLessThanOrEqualTo(tol);
    }

    /** Runs f with the scalar kernels, then the vector kernels, and returns {scalar, vector}. */
    static float[][] scalarAndVector(Supplier<Tensor> f) {
        boolean was = KernelConfig.vectorized();
        try {
            KernelConfig.setVectorized(false);
            float[] s = f.get().toFloatArray();
            KernelConfig.setVectorized(true);
            float[] v = f.get().toFloatArray();
            return new float[][] {s, v};
        } finally {
            KernelConfig.setVectorized(was);
        }
    }

    /** Asserts scalar and vector results agree within 1e-5 relative (absolute near zero). */
    static void assertKernelsAgree(String what, Supplier<Tensor> f) {
        float[][] sv = scalarAndVector(f);
        double m = 0;
        for (int i = 0; i < sv[0].length; i++) {
            double e = Math.abs(sv[0][i] - sv[1][i]) / Math.max(1.0, Math.abs(sv[0][i]));
            m = Math.max(m, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
        }
        System.out.printf("[vec-vs-scalar] %s: %.3g%n", what, m);
        assertThat(m).as("%s: vector vs scalar kernels", what).isLessThanOrEqualTo(1e-5);
    }

    static double[] doubles(Tensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
