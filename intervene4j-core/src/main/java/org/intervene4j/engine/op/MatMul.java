package org.intervene4j.engine.op;

import java.util.Arrays;
import org.intervene4j.engine.Graph;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.Gemm;

/**
 * Matrix products: {@code matmul} (batched, broadcasting) and {@code linear} (nn.Linear layout,
 * fused bias). Operands are read in place through their strides, so transposed and sliced
 * views cost no copy; a 2-d right operand lets the whole batch of a fold into one large GEMM.
 */
public final class MatMul {
    private MatMul() {}

    /**
     * {@code a [..., m, k] @ b [..., k, n] -> [..., m, n]}; batch dimensions broadcast by numpy
     * rules. Both operands need rank >= 2.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        Graph.checkAlive("matmul", a, b);
        int[] as = a.shape();
        int[] bs = b.shape();
        if (as.length < 2 || bs.length < 2) {
            throw new IllegalArgumentException("op 'matmul': both operands need rank >= 2 (use reshape for vectors), got "
                    + Shapes.str(as) + " @ " + Shapes.str(bs));
        }
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException("op 'matmul': inner dimensions differ: " + Shapes.str(as) + " @ "
                    + Shapes.str(bs) + " (" + k + " vs " + bs[bs.length - 2] + ")");
        }
        int[] batch = broadcastBatch(as, bs);
        Tensor out = Tensor.empty(append(batch, m, n));
        product(batch, m, n, k, Operand.of(a, batch), Operand.of(b, batch), out.data(), false);
        return Graph.record("matmul", out, (g, needs) -> {
            Operand grad = Operand.of(g, batch);
            Tensor da = null;
            Tensor db = null;
            if (needs[0]) {
                // dA = dC B^T, summed over the batch dimensions a was broadcast along.
                da = reduceToShape(batch, m, k, as, full -> product(batch, m, k, n, grad,
                        Operand.of(b, batch).transposed(), full, false));
            }
            if (needs[1]) {
                // dB = A^T dC; a 2-d (or fully broadcast) b sums over every row of the batch at once.
                Operand ao = Operand.of(a, batch);
                db = sharedAcrossBatch(bs) ? foldedGradOfShared(batch, m, k, n, ao, grad, bs) : null;
                if (db == null) {
                    db = reduceToShape(batch, k, n, bs, full -> product(batch, k, n, m, ao.transposed(), grad, full, false));
                }
            }
            return new Tensor[] {da, db};
        }, a, b);
    }

    /**
     * {@code x [..., in] @ w^T + bias -> [..., out]} with {@code w [out, in]} (nn.Linear's layout)
     * and {@code bias [out]} or null. The bias is written first and the product accumulated
     * onto it, so the add costs no extra pass.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Graph.checkAlive("linear", x, w, bias);
        int[] xs = x.shape();
        int[] ws = w.shape();
        if (xs.length < 1 || ws.length != 2) {
            throw new IllegalArgumentException("op 'linear': needs x [..., in] and weight [out, in], got x "
                    + Shapes.str(xs) + " and weight " + Shapes.str(ws));
        }
        int in = xs[xs.length - 1];
        int outF = ws[0];
        if (ws[1] != in) {
            throw new IllegalArgumentException("op 'linear': input features differ: x " + Shapes.str(xs)
                    + " vs weight " + Shapes.str(ws) + " (" + in + " vs " + ws[1] + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != outF)) {
            throw new IllegalArgumentException("op 'linear': bias must be [" + outF + "] for weight "
                    + Shapes.str(ws) + ", got " + Shapes.str(bias.shape()));
        }
        // x as a batch of [m, in] matrices: its last-but-one dimension is m (1 for a vector).
        int[] batch = xs.length >= 2 ? Arrays.copyOf(xs, xs.length - 2) : new int[0];
        int m = xs.length >= 2 ? xs[xs.length - 2] : 1;
        Operand xo = Operand.ofRows(x, batch, m);
        Operand wt = Operand.of(w, batch).transposed(); // [in, out]
        int[] outShape = xs.clone();
        outShape[outShape.length - 1] = outF;
        Tensor out = Tensor.empty(outShape);
        float[] o = out.data();
        int rows = out.numel() / Math.max(outF, 1);
        LinearBias.fill(bias, o, rows, outF);
        product(batch, m, outF, in, xo, wt, o, bias != null);
        return Graph.record("linear", out, (g, needs) -> {
            Tensor dx = null;
            Tensor dw = null;
            Tensor db = null;
            if (needs[0]) {
                dx = Tensor.empty(xs); // dx = dy W
                product(batch, m, in, outF, Operand.ofRows(g, batch, m), Operand.of(w, batch), dx.data(), false);
            }
            if (needs[1] || needs[2]) {
                Tensor gRows = foldable(g) ? g : g.contiguous();
                int gRow = rowStride(gRows);
                int gCol = gRows.strides()[gRows.dim() - 1];
                if (needs[1]) {
                    // dW [out, in] = dy^T x over every row of the batch: one GEMM of depth rows.
                    Tensor xRows = foldable(x) ? x : x.contiguous();
                    dw = Tensor.empty(ws);
                    Gemm.multiply(outF, in, rows, gRows.data(), gRows.offset(), gCol, gRow,
                            xRows.data(), xRows.offset(), rowStride(xRows), xRows.strides()[xRows.dim() - 1],
                            dw.data(), 0, in, false);
                }
                if (needs[2]) {
                    db = LinearBias.gradient(gRows.data(), gRows.offset(), gRow, gCol, rows, outF);
                }
            }
            return new Tensor[] {dx, dw, db};
        }, x, w, bias);
    }

    // ---------------------------------------------------------------- products on operands

    /**
     * A batch of matrices read in place: matrix {@code t} of the batch (odometer over the
     * output's batch shape) starts at {@code offset + sum(index[d] * batchStrides[d])}, element
     * (i, j) at {@code + i * rowStride + j * colStride}. Broadcast batch dimensions have stride 0.
     */
    private static final class Operand {
        final float[] data;
        final int offset;
        final int[] batchStrides;
        final int rowStride;
        final int colStride;

