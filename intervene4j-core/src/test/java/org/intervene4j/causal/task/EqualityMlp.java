package org.intervene4j.causal.task;

import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.nn.Linear;
import org.intervene4j.nn.Module;

/** {@code in -> relu(hidden) -> relu(hidden) -> 2} logits, split at the first hidden layer for interventions. */
final class EqualityMlp extends Module {
    private final Linear first;  // [hidden, in]
    private final Linear second; // [hidden, hidden]
    private final Linear out;    // [2, hidden]

    EqualityMlp(int in, int hidden, Random rng) {
        this.first = child("first", new Linear(in, hidden, rng));
        this.second = child("second", new Linear(hidden, hidden, rng));
        this.out = child("out", new Linear(hidden, 2, rng));
    }

    /** {@code x [n, in] -> [n, hidden]}: the first hidden layer, where DAS intervenes. */
    Tensor hidden1(Tensor x) {
        return Ops.relu(first.forward(x));
    }

    /** {@code h1 [n, hidden] -> logits [n, 2]} (class 1 = true). */
    Tensor fromHidden1(Tensor h1) {
        return out.forward(Ops.relu(second.forward(h1)));
    }

    /** {@code x [n, in] -> logits [n, 2]}. */
    Tensor forward(Tensor x) {
        return fromHidden1(hidden1(x));
    }
}
