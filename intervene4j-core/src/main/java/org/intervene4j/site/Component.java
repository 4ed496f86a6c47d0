package org.intervene4j.site;

/**
 * The places inside a transformer where an activation can be read or replaced. Per-layer
 * components exist once in every block; model-level ones once per model. The canonical
 * strings follow pyvene's component names (see docs/sites.md for shapes per family).
 */
public enum Component {
    /** Token (+ learned position / token type) embeddings entering block 0: [batch, seq, d_model]. */
    EMBEDDINGS("embeddings", false, false),
    /** Residual stream before the block: [batch, seq, d_model]. */
    BLOCK_INPUT("block_input", true, false),
    /** Input of attention after the first norm: [batch, seq, d_model]. */
    ATTENTION_INPUT("attention_input", true, false),
    /** Query projection output before rotary: [batch, seq, heads * head_dim]. */
    QUERY_OUTPUT("query_output", true, true),
    /** Key projection output before rotary: [batch, seq, kv_heads * head_dim]. */
    KEY_OUTPUT("key_output", true, true),
    /** Value projection output: [batch, seq, kv_heads * head_dim]. */
    VALUE_OUTPUT("value_output", true, true),
    /** Post-softmax attention pattern: [batch, heads, q, k]. */
    ATTENTION_WEIGHTS("attention_weights", true, false),
    /** Concatenated per-head outputs, the input of the output projection: [batch, seq, heads * head_dim]. */
    ATTENTION_VALUE_OUTPUT("attention_value_output", true, true),
    /** Attention block output before the residual add: [batch, seq, d_model]. */
    ATTENTION_OUTPUT("attention_output", true, false),
    /** MLP input after the second norm: [batch, seq, d_model]. */
    MLP_INPUT("mlp_input", true, false),
    /** MLP hidden neurons after the nonlinearity (and gating): [batch, seq, d_ff]. */
    MLP_ACTIVATION("mlp_activation", true, false),
    /** MLP output before the residual add: [batch, seq, d_model]. */
    MLP_OUTPUT("mlp_output", true, false),
    /** Residual stream after the block: [batch, seq, d_model]. */
    BLOCK_OUTPUT("block_output", true, false),
    /** Output of the final norm: [batch, seq, d_model]. */
    FINAL_NORM("final_norm", false, false),
    /** Output logits: [batch, seq, vocab]. */
    LOGITS("logits", false, false);

    /** The canonical name used in JSON and on the command line. */
    public final String key;
    /** True for components that exist once per block. */
    public final boolean perLayer;
    /** True for components that split into heads ({@code head_*} sites). */
    public final boolean hasHeads;

    Component(String key, boolean perLayer, boolean hasHeads) {
        this.key = key;
        this.perLayer = perLayer;
        this.hasHeads = hasHeads;
    }

    /** The component named {@code key}, or null. */
    public static Component byKey(String key) {
        for (Component c : values()) if (c.key.equals(key)) return c;
        return null;
    }
}