        Operand(float[] data, int offset, int[] batchStrides, int rowStride, int colStride) {
            this.data = data;
            this.offset = offset;
            this.batchStrides = batchStrides;
            this.rowStride = rowStride;
            this.colStride = colStride;
        }

        /** The last two dimensions of t are the matrix; the rest broadcast to {@code batch}. */
        static Operand of(Tensor t, int[] batch) {
            int[] s = t.shape();
            int[] st = t.strides();
            int r = s.length;
            int[] bs = Shapes.broadcastStrides(Arrays.copyOf(s, r - 2), Arrays.copyOf(st, r - 2), batch);
            return new Operand(t.data(), t.offset(), bs, st[r - 2], st[r - 1]);
        }

        /** Like {@link #of} but a rank-1 t is one row ({@code m == 1}). */
        static Operand ofRows(Tensor t, int[] batch, int m) {
            if (t.dim() >= 2) return of(t, batch);
            return new Operand(t.data(), t.offset(), new int[0], 0, t.strides()[0]);
        }

        /** The same matrices transposed (a stride swap, no copy). */
        Operand transposed() {
            return new Operand(data, offset, batchStrides, colStride, rowStride);
        }

        boolean sharedAcrossBatch() {
            for (int s : batchStrides) if (s != 0) return false;
            return true;
        }

        /**
         * The stride between consecutive rows when the batch dimensions and the m rows are
         * flattened into one row dimension, or {@link Integer#MIN_VALUE} when that flattening
         * is not uniformly strided.
         */
        int foldedRowStride(int[] batch, int m) {
            int size = m;
            int stride = rowStride;
            int folded = m > 1 ? rowStride : Integer.MIN_VALUE;
            for (int d = batch.length - 1; d >= 0; d--) {
                if (batch[d] == 1) continue;
                if (folded == Integer.MIN_VALUE) {
                    folded = batchStrides[d];
                } else if (batchStrides[d] != stride * size) {
                    return Integer.MIN_VALUE;
                }
                stride = batchStrides[d];
                size = batch[d];
            }
            return folded == Integer.MIN_VALUE ? 0 : folded;
        }
    }

