package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Rotate-half rotary position embedding (the GPT-NeoX / Llama layout): within the first
 * {@code rot} dims of each head, dim j pairs with dim {@code j + rot/2} and the pair is rotated
 * by the angle whose cosine and sine the tables hold:
 * <pre>
 *   y[j]         = x[j] cos - x[j + half] sin
 *   y[j + half]  = x[j + half] cos + x[j] sin        (j < half = rot/2)
 *   y[j]         = x[j]                              (j >= rot)
 * </pre>
 * Backward rotates the gradient by the negative angle. The tables also get gradients when
 * they require them (they normally do not: {@link RotaryTables} makes constants).
 */
public final class Rotary {
    private Rotary() {}

    /**
     * @param x   {@code [batch, heads, seq, headDim]}
     * @param cos {@code [batch, seq, rot/2]} (batch may be 1 to share one table across the batch)
     * @param sin same shape as cos
     */
    public static Tensor rotary(Tensor x, Tensor cos, Tensor sin) {
        final String op = "rotary";
        Graph.checkAlive(op, x, cos, sin);
        if (x.dim() != 4) {
            throw new IllegalArgumentException("op '" + op + "': x must be [batch, heads, seq, headDim], got "
                    + Shapes.str(x.shape()));
        }
        if (!Shapes.same(cos.shape(), sin.shape())) {
            throw new IllegalArgumentException("op '" + op + "': cos " + Shapes.str(cos.shape()) + " and sin "
                    + Shapes.str(sin.shape()) + " must have the same shape");
        }
        int batch = x.size(0);
        int heads = x.size(1);
        int seq = x.size(2);
        int headDim = x.size(3);
        if (cos.dim() != 3 || (cos.size(0) != batch && cos.size(0) != 1) || cos.size(1) != seq
                || 2 * cos.size(2) > headDim) {
            throw new IllegalArgumentException("op '" + op + "': cos/sin must be [batch, seq, rot/2] with rot <= headDim"
                    + " for x " + Shapes.str(x.shape()) + ", got " + Shapes.str(cos.shape()));
        }
        int half = cos.size(2);
        int tableBatch = cos.size(0);
        Tensor xc = OpInputs.contiguousNoGrad(x);
        float[] xd = xc.data();
        int xo = xc.offset();
        float[] cd = cos.toFloatArray();
        float[] sd = sin.toFloatArray();
        Tensor out = Tensor.empty(x.shape());
        float[] yd = out.data();
        rotate(xd, xo, yd, cd, sd, batch, heads, seq, headDim, half, tableBatch, 1f);
        return Graph.record(op, out, (grad, needs) -> {
            Tensor g = OpInputs.contiguousNoGrad(grad);
            float[] gd = g.data();
            int go = g.offset();
            Tensor dx = null;
            if (needs[0]) {
                dx = Tensor.empty(x.shape());
                rotate(gd, go, dx.data(), cd, sd, batch, heads, seq, headDim, half, tableBatch, -1f);
            }
            Tensor[] tables = needs[1] || needs[2]
                    ? tableGrads(xd, xo, gd, go, batch, heads, seq, headDim, half, tableBatch)
                    : new Tensor[2];
            return new Tensor[] {dx, needs[1] ? tables[0] : null, needs[2] ? tables[1] : null};
        }, x, cos, sin);
    }

    /** {@code y = rotate(x)} by the tables' angles ({@code sign = 1}) or their negatives ({@code sign = -1}). */
    private static void rotate(float[] x, int xo, float[] y, float[] cos, float[] sin, int batch, int heads,
                               int seq, int headDim, int half, int tableBatch, float sign) {
        int rows = batch * heads * seq;
        int rot = 2 * half;
        WorkerPool.global().parallelFor(rows, 3L * headDim, (from, to) -> {
            for (int r = from; r < to; r++) {
                int b = r / (heads * seq);
                int s = r % seq;
                int t = ((tableBatch == 1 ? 0 : b) * seq + s) * half;
                int xr = xo + r * headDim;
                int yr = r * headDim;
                for (int j = 0; j < half; j++) {
                    float c = cos[t + j];
                    float sn = sign * sin[t + j];
                    float a = x[xr + j];
                    float bb = x[xr + j + half];
                    y[yr + j] = a * c - bb * sn;
                    y[yr + j + half] = bb * c + a * sn;
                }
                System.arraycopy(x, xr + rot, y, yr + rot, headDim - rot);
            }
        });
    }

    /**
     * d/dcos and d/dsin, summed over heads (and over the batch when one table is shared):
     * {@code dcos[j] = dy[j] x[j] + dy[j+h] x[j+h]}, {@code dsin[j] = dy[j+h] x[j] - dy[j] x[j+h]}.
     */
    private static Tensor[] tableGrads(float[] x, int xo, float[] dy, int dyo, int batch, int heads, int seq,
                                       int headDim, int half, int tableBatch) {
        Tensor dcos = Tensor.zeros(tableBatch, seq, half);
        Tensor dsin = Tensor.zeros(tableBatch, seq, half);
        float[] dc = dcos.data();
        float[] ds = dsin.data();
        int tableRows = tableBatch * seq;
        WorkerPool.global().parallelFor(tableRows, 4L * heads * half * (batch / tableBatch), (from, to) -> {
            for (int tr = from; tr < to; tr++) {
                int tb = tr / seq;
                int s = tr % seq;
                int t = tr * half;
                int b0 = tableBatch == 1 ? 0 : tb;
                int b1 = tableBatch == 1 ? batch : tb + 1;
                for (int b = b0; b < b1; b++) {
                    for (int h = 0; h < heads; h++) {
                        int row = ((b * heads + h) * seq + s) * headDim;
                        for (int j = 0; j < half; j++) {
                            float a = x[xo + row + j];
                            float bb = x[xo + row + j + half];
                            float ga = dy[dyo + row + j];
                            float gb = dy[dyo + row + j + half];
                            dc[t + j] += ga * a + gb * bb;
                            ds[t + j] += gb * a - ga * bb;
                        }
                    }
                }
            }
        });
        return new Tensor[] {dcos, dsin};
    }
}
