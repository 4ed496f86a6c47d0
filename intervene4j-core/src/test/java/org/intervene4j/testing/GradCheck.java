package org.intervene4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.Function;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;

/**
 * Central finite-difference check of an op's backward. The scalar probed is
 * {@code L = sum(f(inputs) * W)} for a fixed random W (accumulated in double), so every output
 * element's gradient path is exercised with a distinct weight.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Checks every element (up to {@code maxPerInput} random ones) of every input that requires grad. */
    public static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(what, 1e-2, 1e-2, 2e-3, 64, f, inputs);
    }

    public static void check(String what, double h, double rtol, double atol, int maxPerInput,
                             Function<Tensor[], Tensor> f, Tensor... inputs) {
        Random rng = new Random(1234);
        Tensor out = f.apply(inputs);
        float[] w = new float[out.numel()];
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        Tensor weights = Tensor.of(w, out.shape());
        for (Tensor in : inputs) if (in.requiresGrad()) in.zeroGrad();
        out.backward(weights);
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (!in.requiresGrad()) continue;
            assertThat(in.grad()).as("%s: gradient of input %d", what, k).isNotNull();
            float[] analytic = in.grad().toFloatArray();
            int n = in.numel();
            int probes = Math.min(n, maxPerInput);
            for (int s = 0; s < probes; s++) {
                int flat = probes == n ? s : rng.nextInt(n);
                int[] idx = unflatten(flat, in.shape());
                float orig = in.get(idx);
                double plus;
                double minus;
                try (GradMode off = GradMode.off()) {
                    in.set((float) (orig + h), idx);
                    plus = weightedSum(f.apply(inputs), w);
                    in.set((float) (orig - h), idx);
                    minus = weightedSum(f.apply(inputs), w);
                    in.set(orig, idx);
                }
                double numeric = (plus - minus) / (2 * h);
                double a = analytic[flat];
                double tol = atol + rtol * Math.max(Math.abs(a), Math.abs(numeric));
                assertThat(Math.abs(a - numeric))
                        .as("%s: d/d input%d%s analytic %.6g vs numeric %.6g", what, k,
                                java.util.Arrays.toString(idx), a, numeric)
                        .isLessThanOrEqualTo(tol);
            }
        }
    }

    private static double weightedSum(Tensor t, float[] w) {
        float[] v = t.toFloatArray();
        double s = 0;
        for (int i = 0; i < v.length; i++) s += (double) v[i] * w[i];
        return s;
    }

    private static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