    /**
     * {@code C[t] (+)= A[t] @ B[t]} for every index t of {@code batch}, C contiguous
     * {@code [batch..., m, n]} at offset 0 of {@code c}. A shared B with uniformly strided A
     * rows runs as one {@code [batch*m, k] x [k, n]} GEMM.
     */
    private static void product(int[] batch, int m, int n, int k, Operand a, Operand b, float[] c, boolean accumulate) {
        int count = Shapes.numel(batch);
        if (count == 0 || m == 0 || n == 0) return;
        if (b.sharedAcrossBatch()) {
            int aRow = a.foldedRowStride(batch, m);
            if (aRow != Integer.MIN_VALUE) {
                Gemm.multiply(count * m, n, k, a.data, a.offset, aRow, a.colStride,
                        b.data, b.offset, b.rowStride, b.colStride, c, 0, n, accumulate);
                return;
            }
        }
        int[] aOffs = new int[count];
        int[] bOffs = new int[count];
        int[] cOffs = new int[count];
        int[] idx = new int[batch.length];
        int ao = a.offset;
        int bo = b.offset;
        for (int t = 0; t < count; t++) {
            aOffs[t] = ao;
            bOffs[t] = bo;
            cOffs[t] = t * m * n;
            for (int d = batch.length - 1; d >= 0; d--) {
                ao += a.batchStrides[d];
                bo += b.batchStrides[d];
                if (++idx[d] < batch[d]) break;
                ao -= a.batchStrides[d] * batch[d];
                bo -= b.batchStrides[d] * batch[d];
                idx[d] = 0;
            }
        }
        Gemm.multiplyBatched(count, m, n, k, a.data, aOffs, a.rowStride, a.colStride,
                b.data, bOffs, b.rowStride, b.colStride, c, cOffs, n, accumulate);
    }

    /** Fills a fresh contiguous {@code [batch..., rows, cols]} array. */
    private interface Fill {
        void into(float[] full);
    }

    /**
     * Computes a gradient over the full output batch and sums it down to the input's shape
     * (which may have fewer or size-1 batch dimensions); no reduction when the shapes agree.
     */
    private static Tensor reduceToShape(int[] batch, int rows, int cols, int[] inputShape, Fill fill) {
        int[] fullShape = append(batch, rows, cols);
        Tensor full = Tensor.empty(fullShape);
        fill.into(full.data());
        if (Shapes.numel(fullShape) == Shapes.numel(inputShape)) return full.reshape(inputShape);
        return Tensor.sumTo(full, inputShape);
    }

    /** True when b's batch dimensions are all 1 (or absent): one matrix serves the whole batch. */
    private static boolean sharedAcrossBatch(int[] bs) {
        for (int d = 0; d < bs.length - 2; d++) if (bs[d] != 1) return false;
        return true;
    }

    /**
     * dB for a b shared by the whole batch: {@code A_rows^T [k, batch*m] @ dC_rows [batch*m, n]},
     * one deep GEMM; null when a's or dC's rows do not fold uniformly.
     */
    private static Tensor foldedGradOfShared(int[] batch, int m, int k, int n, Operand a, Operand grad, int[] bs) {
        int aRow = a.foldedRowStride(batch, m);
        int gRow = grad.foldedRowStride(batch, m);
        if (aRow == Integer.MIN_VALUE || gRow == Integer.MIN_VALUE) return null;
        int rows = Shapes.numel(batch) * m;
        Tensor db = Tensor.empty(bs);
        Gemm.multiply(k, n, rows, a.data, a.offset, a.colStride, aRow,
                grad.data, grad.offset, gRow, grad.colStride, db.data(), 0, n, false);
        return db;
    }

    /** True when t's leading dimensions flatten to uniformly strided rows of its last dimension. */
    private static boolean foldable(Tensor t) {
        return t.dim() < 2 || rowStrideOrInvalid(t) != Integer.MIN_VALUE;
    }

    private static int rowStride(Tensor t) {
        return t.dim() < 2 ? 0 : rowStrideOrInvalid(t);
    }

    private static int rowStrideOrInvalid(Tensor t) {
        int[] s = t.shape();
        int r = s.length;
        Operand o = Operand.of(t, Arrays.copyOf(s, r - 2));
        return o.foldedRowStride(Arrays.copyOf(s, r - 2), s[r - 2]);
    }

    // ---------------------------------------------------------------- shapes

    /** The broadcast of the batch dimensions (all but the last two) of both shapes. */
    private static int[] broadcastBatch(int[] as, int[] bs) {
        int ra = as.length - 2;
        int rb = bs.length - 2;
        int rank = Math.max(ra, rb);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - ra ? 1 : as[i - (rank - ra)];
            int db = i < rank - rb ? 1 : bs[i - (rank - rb)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("op 'matmul': batch dimensions cannot broadcast: "
                        + Shapes.str(as) + " @ " + Shapes.str(bs) + " (" + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private static int[] append(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }
}
