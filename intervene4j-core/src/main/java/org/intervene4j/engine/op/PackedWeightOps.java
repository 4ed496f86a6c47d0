package org.intervene4j.engine.op;

import java.util.Arrays;
import org.intervene4j.engine.Graph;
import org.intervene4j.engine.PackedWeight;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.Gemm;

/**
 * {@code linear} with a frozen prepacked weight ({@link PackedWeight}): the forward product
 * reads the weight's panels directly; the weight is not a graph input, so backward computes
 * dx (from the weight's second packed copy, {@link PackedWeight#backwardPanels()}) and dbias only.
 */
public final class PackedWeightOps {
    private PackedWeightOps() {}

    /** {@code x [..., in] @ w^T + bias -> [..., out]}, bias {@code [out]} or null. */
    public static Tensor linear(Tensor x, PackedWeight w, Tensor bias) {
        final String op = "linear";
        Graph.checkAlive(op, x, bias);
        if (w == null) throw new IllegalArgumentException("op '" + op + "': weight is null");
        int[] xs = x.shape();
        int in = w.inFeatures();
        int outF = w.outFeatures();
        if (xs.length < 1 || xs[xs.length - 1] != in) {
            throw new IllegalArgumentException("op '" + op + "': input features differ: x " + Shapes.str(xs) + " vs packed weight "
                    + Shapes.str(w.shape()));
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != outF)) {
            throw new IllegalArgumentException("op '" + op + "': bias must be [" + outF + "] for packed weight "
                    + Shapes.str(w.shape()) + ", got " + Shapes.str(bias.shape()));
        }
        int rows = Shapes.numel(Arrays.copyOf(xs, xs.length - 1));
        Tensor xc = OpInputs.contiguousNoGrad(x);
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = outF;
        Tensor out = Tensor.empty(outShape);
        Tensor bc = bias == null ? null : OpInputs.contiguousNoGrad(bias);
        Gemm.multiply(rows, xc.data(), xc.offset(), in, 1, w.panels(), bc == null ? null : bc.data(), bc == null ? 0 : bc.offset(),
                out.data(), 0, outF, false); // the kernel adds the bias as it stores each tile
        return Graph.record(op, out, (g, needs) -> {
            Tensor gc = OpInputs.contiguousNoGrad(g);
            Tensor dx = null;
            Tensor db = null;
            if (needs[0]) {
                dx = Tensor.empty(xs); // dx [rows, in] = dy [rows, out] @ W [out, in], W prepacked too
                Gemm.multiply(rows, gc.data(), gc.offset(), outF, 1, w.backwardPanels(), dx.data(), 0, in, false);
            }
            if (needs[1]) {
                db = LinearBias.gradient(gc.data(), gc.offset(), outF, 1, rows, outF);
            }
            return new Tensor[] {dx, db};
        }, x, bias);
    }
}
