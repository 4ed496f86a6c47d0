package org.intervene4j.bench.torch;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.intervene4j.bench.StackConfig;
import org.intervene4j.bench.StackWeights;

/**
 * The same stack as {@link org.intervene4j.bench.Gpt2ShapedStack} in libtorch (JavaCPP presets),
 * op for op: {@code linear}, {@code layer_norm}, {@code gelu(approximate="tanh")}, {@code matmul},
 * and softmax over scores plus an additive causal mask (0 on and below the diagonal, -inf above).
 *
 * <p>All weight tensors are made outside any {@code PointerScope} and live as long as the
 * process; call {@link #forward} inside a scope so the per-step tensors are freed.
 */
public final class TorchGpt2ShapedStack {
    private final StackConfig c;
    private final BlockParams[] blocks;
    private final Tensor t;
    private final Tensor causalMask; // [seq, seq]
    private final long[] normShape;
    private final Scalar attentionScale;

    private record BlockParams(TensorOptional ln1Gamma, TensorOptional ln1Beta, Tensor wQkv, TensorOptional bQkv,
                               Tensor wOut, TensorOptional bOut, TensorOptional ln2Gamma, TensorOptional ln2Beta,
                               Tensor wFc, TensorOptional bFc, Tensor wProj, TensorOptional bProj) {}

    /** Loads the weights (frozen) and T (requires grad). */
    public TorchGpt2ShapedStack(StackWeights w) {
        c = w.config;
        int d = c.dModel();
        int f = c.dMlp();
        blocks = new BlockParams[c.layers()];
        for (int l = 0; l < blocks.length; l++) {
            StackWeights.Block b = w.blocks[l];
            blocks[l] = new BlockParams(
                    opt(b.ln1Gamma, d), opt(b.ln1Beta, d),
                    TorchSupport.fromArray(b.wQkv, 3L * d, d), opt(b.bQkv, 3 * d),
                    TorchSupport.fromArray(b.wOut, d, d), opt(b.bOut, d),
                    opt(b.ln2Gamma, d), opt(b.ln2Beta, d),
                    TorchSupport.fromArray(b.wFc, f, d), opt(b.bFc, f),
                    TorchSupport.fromArray(b.wProj, d, f), opt(b.bProj, d));
        }
        t = TorchSupport.fromArray(w.t, d, d).requires_grad_(true);
        int s = c.seq();
        float[] mask = new float[s * s];
        for (int i = 0; i < s; i++) {
            for (int j = i + 1; j < s; j++) mask[i * s + j] = Float.NEGATIVE_INFINITY;
        }
        causalMask = TorchSupport.fromArray(mask, s, s);
        normShape = new long[] {d};
        attentionScale = new Scalar((float) (1.0 / Math.sqrt(c.headDim())));
    }

    /** The trainable intervention matrix T {@code [d, d]}. */
    public Tensor t() {
        return t;
    }

    /** A libtorch copy of the stack's input, {@code [batch, seq, d]}. */
    public Tensor input(StackWeights w) {
        return TorchSupport.fromArray(w.input, c.batch(), c.seq(), c.dModel());
    }

    /** The output residual stream for {@code x [batch, seq, d]}. */
    public Tensor forward(Tensor x) {
        for (int l = 0; l < blocks.length; l++) {
            x = block(blocks[l], x);
            if (l + 1 == c.interventionAfter()) x = torch.matmul(x, t);
        }
        return x;
    }

    /** Mean of squares of the output, as in {@link org.intervene4j.bench.Gpt2ShapedStack#loss}. */
    public static Tensor loss(Tensor out) {
        return out.mul(out).mean();
    }

    private Tensor block(BlockParams p, Tensor x) {
        Tensor h = torch.layer_norm(x, normShape, p.ln1Gamma(), p.ln1Beta(), c.eps(), false);
        x = x.add(attention(p, h));
        h = torch.layer_norm(x, normShape, p.ln2Gamma(), p.ln2Beta(), c.eps(), false);
        return x.add(mlp(p, h));
    }

    private Tensor attention(BlockParams p, Tensor h) {
        long b = c.batch(), s = c.seq(), d = c.dModel(), nh = c.heads(), hd = c.headDim();
        Tensor qkv = torch.linear(h, p.wQkv(), p.bQkv());                         // [b, s, 3d]
        Tensor heads = qkv.reshape(b, s, 3, nh, hd).permute(2, 0, 3, 1, 4);       // [3, b, nh, s, hd]
        Tensor q = heads.select(0, 0);
        Tensor k = heads.select(0, 1);
        Tensor v = heads.select(0, 2);
        Tensor scores = torch.matmul(q, k.transpose(-1, -2)).mul(attentionScale); // [b, nh, s, s]
        Tensor probs = scores.add(causalMask).softmax(-1);
        Tensor ctx = torch.matmul(probs, v);                                      // [b, nh, s, hd]
        Tensor merged = ctx.transpose(1, 2).reshape(b, s, d);
        return torch.linear(merged, p.wOut(), p.bOut());
    }

    private Tensor mlp(BlockParams p, Tensor h) {
        Tensor up = torch.gelu(torch.linear(h, p.wFc(), p.bFc()), "tanh");
        return torch.linear(up, p.wProj(), p.bProj());
    }

    private static TensorOptional opt(float[] values, int n) {
        return new TensorOptional(TorchSupport.fromArray(values, n));
    }
}
