package org.intervene4j.bench.torch;

import org.bytedeco.pytorch.Tensor;

/**
 * A decoder-only language model written directly with libtorch ops (JavaCPP presets), for the
 * {@code model} benchmark. Weights are owned by the model until {@link #close}; call
 * {@link #forward} inside a {@link org.bytedeco.javacpp.PointerScope} so per-step tensors are
 * freed (the cache keeps its own references).
 */
public interface TorchCausalLM extends AutoCloseable {
    /**
     * Logits {@code [1, 1, vocab]} (in the weights' dtype) of the last of {@code ids}, for one
     * example whose earlier tokens are in {@code cache}; appends this step's keys and values (of
     * every id) to it. The final norm and LM head run on the last position only, as Hugging
     * Face's generate does in the prefill (and as our Generator does).
     */
    Tensor forward(long[] ids, TorchKvCache cache);

    /** Number of layers (for a fresh cache). */
    int layers();

    /** The weights' libtorch dtype, "float32" or "bfloat16". */
    String dtype();

    /** Bytes of the distinct weight tensors (a tied embedding counted once). */
    long weightBytes();

    /** Frees the weights. */
    @Override
    void close();
}
