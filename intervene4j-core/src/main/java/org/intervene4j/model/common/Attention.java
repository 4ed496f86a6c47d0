package org.intervene4j.model.common;

import static org.intervene4j.engine.Ops.matmul;
import static org.intervene4j.engine.Ops.maskedSoftmax;
import static org.intervene4j.engine.Ops.rotary;
import static org.intervene4j.engine.Ops.scale;

import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.KvCache;
import org.intervene4j.site.Component;
import org.intervene4j.site.Sites;

/**
 * Scaled dot-product attention shared by every family: head split, optional rotary, KV cache,
 * grouped-query attention without copying keys (query heads of a group are folded into the
 * query length), the masked softmax, and the per-head merge. Calls the
 * {@code attention_weights} and {@code attention_value_output} sites. When no hook watches the
 * weights, the whole product runs as one fused op ({@link Ops#attention}).
 */
public final class Attention {
    private Attention() {}

    /**
     * What the family fixes about its attention.
     *
     * @param slidingWindow when > 0, a query sees only the last {@code slidingWindow} keys up
     *                      to itself (Mistral); 0 for full attention
     */
    public record Spec(int heads, int kvHeads, int headDim, boolean causal, int slidingWindow) {
        public Spec(int heads, int kvHeads, int headDim, boolean causal) {
            this(heads, kvHeads, headDim, causal, 0);
        }

        public Spec {
            if (heads % kvHeads != 0) {
                throw new IllegalArgumentException("attention: " + heads + " query heads are not a multiple of " + kvHeads + " kv heads");
            }
        }
    }

    /**
     * @param q       [batch, seq, heads * headDim] query projection (before rotary)
     * @param k       [batch, seq, kvHeads * headDim] key projection (before rotary)
     * @param v       [batch, seq, kvHeads * headDim] value projection
     * @param cos     rotary table [batch, seq, rot/2], or null for no rotary
     * @param sin     rotary table [batch, seq, rot/2], or null
     * @param keyMask [batch, past + seq] (1 = attend), or null when nothing is padded
     * @param cache   KV cache to read and extend, or null
     * @return [batch, seq, heads * headDim], the input of the output projection
     */
    public static Tensor attend(Spec spec, int layer, Tensor q, Tensor k, Tensor v, Tensor cos, Tensor sin,
                                Tensor keyMask, KvCache cache, Sites sites) {
        int b = q.size(0);
        int s = q.size(1);
        int h = spec.heads();
        int kvh = spec.kvHeads();
        int hd = spec.headDim();
        Tensor qh = q.reshape(b, s, h, hd).transpose(1, 2);   // [b, h, s, hd]
        Tensor kh = k.reshape(b, s, kvh, hd).transpose(1, 2); // [b, kvh, s, hd]
        Tensor vh = v.reshape(b, s, kvh, hd).transpose(1, 2); // [b, kvh, s, hd]
        if (cos != null) {
            qh = rotary(qh, cos, sin);
            kh = rotary(kh, cos, sin);
        }
        if (cache != null) {
            if (cache.keys(layer) != null) {
                kh = Ops.concat(2, cache.keys(layer), kh);
                vh = Ops.concat(2, cache.values(layer), vh);
            }
            cache.update(layer, kh, vh);
        }
        int t = kh.size(2);
        if (!sites.watches(layer, Component.ATTENTION_WEIGHTS)) {
            // Nobody reads the weights: the fused op never materializes [b, h, s, t].
            Tensor merged = Ops.attention(qh, kh, vh, (float) (1.0 / Math.sqrt(hd)), spec.causal(), spec.slidingWindow(), keyMask);
            return sites.at(layer, Component.ATTENTION_VALUE_OUTPUT, merged);         // [b, s, h * hd]
        }
        int group = h / kvh;
        // Fold the query heads of each kv group into the query length: [b, kvh, group * s, hd].
        Tensor qg = scale(qh, (float) (1.0 / Math.sqrt(hd))).contiguous().reshape(b, kvh, group * s, hd);
        Tensor scores = matmul(qg, kh.transpose(-1, -2)).reshape(b, h, s, t); // [b, h, s, t]
        if (spec.slidingWindow() > 0 && t > spec.slidingWindow()) {
            scores = Ops.maskedFill(scores, outsideWindow(s, t, spec.slidingWindow()), -Float.MAX_VALUE);
        }
        Tensor weights = maskedSoftmax(scores, spec.causal(), keyMask);      // [b, h, s, t]
        weights = sites.at(layer, Component.ATTENTION_WEIGHTS, weights);
        Tensor ctx = matmul(weights.reshape(b, kvh, group * s, t), vh).reshape(b, h, s, hd);
        Tensor merged = ctx.transpose(1, 2).reshape(b, s, h * hd);             // [b, s, h * hd]
        return sites.at(layer, Component.ATTENTION_VALUE_OUTPUT, merged);
    }

    /**
     * [1, 1, s, t] mask of keys older than the window: query i sits at key column
     * {@code t - s + i} and sees columns {@code j > t - s + i - window}. Real tokens of an
     * example are contiguous columns (padding sits before or after them), so column distance
     * equals position distance.
     */
    private static Tensor outsideWindow(int s, int t, int window) {
        Tensor m = Tensor.zeros(1, 1, s, t);
        float[] d = m.data();
        for (int i = 0; i < s; i++) {
            int last = t - s + i - window; // newest column outside the window
            for (int j = 0; j <= last; j++) d[i * t + j] = 1f;
        }
        return m;
    }
}
