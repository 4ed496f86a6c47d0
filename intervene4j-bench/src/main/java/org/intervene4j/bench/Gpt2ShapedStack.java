package org.intervene4j.bench;

import org.intervene4j.engine.Ops;
import org.intervene4j.engine.PackedWeight;
import org.intervene4j.engine.Tensor;

/**
 * A GPT-2-small-shaped stack of pre-layer-norm transformer blocks in our engine, with frozen
 * weights (the four projection matrices of each block prepacked once, {@link PackedWeight}, as
 * the model zoo does for products of many rows) and one trainable matrix T on the residual stream:
 *
 * <pre>
 *   for each block:  x = x + attention(layerNorm1(x))       (causal, multi-head)
 *                    x = x + proj(gelu_tanh(fc(layerNorm2(x))))
 *   after block k:   x = x @ T
 * </pre>
 *
 * Weight layout: see {@link StackWeights} ({@code nn.Linear}'s {@code [out, in]}, used with
 * {@link Ops#linear}).
 */
public final class Gpt2ShapedStack {
    private final StackConfig c;
    private final BlockParams[] blocks;
    /** The intervention matrix {@code [d, d]}; requires grad. */
    private final Tensor t;

    private record BlockParams(Tensor ln1Gamma, Tensor ln1Beta, Proj wQkv, Tensor bQkv,
                               Proj wOut, Tensor bOut, Tensor ln2Gamma, Tensor ln2Beta,
                               Proj wFc, Tensor bFc, Proj wProj, Tensor bProj) {}

    /** A frozen projection {@code x W^T + b}: prepacked, or a plain tensor packed by every product. */
    private interface Proj {
        Tensor apply(Tensor x, Tensor bias);
    }

    private final boolean prepacked;

    /** The stack with its projection weights prepacked (as the model zoo holds them). */
    public Gpt2ShapedStack(StackWeights w) {
        this(w, true);
    }

    /**
     * Wraps copies of the weights as frozen tensors (the projections prepacked when
     * {@code prepacked}), and T as a tensor that requires grad.
     */
    public Gpt2ShapedStack(StackWeights w, boolean prepacked) {
        this.prepacked = prepacked;
        c = w.config;
        int d = c.dModel();
        int f = c.dMlp();
        blocks = new BlockParams[c.layers()];
        for (int l = 0; l < blocks.length; l++) {
            StackWeights.Block b = w.blocks[l];
            blocks[l] = new BlockParams(
                    frozen(b.ln1Gamma, d), frozen(b.ln1Beta, d),
                    packed(b.wQkv, 3 * d, d), frozen(b.bQkv, 3 * d),
                    packed(b.wOut, d, d), frozen(b.bOut, d),
                    frozen(b.ln2Gamma, d), frozen(b.ln2Beta, d),
                    packed(b.wFc, f, d), frozen(b.bFc, f),
                    packed(b.wProj, d, f), frozen(b.bProj, d));
        }
        t = Tensor.of(w.t.clone(), d, d).requiresGrad(true);
    }

    /** The trainable intervention matrix T {@code [d, d]}. */
    public Tensor t() {
        return t;
    }

    /** The stack's output residual stream for {@code x [batch, seq, d]}. */
    public Tensor forward(Tensor x) {
        for (int l = 0; l < blocks.length; l++) {
            x = block(blocks[l], x);
            if (l + 1 == c.interventionAfter()) {
                x = Ops.matmul(x, t); // [batch, seq, d] @ [d, d]
            }
        }
        return x;
    }

    /** The benchmark's loss: mean of squares of the output, a scalar that depends on T. */
    public static Tensor loss(Tensor out) {
        return Ops.mean(Ops.square(out));
    }

    // x: [batch, seq, d]
    private Tensor block(BlockParams p, Tensor x) {
        Tensor h = Ops.layerNorm(x, p.ln1Gamma(), p.ln1Beta(), c.eps());
        x = Ops.add(x, attention(p, h));
        h = Ops.layerNorm(x, p.ln2Gamma(), p.ln2Beta(), c.eps());
        return Ops.add(x, mlp(p, h));
    }

    // h: [batch, seq, d] -> [batch, seq, d]
    private Tensor attention(BlockParams p, Tensor h) {
        int b = h.size(0), s = h.size(1), d = c.dModel(), nh = c.heads(), hd = c.headDim();
        Tensor qkv = p.wQkv().apply(h, p.bQkv());                         // [b, s, 3d]
        Tensor heads = qkv.reshape(b, s, 3, nh, hd).permute(2, 0, 3, 1, 4);     // [3, b, nh, s, hd] (view)
        Tensor merged = Ops.attention(heads.select(0, 0), heads.select(0, 1), heads.select(0, 2),   // [b, s, d]
                (float) (1.0 / Math.sqrt(hd)), true, 0, null);                          // causal, fused
        return p.wOut().apply(merged, p.bOut());
    }

    // h: [batch, seq, d] -> [batch, seq, d]
    private Tensor mlp(BlockParams p, Tensor h) {
        Tensor up = Ops.gelu(p.wFc().apply(h, p.bFc()));                  // [b, s, mlp]
        return p.wProj().apply(up, p.bProj());
    }

    private static Tensor frozen(float[] values, int... shape) {
        return Tensor.of(values.clone(), shape);
    }

    /** A frozen weight {@code [out, in]}, prepacked for linear unless this stack times per-call packing. */
    private Proj packed(float[] values, int... shape) {
        Tensor w = frozen(values, shape);
        if (!prepacked) return (x, bias) -> Ops.linear(x, w, bias);
        PackedWeight p = PackedWeight.of(w);
        return (x, bias) -> Ops.linear(x, p, bias);
    }
}
