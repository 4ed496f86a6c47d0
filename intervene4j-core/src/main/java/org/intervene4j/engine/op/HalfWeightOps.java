package org.intervene4j.engine.op;

import java.util.Arrays;
import org.intervene4j.engine.Graph;
import org.intervene4j.engine.HalfMatrix;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.HalfGemm;
import org.intervene4j.engine.kernel.HalfWiden;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * {@code linear} and {@code embedding} with a frozen half-precision weight ({@link HalfMatrix}):
 * the weight is widened inside the kernels, never copied to fp32. The weight is not a graph
 * input, so gradients flow to the activations (and the bias) only.
 */
public final class HalfWeightOps {
    private HalfWeightOps() {}

    /**
     * {@code x [..., in] @ w^T + bias -> [..., out]} with {@code w [out, in]} (a transposed view
     * for Conv1D weights stored [in, out]) and {@code bias [out]} or null. Backward computes
     * dx (a half-weight GEMM) and dbias.
     */
    public static Tensor linear(Tensor x, HalfMatrix w, Tensor bias) {
        final String op = "linear";
        Graph.checkAlive(op, x, bias);
        if (w == null) throw new IllegalArgumentException("op '" + op + "': weight is null");
        int[] xs = x.shape();
        if (xs.length < 1) {
            throw new IllegalArgumentException("op '" + op + "': needs x [..., in], got x " + Shapes.str(xs) + " and " + w);
        }
        int in = xs[xs.length - 1];
        int outF = w.rows();
        if (w.cols() != in) {
            throw new IllegalArgumentException("op '" + op + "': input features differ: x " + Shapes.str(xs) + " vs half weight "
                    + Shapes.str(w.shape()) + " (" + in + " vs " + w.cols() + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != outF)) {
            throw new IllegalArgumentException("op '" + op + "': bias must be [" + outF + "] for half weight "
                    + Shapes.str(w.shape()) + ", got " + Shapes.str(bias.shape()));
        }
        int rows = Shapes.numel(Arrays.copyOf(xs, xs.length - 1));
        Tensor xc = OpInputs.contiguousNoGrad(x);
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = outF;
        Tensor out = Tensor.empty(outShape);
        float[] o = out.data();
        LinearBias.fill(bias, o, rows, outF);
        // y [rows, out] (+)= x [rows, in] @ w^T: B(p, j) = w(j, p).
        HalfGemm.multiply(rows, outF, in, xc.data(), xc.offset(), in, 1,
                w.format(), w.bits(), w.offset(), w.colStride(), w.rowStride(), o, 0, outF, bias != null);
        return Graph.record(op, out, (g, needs) -> {
            Tensor gc = OpInputs.contiguousNoGrad(g);
            Tensor dx = null;
            Tensor db = null;
            if (needs[0]) {
                // dx [rows, in] = dy [rows, out] @ w: B(p, j) = w(p, j).
                dx = Tensor.empty(xs);
                HalfGemm.multiply(rows, in, outF, gc.data(), gc.offset(), outF, 1,
                        w.format(), w.bits(), w.offset(), w.rowStride(), w.colStride(), dx.data(), 0, in, false);
            }
            if (needs[1]) {
                db = LinearBias.gradient(gc.data(), gc.offset(), outF, 1, rows, outF);
            }
            return new Tensor[] {dx, db};
        }, x, bias);
    }

    /**
     * Rows {@code weight[ids[i]]} widened to fp32, shaped {@code [leading..., d]}
     * ({@code [ids.length, d]} when no leading shape is given). No gradient: the weight is frozen.
     *
     * @param weight {@code [vocab, d]}
     */
    public static Tensor embedding(HalfMatrix weight, int[] ids, int... leading) {
        final String op = "embedding";
        if (weight == null) throw new IllegalArgumentException("op '" + op + "': weight is null");
        int vocab = weight.rows();
        int d = weight.cols();
        int[] lead = leading.length == 0 ? new int[] {ids.length} : leading.clone();
        if (Shapes.numel(lead) != ids.length) {
            throw new IllegalArgumentException("op '" + op + "': " + ids.length + " ids cannot have leading shape " + Shapes.str(lead));
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("op '" + op + "': id " + ids[i] + " at position " + i
                        + " is out of range for dimension 0 of size " + vocab + " (half weight " + Shapes.str(weight.shape()) + ")");
            }
        }
        int[] idx = ids.clone();
        int[] outShape = Arrays.copyOf(lead, lead.length + 1);
        outShape[lead.length] = d;
        Tensor out = Tensor.empty(outShape);
        float[] od = out.data();
        WorkerPool.global().parallelFor(idx.length, d, (from, to) -> {
            for (int i = from; i < to; i++) {
                HalfWiden.widen(weight.format(), weight.bits(), weight.offset() + idx[i] * weight.rowStride(),
                        weight.colStride(), od, i * d, d);
            }
        });
        return Graph.record(op, out, (g, needs) -> new Tensor[0]);
    }
}
