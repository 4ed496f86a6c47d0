package org.intervene4j.engine.op;

import org.intervene4j.engine.Graph;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Shapes;
import org.intervene4j.engine.Tensor;
import org.intervene4j.engine.kernel.AttentionRows;
import org.intervene4j.engine.kernel.RowKernels;
import org.intervene4j.engine.kernel.WorkerPool;

/**
 * Scaled dot-product attention in one op: per query row, the scores against the visible keys,
 * the masked softmax and the weighted sum of values, written straight into the merged-heads
 * layout {@code [batch, seq, heads * headDim]} that output projections read. Nothing of size
 * {@code [batch, heads, seq, keys]} is made unless a gradient is needed (then the
 * probabilities are kept for the backward). Reads q, k and v through their strides, so the
 * head split of a projection output costs no copy, and grouped-query heads share their key
 * and value head without repeating it.
 *
 * <p>Work is split over (example, kv head) pairs; a pair's keys (or, in the backward, values)
 * are transposed once into a scratch block when enough query rows use them.
 */
public final class FusedAttention {
    private FusedAttention() {}

    /** Query rows per kv head from which transposing its keys pays off (fewer: one dot per key). */
    static final int TRANSPOSE_MIN_ROWS = 4;

    /** Per-thread scratch: a transposed key or value block, two score rows and three blocks of four rows. */
    private static final class Scratch {
        float[] block = new float[0];
        float[] row = new float[0];
        float[] row2 = new float[0];
        float[] four = new float[0];
        float[] fourP = new float[0];
        float[] fourS = new float[0];

