package org.intervene4j.nn;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/** The transformer feed-forward block: {@code proj(gelu(fc(x)))}, widening to {@code hidden} in between. */
public final class Mlp extends Module {
    private final Linear fc;   // [hidden, dim]
    private final Linear proj; // [dim, hidden]

    public Mlp(int dim, int hidden, Random rng) {
        this.fc = child("fc", new Linear(dim, hidden, rng));
        this.proj = child("proj", new Linear(hidden, dim, rng));
    }

    /** {@code x [..., dim] -> [..., dim]}. */
    public Tensor forward(Tensor x) {
        Tensor h = fc.forward(x);       // [..., hidden]
        Tensor a = Ops.gelu(h);         // [..., hidden]
        return proj.forward(a);         // [..., dim]
    }
}
