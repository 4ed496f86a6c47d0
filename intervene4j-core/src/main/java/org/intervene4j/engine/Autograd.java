package org.intervene4j.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the graph of {@link GradNode}s. Only nodes reachable from
 * the root through tensors that require a gradient are visited; a node computes gradients
 * only for the inputs that need one.
 */
final class Autograd {
    private Autograd() {}

    static void backward(Tensor root, Tensor seed) {
        root.checkAlive("backward");
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): the tensor " + Shapes.str(root.shape) + " made by '" + root.op
                    + "' does not require grad: nothing in its graph requires a gradient");
        }
        if (seed == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward(): the output of '" + root.op + "' has shape "
                        + Shapes.str(root.shape) + "; reduce it to one element or pass a seed gradient of that shape");
            }
            seed = Tensor.full(1f, root.shape);
        } else if (!Shapes.same(seed.shape, root.shape)) {
            throw new IllegalArgumentException("backward(): seed gradient of shape " + Shapes.str(seed.shape)
                    + " does not match the output of '" + root.op + "' with shape " + Shapes.str(root.shape));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        pending.put(root, seed);
        try (GradMode off = GradMode.off()) {
            if (root.gradFn == null) {
                accumulateLeaf(root, seed);
                return;
            }
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = pending.remove(t);
                if (g == null) continue;
                if (t.retainsGrad()) accumulateLeaf(t, g);
                GradNode node = t.gradFn;
                Tensor[] grads = node.backward.apply(g, node.needs);
                for (int k = 0; k < node.inputs.length; k++) {
                    if (!node.needs[k]) continue;
                    Tensor in = node.inputs[k];
                    Tensor gi = grads[k];
                    if (gi == null || !Shapes.same(gi.shape, in.shape)) {
                        throw new IllegalStateException("backward of '" + node.op + "' returned a gradient of shape "
                                + (gi == null ? "null" : Shapes.str(gi.shape)) + " for input " + k + " of shape "
                                + Shapes.str(in.shape));
                    }
                    if (Anomaly.enabled()) Anomaly.check("backward of '" + node.op + "' (input " + k + ")", gi);
                    if (in.gradFn == null) {
                        accumulateLeaf(in, gi);
                    } else {
                        Tensor prev = pending.get(in);
                        if (prev == null) {
                            pending.put(in, gi);
                        } else {
                            pending.put(in, sum(prev, gi));
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code a + b} into a fresh tensor (neither input is modified: either may be a view of saved
     * data), in one pass of the vectorized, parallel add (backward runs without grad mode, so no
     * graph is recorded): the gradients of a fused projection's q/k/v views meet here as three
     * full-size tensors.
     */
    private static Tensor sum(Tensor a, Tensor b) {
        return Ops.add(a, b);
    }

    /** Adds {@code g} to the persistent gradient of a leaf (or retained) tensor. */
    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor grad = leaf.grad();
        if (grad == null) {
            grad = Tensor.zerosPersistent(leaf.shape);
            leaf.setGrad(grad);
        }
        grad.accumulateNoGrad(g);
    }

    /** Tensors with grad nodes reachable from root, each after all tensors it depends on. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        if (root.gradFn == null) return order;
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            GradNode node = t.gradFn;
            boolean descended = false;
            while (next < node.inputs.length) {
                Tensor in = node.inputs[next++];
                if (in != null && node.needs[next - 1] && in.gradFn != null && !visited.containsKey(in)) {
                    visited.put(in, Boolean.TRUE);
                    frame[1] = next;
                    stack.push(new Object[] {in, 0});
                    descended = true;
                    break;
                }
            }
            if (!descended) {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
