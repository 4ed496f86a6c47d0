package org.intervene4j.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        // Pending gradients this pass allocated and has not handed to any op: only these may be
        // written in place (any other may alias saved data or another pending gradient).
        Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        try (GradMode off = GradMode.off()) {
            if (root.gradFn == null) {
                accumulateLeaf(root, seed);
                return;
            }
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = pending.remove(t);
                if (g == null) continue;
                owned.remove(g);
                if (t.retainsGrad()) accumulateLeaf(t, g);
                GradNode node = t.gradFn;
                if (node.region != null) {
                    placeInRegion(node, g, pending, owned);
                    continue;
                }
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
                            owned.remove(prev);
                            Tensor total = sum(prev, gi);
                            pending.put(in, total);
                            owned.add(total);
                        }
                    }
                }
            }
        }
    }

    /**
     * The gradient {@code g} of a region view (narrow, select) added into that region of its
     * input's gradient: a leaf's own gradient, or the input's pending gradient, which becomes a
     * buffer this pass owns (zeros, or a copy of a gradient it does not own). So the q, k and v
     * views of a fused projection fill one buffer instead of three mostly-zero tensors and two
     * full-size sums.
     */
    private static void placeInRegion(GradNode node, Tensor g, Map<Tensor, Tensor> pending, Set<Tensor> owned) {
        if (!node.needs[0]) return;
        Tensor in = node.inputs[0];
        if (Anomaly.enabled()) Anomaly.check("backward of '" + node.op + "' (input 0)", g);
        if (in.gradFn == null) {
            Tensor grad = in.grad();
            if (grad == null) {
                grad = Tensor.zerosPersistent(in.shape);
                in.setGrad(grad);
            }
            node.region.of(grad).accumulateNoGrad(g);
            return;
        }
        Tensor buffer = pending.get(in);
        if (buffer == null) {
            buffer = Tensor.zeros(in.shape);
            node.region.of(buffer).copyFrom(g);
        } else {
            if (!owned.contains(buffer)) buffer = Tensor.empty(in.shape).copyFrom(buffer);
            node.region.of(buffer).accumulateNoGrad(g);
        }
        pending.put(in, buffer);
        owned.add(buffer);
    }

    /**
     * {@code a + b} into a fresh tensor (neither input is modified: either may be a view of saved
     * data), in one pass of the vectorized, parallel add (backward runs without grad mode, so no
     * graph is recorded). Views' gradients do not come here: {@link #placeInRegion}.
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
