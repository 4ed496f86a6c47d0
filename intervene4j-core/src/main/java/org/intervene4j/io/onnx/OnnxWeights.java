package org.intervene4j.io.onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import org.intervene4j.engine.Tensor;

/**
 * Names an ONNX export's weights the way the original checkpoint did. PyTorch exports keep
 * biases and norms under their module names but store Linear weights as anonymous
 * {@code onnx::MatMul_*} initializers in [in, out] layout; each is identified by following
 * its MatMul to the Add that applies a named bias {@code X.bias}, and becomes {@code X.weight}
 * in nn.Linear layout [out, in].
 */
public final class OnnxWeights {
    private OnnxWeights() {}

    /** Every float initializer by its checkpoint name (anonymous Linear weights renamed and transposed). */
    public static Map<String, Tensor> named(OnnxGraph g) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Tensor> init = g.initializers();
        for (Map.Entry<String, Tensor> e : init.entrySet()) {
            if (!e.getKey().startsWith("onnx::")) out.put(e.getKey(), e.getValue());
        }
        for (OnnxGraph.Node n : g.nodes()) {
            if (!n.opType().equals("MatMul") || n.inputs().size() != 2) continue;
            String weight = n.inputs().get(1);
            if (!weight.startsWith("onnx::") || !init.containsKey(weight)) continue;
            String bias = biasFedBy(g, n.outputs().get(0), init);
            if (bias == null) continue;
            String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
            out.put(name, init.get(weight).transpose(0, 1).contiguous()); // [in, out] -> [out, in]
        }
        return out;
    }

    /** The named bias initializer added to {@code value}, or null. */
    private static String biasFedBy(OnnxGraph g, String value, Map<String, Tensor> init) {
        for (OnnxGraph.Node add : g.consumers(value)) {
            if (!add.opType().equals("Add")) continue;
            for (String in : add.inputs()) {
                if (!in.equals(value) && in.endsWith(".bias") && init.containsKey(in)) return in;
            }
        }
        return null;
    }
}
