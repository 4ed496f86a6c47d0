package org.intervene4j.engine.op;

import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;

/** Input preparation shared by the fused row and indexing ops. */
final class OpInputs {
    private OpInputs() {}

    /**
     * A contiguous view or copy of t, recording no graph node: the calling op records itself
     * against the original input, so the copy must not appear in the graph.
     */
    static Tensor contiguousNoGrad(Tensor t) {
        if (t.isContiguous()) return t;
        try (GradMode off = GradMode.off()) {
            return t.contiguous();
        }
    }
}
