"""Float64 numpy forward passes of the Hugging Face model families, recording every site.

Written from the public Hugging Face model definitions (modeling_gpt2, modeling_llama,
modeling_qwen2, modeling_mistral, modeling_gpt_neox, modeling_bert). Each forward takes the
checkpoint's config.json (a dict, read as HF reads it, with HF's defaults for absent fields),
the checkpoint's tensors by their HF names (float64 arrays) and one example's token ids, and
returns an ordered dict {site name: float64 array with a leading batch dim of 1}. Site names
and semantics are specified in docs/sites.md.
"""
import math
from collections import OrderedDict

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])


# ---------------------------------------------------------------- elementwise pieces

def gelu_erf(x):
    """HF "gelu": x * Phi(x) with the exact erf."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def gelu_tanh(x):
    """HF "gelu_new" / "gelu_pytorch_tanh": the tanh approximation."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x):
    return x / (1.0 + np.exp(-x))


ACTIVATIONS = {
    "gelu": gelu_erf,
    "gelu_new": gelu_tanh,
    "gelu_pytorch_tanh": gelu_tanh,
    "silu": silu,
    "swish": silu,
    "relu": lambda x: np.maximum(x, 0.0),
}


def layer_norm(x, weight, bias, eps):
    """LayerNorm over the last dim: biased variance, eps inside the square root."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def rms_norm(x, weight, eps):
    """Llama RMSNorm: x / sqrt(mean(x^2) + eps), then times the weight (no bias, no centering)."""
    return x / np.sqrt((x ** 2).mean(axis=-1, keepdims=True) + eps) * weight


def linear(x, weight, bias=None):
    """nn.Linear: weight is [out, in]."""
    y = x @ weight.T
    return y if bias is None else y + bias


def conv1d(x, weight, bias):
    """GPT-2 Conv1D: weight is [in, out]."""
    return x @ weight + bias


# ---------------------------------------------------------------- rotary

def rope_inv_freq(theta, rot_dims, scaling=None):
    """inv_freq[i] = theta^(-2i/rot_dims), i < rot_dims/2; optional llama3 rescaling."""
    inv_freq = 1.0 / (float(theta) ** (np.arange(0, rot_dims, 2, dtype=np.float64) / rot_dims))
    if scaling is None:
        return inv_freq
    rope_type = scaling.get("rope_type", scaling.get("type"))
    if rope_type == "default":
        return inv_freq
    if rope_type != "llama3":
        raise ValueError("rope type not covered by the reference: " + str(rope_type))
    factor = float(scaling["factor"])
    low = float(scaling["low_freq_factor"])
    high = float(scaling["high_freq_factor"])
    old_len = float(scaling["original_max_position_embeddings"])
    low_freq_wavelen = old_len / low
    high_freq_wavelen = old_len / high
    wavelen = 2.0 * math.pi / inv_freq
    # long wavelengths: divided by factor; short: unchanged; between: interpolated
    scaled = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (old_len / wavelen - low) / (high - low)
    smoothed = (1.0 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelen >= high_freq_wavelen) & (wavelen <= low_freq_wavelen)
    return np.where(medium, smoothed, scaled)


def rope_cos_sin(inv_freq, seq):
    """cos/sin tables [seq, rot_dims]: angles (pos * inv_freq) concatenated with themselves."""
    angles = np.arange(seq, dtype=np.float64)[:, None] * inv_freq[None, :]
    emb = np.concatenate([angles, angles], axis=-1)
    return np.cos(emb), np.sin(emb)


def apply_rotary(x, cos, sin):
    """Rotate-half rotary on the first cos.shape[-1] dims of x [seq, heads, head_dim];
    the remaining dims pass through (GPT-NeoX partial rotary)."""
    rot = cos.shape[-1]
    x_rot, x_pass = x[..., :rot], x[..., rot:]
    half = rot // 2
    rotated_half = np.concatenate([-x_rot[..., half:], x_rot[..., :half]], axis=-1)
    c, s = cos[:, None, :], sin[:, None, :]
    return np.concatenate([x_rot * c + rotated_half * s, x_pass], axis=-1)


# ---------------------------------------------------------------- attention

def attention(q, k, v, scale, causal=True, window=None):
    """Eager attention. q [seq, H, hd]; k, v [seq, KV, hd] with H a multiple of KV: query head
    h reads kv head h // (H / KV) (HF repeat_kv). Returns (weights [H, q, k], z [seq, H*hd])."""
    seq, n_heads, hd = q.shape
    n_rep = n_heads // k.shape[1]
    assert n_rep * k.shape[1] == n_heads
    k = np.repeat(k, n_rep, axis=1)
    v = np.repeat(v, n_rep, axis=1)
    scores = np.einsum("qhd,khd->hqk", q, k) * scale
    qi = np.arange(seq)[:, None]
    ki = np.arange(seq)[None, :]
    allowed = np.ones((seq, seq), dtype=bool)
    if causal:
        allowed &= ki <= qi
    if window is not None:
        allowed &= ki > qi - window  # HF sliding_window_overlay: window keys incl. itself
    scores = np.where(allowed[None], scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    weights = e / e.sum(axis=-1, keepdims=True)
    z = np.einsum("hqk,khd->qhd", weights, v).reshape(seq, n_heads * hd)
    return weights, z


def _heads(x, n):
    """[seq, n*hd] -> [seq, n, hd]"""
    return x.reshape(x.shape[0], n, -1)


class Recorder:
    """Collects sites as [1, ...] arrays, in the order they occur in the forward pass. With a
    hook, each site's value is first passed through hook(name, value) [seq, ...] and the forward
    continues with (and records) what it returns: that is how interventions are applied."""

    def __init__(self, hook=None):
        self.sites = OrderedDict()
        self.hook = hook

    def __call__(self, name, value):
        if self.hook is not None and not name.startswith("aux."):
            value = self.hook(name, value)
        self.sites[name] = np.asarray(value, dtype=np.float64)[None].copy()
        return value


# ---------------------------------------------------------------- GPT-2

def gpt2_forward(cfg, w, ids, token_type_ids=None, hook=None):
    rec = Recorder(hook)
    pre = "transformer." if "transformer.wte.weight" in w else ""
    d, n_heads = cfg["n_embd"], cfg["n_head"]
    hd = d // n_heads
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    act = ACTIVATIONS[cfg.get("activation_function", "gelu_new")]
    assert not cfg.get("scale_attn_by_inverse_layer_idx", False)
    scale = 1.0 / math.sqrt(hd) if cfg.get("scale_attn_weights", True) else 1.0
    seq = len(ids)
    x = rec("embeddings", w[pre + "wte.weight"][ids] + w[pre + "wpe.weight"][np.arange(seq)])
    for layer in range(cfg["n_layer"]):
        p = "%sh.%d." % (pre, layer)
        b = "blocks.%d." % layer
        x = rec(b + "block_input", x)
        a_in = rec(b + "attention_input", layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps))
        qkv = conv1d(a_in, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"])
        q = rec(b + "query_output", qkv[:, :d])
        k = rec(b + "key_output", qkv[:, d:2 * d])
        v = rec(b + "value_output", qkv[:, 2 * d:])
        weights, z = attention(_heads(q, n_heads), _heads(k, n_heads), _heads(v, n_heads), scale)
        rec(b + "attention_weights", weights)
        z = rec(b + "attention_value_output", z)
        attn = rec(b + "attention_output", conv1d(z, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"]))
        h = x + attn
        m_in = rec(b + "mlp_input", layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps))
        a = rec(b + "mlp_activation", act(conv1d(m_in, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"])))
        m_out = rec(b + "mlp_output", conv1d(a, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"]))
        x = rec(b + "block_output", h + m_out)
    f = rec("final_norm", layer_norm(x, w[pre + "ln_f.weight"], w[pre + "ln_f.bias"], eps))
    tied = cfg.get("tie_word_embeddings", True)
    unembed = w[pre + "wte.weight"] if tied else w["lm_head.weight"]
    rec("logits", f @ unembed.T)
    return rec.sites


# ---------------------------------------------------------------- Llama / Qwen2 / Mistral

def llama_like_settings(cfg):
    """Attention layout and rotary settings as HF derives them from a llama/qwen2/mistral config."""
    mt = cfg["model_type"]
    n_heads = cfg["num_attention_heads"]
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // n_heads
    n_kv = cfg.get("num_key_value_heads") or n_heads
    rope = cfg.get("rope_parameters") or cfg.get("rope_scaling")
    theta = (rope or {}).get("rope_theta", cfg.get("rope_theta", 10000.0))
    window = None
    if mt == "mistral":
        window = cfg.get("sliding_window")
    elif mt == "qwen2" and cfg.get("use_sliding_window", False):
        raise ValueError("qwen2 sliding window layers are not covered by the reference")
    qkv_bias = mt == "qwen2" or cfg.get("attention_bias", False)
    o_bias = mt != "qwen2" and cfg.get("attention_bias", False)
    mlp_bias = mt == "llama" and cfg.get("mlp_bias", False)
    return dict(n_heads=n_heads, head_dim=head_dim, n_kv=n_kv, theta=theta, rope=rope, window=window,
                qkv_bias=qkv_bias, o_bias=o_bias, mlp_bias=mlp_bias)


def llama_forward(cfg, w, ids, token_type_ids=None, hook=None):
    rec = Recorder(hook)
    s = llama_like_settings(cfg)
    n_heads, hd, n_kv = s["n_heads"], s["head_dim"], s["n_kv"]
    eps = cfg.get("rms_norm_eps", 1e-6)
    act = ACTIVATIONS[cfg.get("hidden_act", "silu")]
    seq = len(ids)
    inv_freq = rope_inv_freq(s["theta"], hd, s["rope"])
    cos, sin = rope_cos_sin(inv_freq, seq)
    rec("aux.rotary_inv_freq", inv_freq)
    x = rec("embeddings", w["model.embed_tokens.weight"][ids])

    def opt(name, present):
        return w[name] if present else None

    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        b = "blocks.%d." % layer
        x = rec(b + "block_input", x)
        a_in = rec(b + "attention_input", rms_norm(x, w[p + "input_layernorm.weight"], eps))
        q = rec(b + "query_output", linear(a_in, w[p + "self_attn.q_proj.weight"],
                                           opt(p + "self_attn.q_proj.bias", s["qkv_bias"])))
        k = rec(b + "key_output", linear(a_in, w[p + "self_attn.k_proj.weight"],
                                         opt(p + "self_attn.k_proj.bias", s["qkv_bias"])))
        v = rec(b + "value_output", linear(a_in, w[p + "self_attn.v_proj.weight"],
                                           opt(p + "self_attn.v_proj.bias", s["qkv_bias"])))
        q_rot = apply_rotary(_heads(q, n_heads), cos, sin)
        k_rot = apply_rotary(_heads(k, n_kv), cos, sin)
        rec("aux." + b + "query_rotated", q_rot.reshape(seq, -1))
        rec("aux." + b + "key_rotated", k_rot.reshape(seq, -1))
        weights, z = attention(q_rot, k_rot, _heads(v, n_kv), hd ** -0.5, window=s["window"])
        rec(b + "attention_weights", weights)
        z = rec(b + "attention_value_output", z)
        attn = rec(b + "attention_output", linear(z, w[p + "self_attn.o_proj.weight"],
                                                  opt(p + "self_attn.o_proj.bias", s["o_bias"])))
        h = x + attn
        m_in = rec(b + "mlp_input", rms_norm(h, w[p + "post_attention_layernorm.weight"], eps))
        gate = linear(m_in, w[p + "mlp.gate_proj.weight"], opt(p + "mlp.gate_proj.bias", s["mlp_bias"]))
        up = linear(m_in, w[p + "mlp.up_proj.weight"], opt(p + "mlp.up_proj.bias", s["mlp_bias"]))
        a = rec(b + "mlp_activation", act(gate) * up)
        m_out = rec(b + "mlp_output", linear(a, w[p + "mlp.down_proj.weight"],
                                             opt(p + "mlp.down_proj.bias", s["mlp_bias"])))
        x = rec(b + "block_output", h + m_out)
    f = rec("final_norm", rms_norm(x, w["model.norm.weight"], eps))
    unembed = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    rec("logits", f @ unembed.T)
    return rec.sites


# ---------------------------------------------------------------- GPT-NeoX

def neox_settings(cfg):
    """Rotary settings, resolving the field names of the HF versions: v5 `rope_parameters`,
    then flat `rope_theta`/`partial_rotary_factor`, then the original `rotary_emb_base`/`rotary_pct`."""
    rp = cfg.get("rope_parameters") or {}
    theta = rp.get("rope_theta", cfg.get("rope_theta", cfg.get("rotary_emb_base", 10000)))
    pct = rp.get("partial_rotary_factor", cfg.get("partial_rotary_factor", cfg.get("rotary_pct", 0.25)))
    return float(theta), float(pct)


def gpt_neox_forward(cfg, w, ids, token_type_ids=None, hook=None):
    rec = Recorder(hook)
    d, n_heads = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // n_heads
    theta, pct = neox_settings(cfg)
    rot = int(hd * pct)
    eps = cfg.get("layer_norm_eps", 1e-5)
    act = ACTIVATIONS[cfg.get("hidden_act", "gelu")]
    parallel = cfg.get("use_parallel_residual", True)
    has_bias = cfg.get("attention_bias", True)
    seq = len(ids)
    inv_freq = rope_inv_freq(theta, rot)
    cos, sin = rope_cos_sin(inv_freq, seq)
    rec("aux.rotary_inv_freq", inv_freq)
    x = rec("embeddings", w["gpt_neox.embed_in.weight"][ids])
    for layer in range(cfg["num_hidden_layers"]):
        p = "gpt_neox.layers.%d." % layer
        b = "blocks.%d." % layer
        x = rec(b + "block_input", x)
        a_in = rec(b + "attention_input", layer_norm(x, w[p + "input_layernorm.weight"],
                                                     w[p + "input_layernorm.bias"], eps))
        qkv = linear(a_in, w[p + "attention.query_key_value.weight"],
                     w[p + "attention.query_key_value.bias"] if has_bias else None)
        qkv = qkv.reshape(seq, n_heads, 3, hd)  # fused rows are laid out [heads, (q, k, v), head_dim]
        q = rec(b + "query_output", qkv[:, :, 0, :].reshape(seq, d))
        k = rec(b + "key_output", qkv[:, :, 1, :].reshape(seq, d))
        v = rec(b + "value_output", qkv[:, :, 2, :].reshape(seq, d))
        q_rot = apply_rotary(_heads(q, n_heads), cos, sin)
        k_rot = apply_rotary(_heads(k, n_heads), cos, sin)
        rec("aux." + b + "query_rotated", q_rot.reshape(seq, -1))
        rec("aux." + b + "key_rotated", k_rot.reshape(seq, -1))
        weights, z = attention(q_rot, k_rot, _heads(v, n_heads), hd ** -0.5)
        rec(b + "attention_weights", weights)
        z = rec(b + "attention_value_output", z)
        attn = rec(b + "attention_output", linear(z, w[p + "attention.dense.weight"],
                                                  w[p + "attention.dense.bias"] if has_bias else None))
        mlp_source = x if parallel else x + attn
        m_in = rec(b + "mlp_input", layer_norm(mlp_source, w[p + "post_attention_layernorm.weight"],
                                               w[p + "post_attention_layernorm.bias"], eps))
        a = rec(b + "mlp_activation", act(linear(m_in, w[p + "mlp.dense_h_to_4h.weight"],
                                                 w[p + "mlp.dense_h_to_4h.bias"])))
        m_out = rec(b + "mlp_output", linear(a, w[p + "mlp.dense_4h_to_h.weight"], w[p + "mlp.dense_4h_to_h.bias"]))
        x = rec(b + "block_output", x + attn + m_out)
    f = rec("final_norm", layer_norm(x, w["gpt_neox.final_layer_norm.weight"],
                                     w["gpt_neox.final_layer_norm.bias"], eps))
    unembed = w["gpt_neox.embed_in.weight"] if cfg.get("tie_word_embeddings", False) else w["embed_out.weight"]
    rec("logits", f @ unembed.T)
    return rec.sites


# ---------------------------------------------------------------- BERT

def bert_forward(cfg, w, ids, token_type_ids=None, hook=None):
    rec = Recorder(hook)
    pre = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
    d, n_heads = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // n_heads
    eps = cfg.get("layer_norm_eps", 1e-12)
    act = ACTIVATIONS[cfg.get("hidden_act", "gelu")]
    assert cfg.get("position_embedding_type", "absolute") == "absolute"
    seq = len(ids)
    tt = np.zeros(seq, dtype=np.int64) if token_type_ids is None else np.asarray(token_type_ids)
    e = pre + "embeddings."
    summed = (w[e + "word_embeddings.weight"][ids] + w[e + "position_embeddings.weight"][np.arange(seq)]
              + w[e + "token_type_embeddings.weight"][tt])
    x = rec("embeddings", layer_norm(summed, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], eps))
    for layer in range(cfg["num_hidden_layers"]):
        p = "%sencoder.layer.%d." % (pre, layer)
        b = "blocks.%d." % layer
        x = rec(b + "block_input", x)
        a_in = rec(b + "attention_input", x)  # post-LN: the attention reads the residual stream directly
        sa = p + "attention.self."
        q = rec(b + "query_output", linear(a_in, w[sa + "query.weight"], w[sa + "query.bias"]))
        k = rec(b + "key_output", linear(a_in, w[sa + "key.weight"], w[sa + "key.bias"]))
        v = rec(b + "value_output", linear(a_in, w[sa + "value.weight"], w[sa + "value.bias"]))
        weights, z = attention(_heads(q, n_heads), _heads(k, n_heads), _heads(v, n_heads),
                               1.0 / math.sqrt(hd), causal=False)
        rec(b + "attention_weights", weights)
        z = rec(b + "attention_value_output", z)
        ao = p + "attention.output."
        attn = rec(b + "attention_output", linear(z, w[ao + "dense.weight"], w[ao + "dense.bias"]))
        m_in = rec(b + "mlp_input", layer_norm(attn + x, w[ao + "LayerNorm.weight"], w[ao + "LayerNorm.bias"], eps))
        a = rec(b + "mlp_activation", act(linear(m_in, w[p + "intermediate.dense.weight"],
                                                 w[p + "intermediate.dense.bias"])))
        m_out = rec(b + "mlp_output", linear(a, w[p + "output.dense.weight"], w[p + "output.dense.bias"]))
        x = rec(b + "block_output", layer_norm(m_out + m_in, w[p + "output.LayerNorm.weight"],
                                               w[p + "output.LayerNorm.bias"], eps))
    rec("last_hidden_state", x)
    rec("pooler_output", np.tanh(linear(x[0], w[pre + "pooler.dense.weight"], w[pre + "pooler.dense.bias"])))
    rec("mean_pooling", x.mean(axis=0))
    if "cls.predictions.bias" in w:
        t = "cls.predictions.transform."
        hidden = act(linear(x, w[t + "dense.weight"], w[t + "dense.bias"]))
        hidden = layer_norm(hidden, w[t + "LayerNorm.weight"], w[t + "LayerNorm.bias"], eps)
        decoder = w.get("cls.predictions.decoder.weight", w[e + "word_embeddings.weight"])
        rec("logits", hidden @ decoder.T + w["cls.predictions.bias"])
    return rec.sites


FORWARDS = {
    "gpt2": gpt2_forward,
    "llama": llama_forward,
    "qwen2": llama_forward,
    "mistral": llama_forward,
    "gpt_neox": gpt_neox_forward,
    "bert": bert_forward,
}


def forward(cfg, weights, ids, token_type_ids=None, hook=None):
    """Every site of one example; hook(name, value) may replace a site's value (see Recorder)."""
    return FORWARDS[cfg["model_type"]](cfg, weights, np.asarray(ids, dtype=np.int64), token_type_ids, hook)
