package org.intervene4j.nn;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/** A pre-LN transformer block: {@code x + attn(ln1(x))}, then {@code + mlp(ln2(.))}. */
public final class TransformerBlock extends Module {
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;

    public TransformerBlock(int dim, int heads, int mlpHidden, Random rng) {
        this.ln1 = child("ln1", new LayerNorm(dim));
        this.attn = child("attn", new CausalSelfAttention(dim, heads, rng));
        this.ln2 = child("ln2", new LayerNorm(dim));
        this.mlp = child("mlp", new Mlp(dim, mlpHidden, rng));
    }

    /** {@code x [batch, seq, dim] -> [batch, seq, dim]}; keyMask {@code [batch, seq]} or null. */
    public Tensor forward(Tensor x, Tensor keyMask) {
        Tensor afterAttn = Ops.add(x, attn.forward(ln1.forward(x), keyMask));   // [batch, seq, dim]
        return Ops.add(afterAttn, mlp.forward(ln2.forward(afterAttn)));          // [batch, seq, dim]
    }
}
