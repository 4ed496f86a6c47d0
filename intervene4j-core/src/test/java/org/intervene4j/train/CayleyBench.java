package org.intervene4j.train;

import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;

/**
 * Timing of the Cayley rotation (not a unit test): run with
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.intervene4j.train.CayleyBench [d] [reps]}.
 */
public final class CayleyBench {
    private CayleyBench() {}

    public static void main(String[] args) {
        int d = args.length > 0 ? Integer.parseInt(args[0]) : 768;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Random rng = new Random(0);
        double[] m = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) m[i * d + j] = (i == j ? 1 : 0) + rng.nextGaussian() * 0.05;
        }
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            DoubleMatrices.invert(m, d);
            long t1 = System.nanoTime();
            DoubleMatrices.multiply(m, m, d, d, d);
            long t2 = System.nanoTime();
            System.out.printf("d=%d invert %.1f ms, multiply %.1f ms%n", d, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
        long q0 = System.nanoTime();
        Tensor r0 = RandomOrthogonal.sample(rng, d);
        System.out.printf("d=%d RandomOrthogonal (Householder QR) %.1f ms%n", d, (System.nanoTime() - q0) / 1e6);
        for (int rank : new int[] {d, Math.min(16, d)}) {
            Orthogonal rot = new Orthogonal(d, rank, r0);
            for (int r = 0; r < reps; r++) {
                try (GradMode off = GradMode.off()) {
                    rot.weight().copyFrom(Tensor.randn(rng, 0.01f, d, d));
                }
                try (Arena a = Arena.open()) {
                    Tensor seed = Tensor.randn(rng, 1f, d, rank);
                    long t0 = System.nanoTime();
                    Tensor rm = rot.matrix();
                    long t1 = System.nanoTime();
                    rm.backward(seed);
                    long t2 = System.nanoTime();
                    System.out.printf("d=%d rank=%d Orthogonal (with R0) forward %.1f ms, backward %.1f ms, ortho err %.3g%n",
                            d, rank, (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                            DoubleMatrices.orthonormalityError(toDouble(rm), d, rank));
                }
            }
        }
        int n = 1 << 22;
        Tensor p = Tensor.randn(rng, 1f, n).requiresGrad(true);
        Adam adam = Adam.of(1e-3, p);
        float[] g = Tensor.randn(rng, 1f, n).toFloatArray();
        Losses.setGrad(p, g);
        for (String mode : new String[] {"vector", "scalar", "vector", "scalar"}) {
            org.intervene4j.engine.kernel.KernelConfig.setVectorized(mode.equals("vector"));
            long t0 = System.nanoTime();
            for (int r = 0; r < 20; r++) adam.step();
            System.out.printf("Adam step on %d params (%s): %.2f ms%n", n, mode, (System.nanoTime() - t0) / 20 / 1e6);
        }
        org.intervene4j.engine.kernel.KernelConfig.setVectorized(true);
        int small = 32;
        Orthogonal s = Orthogonal.identity(small);
        Adam opt = Adam.of(0.01, s.weight());
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int step = 0; step < 1000; step++) {
                opt.zeroGrad();
                s.matrix().backward(Tensor.randn(rng, 1f, small, small));
                opt.step();
            }
            System.out.printf("d=32: 1000 Adam steps %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        }
    }

    private static double[] toDouble(Tensor t) {
        float[] f = t.toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }
}