        void ensure(int blockSize, int rowSize) {
            if (block.length < blockSize) block = new float[blockSize];
            if (row.length < rowSize) {
                row = new float[rowSize];
                row2 = new float[rowSize];
                four = new float[4 * rowSize];
                fourP = new float[4 * rowSize];
                fourS = new float[4 * rowSize];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Shapes, strides and masks of one call, shared by the forward and the backward. */
    private record Plan(int b, int h, int kvh, int s, int t, int hd, float scale, boolean causal, int window,
                        boolean[] attend, Tensor q, Tensor k, Tensor v) {
        int group() {
            return h / kvh;
        }

        /** First visible key of query row i. */
        int lo(int i) {
            return window > 0 ? Math.max(0, i + (t - s) - window + 1) : 0;
        }

        /** One past the last visible key of query row i (causal: keys up to the query's own column). */
        int hi(int i) {
            return causal ? Math.max(0, Math.min(t, i + (t - s) + 1)) : t;
        }

        boolean transposed() {
            return group() * s >= TRANSPOSE_MIN_ROWS;
        }

        int tPad() {
            int p = AttentionRows.padding();
            return (t + p - 1) / p * p;
        }

        int qRow(int bi, int hq, int i) {
            int[] st = q.strides();
            return q.offset() + bi * st[0] + hq * st[1] + i * st[2];
        }
    }

    /**
     * {@code softmax(scale * q k^T + masks) v} with heads merged: q {@code [b, h, s, hd]}, k and
     * v {@code [b, kvh, t, hd]} ({@code h} a multiple of {@code kvh}; query head i reads kv head
     * {@code i / (h / kvh)}); returns {@code [b, s, h * hd]}. With {@code causal}, query i sees
     * keys {@code j <= i + (t - s)}; with {@code window > 0} only keys {@code j > i + (t - s) - window};
     * {@code keyMask [b, t]} (1 = attend) may be null. A query that sees no key gets zeros.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, float scale, boolean causal, int window, Tensor keyMask) {
        final String op = "attention";
        Graph.checkAlive(op, q, k, v, keyMask);
        Plan plan = plan(op, q, k, v, scale, causal, window, keyMask);
        boolean keep = GradMode.enabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad());
        int b = plan.b, h = plan.h, s = plan.s, t = plan.t, hd = plan.hd;
        Tensor out = Tensor.empty(b, s, h * hd);
        Tensor probs = keep ? Tensor.zeros(b, h, s, t) : null;
        forward(plan, out.data(), probs == null ? null : probs.data());
        return Graph.record(op, out, (g, needs) -> backward(plan, probs, g, needs), q, k, v);
    }

    private static Plan plan(String op, Tensor q, Tensor k, Tensor v, float scale, boolean causal, int window, Tensor keyMask) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException("op '" + op + "': q, k, v must be [batch, heads, seq, headDim], got q "
                    + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape()));
        }
        int b = q.size(0), h = q.size(1), s = q.size(2), hd = q.size(3);
        int kvh = k.size(1), t = k.size(2);
        if (k.size(0) != b || k.size(3) != hd || !Shapes.same(k.shape(), v.shape()) || kvh == 0 || h % kvh != 0) {
            throw new IllegalArgumentException("op '" + op + "': k and v must both be [" + b + ", kvHeads, keys, " + hd
                    + "] with the " + h + " query heads a multiple of kvHeads; got q " + Shapes.str(q.shape()) + ", k "
                    + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape()));
        }
        if (window < 0) throw new IllegalArgumentException("op '" + op + "': window must be >= 0, got " + window);
        boolean[] attend = null;
        if (keyMask != null) {
            if (keyMask.dim() != 2 || keyMask.size(0) != b || keyMask.size(1) != t) {
                throw new IllegalArgumentException("op '" + op + "': keyMask must be [batch, keys] = [" + b + ", " + t + "], got "
                        + Shapes.str(keyMask.shape()));
            }
            float[] m = keyMask.toFloatArray();
            attend = new boolean[m.length];
            for (int i = 0; i < m.length; i++) attend[i] = m[i] != 0f;
        }
        return new Plan(b, h, kvh, s, t, hd, scale, causal, window, attend, rowsContiguous(q), rowsContiguous(k), rowsContiguous(v));
    }

    /** t itself when its last dimension is contiguous (any other strides are read in place), else a copy. */
    private static Tensor rowsContiguous(Tensor t) {
        return t.strides()[3] == 1 || t.size(3) == 1 ? t : OpInputs.contiguousNoGrad(t);
    }

    private static void forward(Plan p, float[] out, float[] probs) {
        int group = p.group(), s = p.s, t = p.t, hd = p.hd;
        boolean transposed = p.transposed();
        int tPad = p.tPad();
        float[] kd = p.k.data();
        int[] ks = p.k.strides(), vs = p.v.strides();
        long work = (long) group * s * t * hd * 2;
        WorkerPool.global().parallelFor(p.b * p.kvh, work, (from, to) -> {
            Scratch w = SCRATCH.get();
            w.ensure(transposed ? hd * tPad : 0, tPad);
            for (int task = from; task < to; task++) {
                int bi = task / p.kvh, g = task % p.kvh;
                int kBase = p.k.offset() + bi * ks[0] + g * ks[1];
                int vBase = p.v.offset() + bi * vs[0] + g * vs[1];
                if (transposed) transpose(kd, kBase, ks[2], t, hd, w.block, tPad);
                for (int hq = g * group; hq < (g + 1) * group; hq++) {
                    int i = 0;
                    if (transposed) {
                        // four query rows at a time: each key and value vector loaded serves all four
                        for (; i + 4 <= s; i += 4) forwardFour(p, bi, hq, i, kBase, vBase, w, out, probs);
                    }
                    for (; i < s; i++) forwardRow(p, bi, hq, i, transposed, kBase, vBase, w, out, probs);
                }
            }
        });
    }

    /** One query row: scores, masked softmax, weighted sum of values (and its probabilities kept, when probs is set). */
    private static void forwardRow(Plan p, int bi, int hq, int i, boolean transposed, int kBase, int vBase, Scratch w,
                                   float[] out, float[] probs) {
        int s = p.s, t = p.t, hd = p.hd, tPad = p.tPad();
        int o = (bi * s + i) * p.h * hd + hq * hd;
        int lo = p.lo(i), hi = p.hi(i);
        if (hi <= lo) {
            java.util.Arrays.fill(out, o, o + hd, 0f);
            return;
        }
        float[] row = w.row;
        int qo = p.qRow(bi, hq, i);
        if (transposed) AttentionRows.scoresTransposed(p.q.data(), qo, hd, w.block, tPad, p.scale, row, lo, hi);
        else AttentionRows.scoresDots(p.q.data(), qo, hd, p.k.data(), kBase, p.k.strides()[2], p.scale, row, lo, hi);
        softmaxPadded(p, bi, row, 0, lo, hi, lo, hi, tPad);
        AttentionRows.weightedSum(row, 0, lo, hi, p.v.data(), vBase, p.v.strides()[2], out, o, hd);
        if (probs != null) System.arraycopy(row, lo, probs, ((bi * p.h + hq) * s + i) * t + lo, hi - lo);
    }

    /** Query rows i .. i+3 of one head against transposed keys (in {@code w.block}). */
    private static void forwardFour(Plan p, int bi, int hq, int i, int kBase, int vBase, Scratch w, float[] out, float[] probs) {
        int s = p.s, t = p.t, hd = p.hd, tPad = p.tPad();
        int o = (bi * s + i) * p.h * hd + hq * hd;
        int lo = p.lo(i), hi = p.hi(i + 3); // visible ranges only move right with the row
        if (hi <= lo) {
            for (int r = 0; r < 4; r++) java.util.Arrays.fill(out, o + r * p.h * hd, o + r * p.h * hd + hd, 0f);
            return;
        }
        float[] rows = w.four;
        AttentionRows.scoresTransposed4(p.q.data(), p.qRow(bi, hq, i), p.q.strides()[2], hd, w.block, tPad, p.scale, rows, lo, hi);
        for (int r = 0; r < 4; r++) softmaxPadded(p, bi, rows, r * tPad, p.lo(i + r), p.hi(i + r), lo, hi, tPad);
        AttentionRows.weightedSum4(rows, lo, hi, tPad, p.v.data(), vBase, p.v.strides()[2], out, o, p.h * hd, hd);
        if (probs != null) {
            for (int r = 0; r < 4; r++) {
                int rlo = p.lo(i + r), rhi = p.hi(i + r);
                if (rhi > rlo) System.arraycopy(rows, r * tPad + rlo, probs, ((bi * p.h + hq) * s + i + r) * t + rlo, rhi - rlo);
            }
        }
    }

    /**
     * dq, dk, dv from the kept probabilities P: with dO the output gradient of a query row,
     * {@code dP_j = dO . v_j}, {@code dS = P (dP - sum_j P_j dP_j)} (softmax backward), then
     * {@code dq = scale sum_j dS_j k_j}, {@code dk_j += scale dS_j q}, {@code dv_j += P_j dO}.
     * A (example, kv head) task owns its dk, dv rows and its query heads' dq rows.
     */
    private static Tensor[] backward(Plan p, Tensor probs, Tensor grad, boolean[] needs) {
        int b = p.b, h = p.h, kvh = p.kvh, s = p.s, t = p.t, hd = p.hd, group = p.group();
        Tensor gc = OpInputs.contiguousNoGrad(grad);
        // Gradients laid out as the merged projections they flow back to: [b, s, h, hd] seen as [b, h, s, hd].
        Tensor dq = Tensor.empty(b, s, h, hd);
        Tensor dk = Tensor.zeros(b, t, kvh, hd);
        Tensor dv = Tensor.zeros(b, t, kvh, hd);
        Grads gr = new Grads(gc.data(), gc.offset(), probs.data(), dq.data(), dk.data(), dv.data(), kvh * hd);
        int[] ks = p.k.strides(), vs = p.v.strides();
        boolean transposed = p.transposed();
        int tPad = p.tPad();
        long work = (long) group * s * t * hd * 5;
        WorkerPool.global().parallelFor(b * kvh, work, (from, to) -> {
            Scratch w = SCRATCH.get();
            w.ensure(transposed ? hd * tPad : 0, tPad);
            for (int task = from; task < to; task++) {
                int bi = task / kvh, g = task % kvh;
                int kBase = p.k.offset() + bi * ks[0] + g * ks[1];
                int vBase = p.v.offset() + bi * vs[0] + g * vs[1];
                int dkvBase = bi * t * gr.dkvStride + g * hd;
                if (transposed) transpose(p.v.data(), vBase, vs[2], t, hd, w.block, tPad);
                for (int hq = g * group; hq < (g + 1) * group; hq++) {
                    int i = 0;
                    if (transposed) {
                        for (; i + 4 <= s; i += 4) backwardFour(p, gr, bi, hq, i, kBase, dkvBase, w);
                    }
                    for (; i < s; i++) backwardRow(p, gr, bi, hq, i, transposed, kBase, vBase, dkvBase, w);
                }
            }
        });
        return new Tensor[] {
            needs[0] ? dq.transpose(1, 2) : null,
            needs[1] ? dk.transpose(1, 2) : null,
            needs[2] ? dv.transpose(1, 2) : null};
    }

    /**
     * What the backward reads and writes: the output gradient ({@code g [b, s, h * hd]} from
     * {@code go}), the kept probabilities {@code [b, h, s, t]}, and dq {@code [b, s, h, hd]}, dk
     * and dv {@code [b, t, kvh, hd]} (key rows {@code dkvStride} apart).
     */
    private record Grads(float[] g, int go, float[] probs, float[] dq, float[] dk, float[] dv, int dkvStride) {}

    /** One query row of the backward (see {@link #backward}). */
    private static void backwardRow(Plan p, Grads gr, int bi, int hq, int i, boolean transposed, int kBase, int vBase,
                                    int dkvBase, Scratch w) {
        int hd = p.hd, tPad = p.tPad();
        int o = (bi * p.s + i) * p.h * hd + hq * hd; // this row in dq and in the output gradient
        int lo = p.lo(i), hi = p.hi(i);
        if (hi <= lo) {
            java.util.Arrays.fill(gr.dq, o, o + hd, 0f);
            return;
        }
        float[] dp = w.row, ds = w.row2;
        int pRow = ((bi * p.h + hq) * p.s + i) * p.t;
        int dO = gr.go + o;
        // dp = scale * (dO . v_j), so ds below comes out already multiplied by scale
        if (transposed) AttentionRows.scoresTransposed(gr.g, dO, hd, w.block, tPad, p.scale, dp, lo, hi);
        else AttentionRows.scoresDots(gr.g, dO, hd, p.v.data(), vBase, p.v.strides()[2], p.scale, dp, lo, hi);
        RowKernels.softmaxBackwardRow(gr.probs, pRow + lo, dp, lo, ds, lo, hi - lo);
        AttentionRows.weightedSum(ds, 0, lo, hi, p.k.data(), kBase, p.k.strides()[2], gr.dq, o, hd);
        AttentionRows.addScaledRows(ds, 0, lo, hi, p.q.data(), p.qRow(bi, hq, i), gr.dk, dkvBase, gr.dkvStride, hd);
        AttentionRows.addScaledRows(gr.probs, pRow, lo, hi, gr.g, dO, gr.dv, dkvBase, gr.dkvStride, hd);
    }

    /** Query rows i .. i+3 of the backward against transposed values (in {@code w.block}): each row of k, v, dk, dv loaded once for four. */
    private static void backwardFour(Plan p, Grads gr, int bi, int hq, int i, int kBase, int dkvBase, Scratch w) {
        int hd = p.hd, tPad = p.tPad(), rowStride = p.h * hd;
        int o = (bi * p.s + i) * rowStride + hq * hd;
        int lo = p.lo(i), hi = p.hi(i + 3);
        if (hi <= lo) {
            for (int r = 0; r < 4; r++) java.util.Arrays.fill(gr.dq, o + r * rowStride, o + r * rowStride + hd, 0f);
            return;
        }
        int pad = AttentionRows.padding();
        int a = lo / pad * pad;
        int z = Math.min(tPad, (hi + pad - 1) / pad * pad);
        float[] dp = w.four, pr = w.fourP, ds = w.fourS;
        AttentionRows.scoresTransposed4(gr.g, gr.go + o, rowStride, hd, w.block, tPad, p.scale, dp, lo, hi);
        for (int r = 0; r < 4; r++) {
            // this row's probabilities over whole vectors, zero outside its visible keys (so ds is zero there too)
            int rlo = Math.max(p.lo(i + r), a), rhi = Math.max(p.hi(i + r), rlo), base = r * tPad;
            java.util.Arrays.fill(pr, base + a, base + z, 0f);
            System.arraycopy(gr.probs, ((bi * p.h + hq) * p.s + i + r) * p.t + rlo, pr, base + rlo, rhi - rlo);
            AttentionRows.softmaxBackwardWhole(pr, base + a, dp, base + a, ds, base + a, z - a);
        }
        AttentionRows.weightedSum4(ds, lo, hi, tPad, p.k.data(), kBase, p.k.strides()[2], gr.dq, o, rowStride, hd);
        AttentionRows.addScaledRows4(ds, 0, tPad, lo, hi, p.q.data(), p.qRow(bi, hq, i), p.q.strides()[2], gr.dk, dkvBase,
                gr.dkvStride, hd);
        AttentionRows.addScaledRows4(pr, 0, tPad, lo, hi, gr.g, gr.go + o, rowStride, gr.dv, dkvBase, gr.dkvStride, hd);
    }

    /**
     * Softmax of the visible keys {@code [lo, hi)} of a score row at {@code row[ro + j]}, run over
     * whole vectors covering {@code [from, to)} (the range the row's scores were computed on):
     * hidden keys (outside [lo, hi), or padding under the key mask) are set to -infinity, whose
     * probability is exactly 0, so short rows need no scalar tail and a row that sees nothing
     * becomes zeros.
     */
    private static void softmaxPadded(Plan p, int bi, float[] row, int ro, int lo, int hi, int from, int to, int tPad) {
        int pad = AttentionRows.padding();
        int a = from / pad * pad;
        int z = Math.min(tPad, (to + pad - 1) / pad * pad);
        lo = Math.max(lo, a);
        hi = Math.max(hi, lo);
        java.util.Arrays.fill(row, ro + a, ro + lo, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(row, ro + hi, ro + z, Float.NEGATIVE_INFINITY);
        if (p.attend != null) {
            for (int j = lo; j < hi; j++) if (!p.attend[bi * p.t + j]) row[ro + j] = Float.NEGATIVE_INFINITY;
        }
        AttentionRows.softmaxWhole(row, ro + a, ro + z);
    }

    /** Copies t rows of hd floats (row j at {@code src[off + j * stride]}) into {@code dst [hd, tPad]}, zero past t. */
    private static void transpose(float[] src, int off, int stride, int t, int hd, float[] dst, int tPad) {
        for (int j = 0; j < t; j++) {
            int r = off + j * stride;
            for (int d = 0; d < hd; d++) dst[d * tPad + j] = src[r + d];
        }
        for (int d = 0; d < hd; d++) java.util.Arrays.fill(dst, d * tPad + t, (d + 1) * tPad, 0f);
    }
}
