package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;

/**
 * Random broadcast pairs: rank 0..4, sizes 1..5, each operand with random dimensions set to 1
 * or leading dimensions dropped. Forward values and both gradients are checked against an
 * element-by-element float64 reference.
 */
class BroadcastPropertyTest {

    private static final String[] OPS = {"add", "sub", "mul", "div"};

    /** A random full shape, and a broadcastable version of it (dims set to 1, leading dims dropped). */
    private static int[][] pair(Random rng) {
        int rank = rng.nextInt(5);
        int[] full = new int[rank];
        for (int d = 0; d < rank; d++) full[d] = 1 + rng.nextInt(5);
        return new int[][] {degrade(full, rng), degrade(full, rng)};
    }

    private static int[] degrade(int[] full, Random rng) {
        int drop = rng.nextInt(full.length + 1) / 2 * (rng.nextBoolean() ? 1 : 0);
        int[] s = java.util.Arrays.copyOfRange(full, drop, full.length);
        for (int d = 0; d < s.length; d++) if (rng.nextInt(3) == 0) s[d] = 1;
        return s;
    }

    @Property(tries = 150)
    void binaryOpsMatchFloat64ForwardAndBackward(@ForAll @IntRange(min = 0, max = 3) int opIndex,
                                                 @ForAll long seed) {
        String name = OPS[opIndex];
        Random rng = new Random(seed);
        int[][] shapes = pair(rng);
        Tensor a = BinaryOpsTest.nonZero(rng, shapes[0]).requiresGrad(true);
        Tensor b = BinaryOpsTest.nonZero(rng, shapes[1]).requiresGrad(true);
        Tensor out = BinaryOpsTest.op(name).apply(a, b);
        int[] shape = Shapes.broadcast("ref", shapes[0], shapes[1]);
        assertThat(out.shape()).isEqualTo(shape);

        double[] expected = BinaryOpsTest.broadcastReference(a, b, BinaryOpsTest.ref(name));
        float[] got = out.toFloatArray();
        for (int i = 0; i < got.length; i++) {
            Reference.assertClose(name + " " + Shapes.str(shapes[0]) + " " + Shapes.str(shapes[1]), got[i], expected[i], 6e-8, 0);
        }

        Tensor w = Tensor.randn(rng, 1f, shape);
        out.backward(w);
        double[] ga = new double[a.numel()];
        double[] gb = new double[b.numel()];
        referenceGradients(name, a, b, w, shape, ga, gb);
        assertThat(a.grad().shape()).isEqualTo(a.shape());
        assertThat(b.grad().shape()).isEqualTo(b.shape());
        float[] da = a.grad().toFloatArray();
        float[] db = b.grad().toFloatArray();
        for (int i = 0; i < ga.length; i++) Reference.assertClose(name + " grad a [" + i + "]", da[i], ga[i], 1e-5, 1e-6);
        for (int i = 0; i < gb.length; i++) Reference.assertClose(name + " grad b [" + i + "]", db[i], gb[i], 1e-5, 1e-6);
    }

    /** d(sum(w * f(a, b)))/da and /db, summed over broadcast positions, in double. */
    private static void referenceGradients(String name, Tensor a, Tensor b, Tensor w, int[] shape, double[] ga, double[] gb) {
        int n = Shapes.numel(shape);
        int[] idx = new int[shape.length];
        double[] wd = org.intervene4j.testing.Rand.doubles(w);
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            double x = BinaryOpsTest.at(a, idx);
            double y = BinaryOpsTest.at(b, idx);
            double dx;
            double dy;
            switch (name) {
                case "add": dx = 1; dy = 1; break;
                case "sub": dx = 1; dy = -1; break;
                case "mul": dx = y; dy = x; break;
                default: dx = 1 / y; dy = -x / (y * y); break;
            }
            ga[flat(a.shape(), idx)] += wd[i] * dx;
            gb[flat(b.shape(), idx)] += wd[i] * dy;
        }
    }

    /** Row-major flat index into a (right-aligned, broadcast) operand shape. */
    private static int flat(int[] s, int[] idx) {
        int f = 0;
        for (int d = 0; d < s.length; d++) {
            int i = s[d] == 1 ? 0 : idx[idx.length - s.length + d];
            f = f * s[d] + i;
        }
        return f;
    }
}
