"""The fixture checkpoints: each variant's config.json (as Hugging Face writes it for that
model_type) and random weights under HF's real tensor names and layouts."""
import numpy as np

TRANSFORMERS_VERSION = "4.44.2"
DTYPE_NAMES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


class Init:
    """Random weights at scales that keep activations O(1) and attention patterns non-uniform."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def normal(self, shape, std):
        return self.rng.standard_normal(shape) * std

    def linear(self, out_dim, in_dim):  # nn.Linear layout [out, in]
        return self.normal((out_dim, in_dim), 1.0 / np.sqrt(in_dim))

    def conv1d(self, in_dim, out_dim):  # GPT-2 Conv1D layout [in, out]
        return self.normal((in_dim, out_dim), 1.0 / np.sqrt(in_dim))

    def bias(self, n):
        return self.normal((n,), 0.2)

    def norm_weight(self, n):
        return 1.0 + self.normal((n,), 0.2)

    def embedding(self, n, d, std=1.0):
        return self.normal((n, d), std)


# ---------------------------------------------------------------- GPT-2

def gpt2_config(vocab=40, d=16, layers=2, heads=4, n_positions=32, n_inner=None, eps=1e-5,
                act="gelu_new", tie=None, dtype="F32"):
    cfg = {
        "activation_function": act, "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
        "bos_token_id": vocab - 1, "embd_pdrop": 0.1, "eos_token_id": vocab - 1, "initializer_range": 0.02,
        "layer_norm_epsilon": eps, "model_type": "gpt2", "n_ctx": n_positions, "n_embd": d, "n_head": heads,
        "n_inner": n_inner, "n_layer": layers, "n_positions": n_positions, "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1, "scale_attn_by_inverse_layer_idx": False, "scale_attn_weights": True,
        "summary_activation": None, "summary_first_dropout": 0.1, "summary_proj_to_labels": True,
        "summary_type": "cls_index", "summary_use_proj": True, "torch_dtype": DTYPE_NAMES[dtype],
        "transformers_version": TRANSFORMERS_VERSION, "use_cache": True, "vocab_size": vocab,
    }
    if tie is not None:
        cfg["tie_word_embeddings"] = tie
    return cfg


def gpt2_weights(cfg, init, prefix="transformer.", causal_buffers=False):
    d, n_pos, vocab = cfg["n_embd"], cfg["n_positions"], cfg["vocab_size"]
    inner = cfg["n_inner"] or 4 * d
    w = {prefix + "wte.weight": init.embedding(vocab, d), prefix + "wpe.weight": init.normal((n_pos, d), 0.5)}
    for layer in range(cfg["n_layer"]):
        p = "%sh.%d." % (prefix, layer)
        w[p + "ln_1.weight"], w[p + "ln_1.bias"] = init.norm_weight(d), init.bias(d)
        w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"] = init.conv1d(d, 3 * d), init.bias(3 * d)
        w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"] = init.conv1d(d, d), init.bias(d)
        w[p + "ln_2.weight"], w[p + "ln_2.bias"] = init.norm_weight(d), init.bias(d)
        w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"] = init.conv1d(d, inner), init.bias(inner)
        w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"] = init.conv1d(inner, d), init.bias(d)
        if causal_buffers:
            # the original hub checkpoints carry the causal-mask buffer, F32 [1, 1, n_pos, n_pos]
            w[p + "attn.bias"] = np.tril(np.ones((n_pos, n_pos)))[None, None]
    w[prefix + "ln_f.weight"], w[prefix + "ln_f.bias"] = init.norm_weight(d), init.bias(d)
    if not cfg.get("tie_word_embeddings", True):
        w["lm_head.weight"] = init.embedding(vocab, d)
    return w


# ---------------------------------------------------------------- Llama / Qwen2 / Mistral

def llama_config(model_type="llama", vocab=40, d=16, layers=2, heads=4, kv_heads=2, head_dim=None,
                 inter=32, theta=10000.0, rope_scaling=None, tie=False, eps=1e-6, dtype="F32",
                 sliding_window=None, max_pos=64):
    arch = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "mistral": "MistralForCausalLM"}
    cfg = {
        "architectures": [arch[model_type]], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
        "hidden_act": "silu", "hidden_size": d, "initializer_range": 0.02, "intermediate_size": inter,
        "max_position_embeddings": max_pos, "model_type": model_type, "num_attention_heads": heads,
        "num_hidden_layers": layers, "num_key_value_heads": kv_heads, "rms_norm_eps": eps,
        "rope_theta": theta, "tie_word_embeddings": tie, "torch_dtype": DTYPE_NAMES[dtype],
        "transformers_version": TRANSFORMERS_VERSION, "use_cache": True, "vocab_size": vocab,
    }
    if head_dim is not None:
        cfg["head_dim"] = head_dim
    if model_type == "llama":
        cfg.update({"attention_bias": False, "mlp_bias": False, "pretraining_tp": 1, "rope_scaling": rope_scaling})
    elif model_type == "qwen2":
        cfg.update({"rope_scaling": None, "use_sliding_window": False, "sliding_window": sliding_window,
                    "max_window_layers": layers})
    elif model_type == "mistral":
        cfg["sliding_window"] = sliding_window
    return cfg


def llama_weights(cfg, init, embed_std=1.0):
    d, vocab, inter = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    heads, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or d // heads
    qkv_bias = cfg["model_type"] == "qwen2"
    w = {"model.embed_tokens.weight": init.embedding(vocab, d, embed_std)}
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        w[p + "input_layernorm.weight"] = init.norm_weight(d)
        w[p + "self_attn.q_proj.weight"] = init.linear(heads * hd, d)
        w[p + "self_attn.k_proj.weight"] = init.linear(kv * hd, d)
        w[p + "self_attn.v_proj.weight"] = init.linear(kv * hd, d)
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = init.bias(heads * hd)
            w[p + "self_attn.k_proj.bias"] = init.bias(kv * hd)
            w[p + "self_attn.v_proj.bias"] = init.bias(kv * hd)
        w[p + "self_attn.o_proj.weight"] = init.linear(d, heads * hd)
        w[p + "post_attention_layernorm.weight"] = init.norm_weight(d)
        w[p + "mlp.gate_proj.weight"] = init.linear(inter, d)
        w[p + "mlp.up_proj.weight"] = init.linear(inter, d)
        w[p + "mlp.down_proj.weight"] = init.linear(d, inter)
    w["model.norm.weight"] = init.norm_weight(d)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = init.embedding(vocab, d)
    return w


# ---------------------------------------------------------------- GPT-NeoX

def neox_config(vocab=40, d=16, layers=2, heads=2, inter=32, parallel=True, rope_style="v4",
                theta=10000, pct=0.25, eps=1e-5, dtype="F32"):
    cfg = {
        "architectures": ["GPTNeoXForCausalLM"], "attention_bias": True, "attention_dropout": 0.0,
        "bos_token_id": 0, "classifier_dropout": 0.1, "eos_token_id": 0, "hidden_act": "gelu",
        "hidden_dropout": 0.0, "hidden_size": d, "initializer_range": 0.02, "intermediate_size": inter,
        "layer_norm_eps": eps, "max_position_embeddings": 64, "model_type": "gpt_neox",
        "num_attention_heads": heads, "num_hidden_layers": layers, "tie_word_embeddings": False,
        "torch_dtype": DTYPE_NAMES[dtype], "use_cache": True, "use_parallel_residual": parallel,
        "vocab_size": vocab,
    }
    if rope_style == "v4":  # Pythia-style config: the original field names
        cfg.update({"rotary_emb_base": theta, "rotary_pct": pct, "rope_scaling": None,
                    "transformers_version": TRANSFORMERS_VERSION})
    else:  # what transformers v5 writes: rope settings under rope_parameters, rope_theta inside
        cfg.update({"rope_parameters": {"partial_rotary_factor": pct, "rope_theta": float(theta),
                                        "rope_type": "default"},
                    "transformers_version": "5.0.0"})
        cfg["dtype"] = cfg.pop("torch_dtype")  # recent transformers write `dtype`
    return cfg


def neox_weights(cfg, init):
    d, vocab, inter = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    w = {"gpt_neox.embed_in.weight": init.embedding(vocab, d)}
    for layer in range(cfg["num_hidden_layers"]):
        p = "gpt_neox.layers.%d." % layer
        w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"] = init.norm_weight(d), init.bias(d)
        w[p + "post_attention_layernorm.weight"] = init.norm_weight(d)
        w[p + "post_attention_layernorm.bias"] = init.bias(d)
        # fused projection: rows ordered [heads, (q, k, v), head_dim]
        w[p + "attention.query_key_value.weight"] = init.linear(3 * d, d)
        w[p + "attention.query_key_value.bias"] = init.bias(3 * d)
        w[p + "attention.dense.weight"], w[p + "attention.dense.bias"] = init.linear(d, d), init.bias(d)
        w[p + "mlp.dense_h_to_4h.weight"], w[p + "mlp.dense_h_to_4h.bias"] = init.linear(inter, d), init.bias(inter)
        w[p + "mlp.dense_4h_to_h.weight"], w[p + "mlp.dense_4h_to_h.bias"] = init.linear(d, inter), init.bias(d)
    w["gpt_neox.final_layer_norm.weight"] = init.norm_weight(d)
    w["gpt_neox.final_layer_norm.bias"] = init.bias(d)
    w["embed_out.weight"] = init.embedding(vocab, d)
    return w


# ---------------------------------------------------------------- BERT

def bert_config(vocab=40, d=16, layers=2, heads=4, inter=32, max_pos=32, type_vocab=2, dtype="F32"):
    return {
        "architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
        "gradient_checkpointing": False, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": d,
        "initializer_range": 0.02, "intermediate_size": inter, "layer_norm_eps": 1e-12,
        "max_position_embeddings": max_pos, "model_type": "bert", "num_attention_heads": heads,
        "num_hidden_layers": layers, "pad_token_id": 0, "position_embedding_type": "absolute",
        "torch_dtype": DTYPE_NAMES[dtype], "transformers_version": TRANSFORMERS_VERSION,
        "type_vocab_size": type_vocab, "use_cache": True, "vocab_size": vocab,
    }


def bert_weights(cfg, init):
    d, vocab, inter = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    e = "bert.embeddings."
    # small embeddings, as in trained BERTs, so that layer_norm_eps (1e-12) visibly matters
    w = {e + "word_embeddings.weight": init.embedding(vocab, d, 0.05),
         e + "position_embeddings.weight": init.normal((cfg["max_position_embeddings"], d), 0.02),
         e + "token_type_embeddings.weight": init.normal((cfg["type_vocab_size"], d), 0.02),
         e + "LayerNorm.weight": init.norm_weight(d), e + "LayerNorm.bias": init.bias(d)}
    for layer in range(cfg["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % layer
        for name in ("query", "key", "value"):
            w[p + "attention.self.%s.weight" % name] = init.linear(d, d)
            w[p + "attention.self.%s.bias" % name] = init.bias(d)
        w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"] = init.linear(d, d), init.bias(d)
        w[p + "attention.output.LayerNorm.weight"] = init.norm_weight(d)
        w[p + "attention.output.LayerNorm.bias"] = init.bias(d)
        w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"] = init.linear(inter, d), init.bias(inter)
        w[p + "output.dense.weight"], w[p + "output.dense.bias"] = init.linear(d, inter), init.bias(d)
        w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"] = init.norm_weight(d), init.bias(d)
    w["bert.pooler.dense.weight"], w["bert.pooler.dense.bias"] = init.linear(d, d), init.bias(d)
    # pre-training heads as in bert-base-uncased; the MLM decoder weight is tied to word_embeddings
    t = "cls.predictions.transform."
    w[t + "dense.weight"], w[t + "dense.bias"] = init.linear(d, d), init.bias(d)
    w[t + "LayerNorm.weight"], w[t + "LayerNorm.bias"] = init.norm_weight(d), init.bias(d)
    w["cls.predictions.bias"] = init.bias(vocab)
    w["cls.seq_relationship.weight"], w["cls.seq_relationship.bias"] = init.linear(2, d), init.bias(2)
    return w


def small_embed_llama(cfg, init):
    """Embeddings with std 0.02 as in trained Llamas: the first RMSNorm then sees mean(x^2) ~ 4e-4,
    so rms_norm_eps (1e-6) changes its output by ~1e-3 and a wrong eps is caught."""
    return llama_weights(cfg, init, embed_std=0.02)


# ---------------------------------------------------------------- the list

def variants():
    """name -> (description, config, weights function(cfg, init), storage dtype)."""
    v = {}

    def add(name, desc, cfg, make, dtype="F32"):
        v[name] = (desc, cfg, make, dtype)

    add("gpt2", "GPT-2, tied embeddings, `transformer.` prefix (GPT2LMHeadModel.save_pretrained), no lm_head.weight",
        gpt2_config(), lambda c, i: gpt2_weights(c, i))
    add("gpt2_unprefixed", "GPT-2 as on the original hub checkpoints: no prefix, no lm_head.weight (tied), "
        "the causal-mask buffers h.N.attn.bias present (F32 [1,1,n_positions,n_positions]; a loader ignores them)",
        gpt2_config(heads=2), lambda c, i: gpt2_weights(c, i, prefix="", causal_buffers=True))
    add("gpt2_untied", "GPT-2 with tie_word_embeddings=false and its own lm_head.weight; also exercises "
        "n_inner (explicit), activation_function=\"gelu\" (exact erf) and layer_norm_epsilon=1e-3",
        gpt2_config(n_inner=40, eps=1e-3, act="gelu", tie=False), lambda c, i: gpt2_weights(c, i))
    add("gpt2_f16", "gpt2 stored in F16 (weights rounded to half; the reference computes in float64 from "
        "the rounded values)", gpt2_config(dtype="F16"), lambda c, i: gpt2_weights(c, i), "F16")
    add("gpt2_bf16", "gpt2 stored in BF16 (weights rounded to bfloat16, round-to-nearest-even)",
        gpt2_config(dtype="BF16"), lambda c, i: gpt2_weights(c, i), "BF16")
    add("llama", "Llama, GQA (4 query heads, 2 kv heads), explicit head_dim=6 != hidden/heads, untied lm_head, "
        "small (std 0.02) token embeddings so rms_norm_eps matters",
        llama_config(head_dim=6), small_embed_llama)
    add("llama3_rope", "Llama with rope_scaling llama3 (factor 8, low 1, high 4, original 64): with head_dim 8 "
        "and theta 1e4 the four frequencies fall in the high (kept), medium (interpolated) and low (divided) bands",
        llama_config(head_dim=8, rope_scaling={"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                               "original_max_position_embeddings": 64, "rope_type": "llama3"},
                     max_pos=512), llama_weights)
    add("llama_tied", "Llama with tie_word_embeddings=true (no lm_head.weight), MHA (2 heads = 2 kv heads), "
        "no head_dim field (hidden/heads = 8), rope_theta 1000",
        llama_config(heads=2, kv_heads=2, theta=1000.0, tie=True), llama_weights)
    add("llama_f16", "llama stored in F16", llama_config(head_dim=6, dtype="F16"), small_embed_llama, "F16")
    add("llama_bf16", "llama stored in BF16", llama_config(head_dim=6, dtype="BF16"), small_embed_llama, "BF16")
    add("qwen2", "Qwen2: q/k/v biases (o_proj none), tied embeddings, GQA 4/2, rope_theta 1e6; "
        "use_sliding_window=false so the (small) sliding_window field must be ignored",
        llama_config("qwen2", theta=1000000.0, tie=True, sliding_window=4), llama_weights)
    add("mistral", "Mistral, MQA (4 query heads, 1 kv head), sliding_window null",
        llama_config("mistral", kv_heads=1, eps=1e-5), llama_weights)
    add("mistral_sliding_window", "Mistral with sliding_window=3: query i attends keys j with i-3 < j <= i",
        llama_config("mistral", kv_heads=2, eps=1e-5, sliding_window=3), llama_weights)
    add("gpt_neox", "GPT-NeoX (Pythia-style config: rotary_pct 0.25, rotary_emb_base 10000), parallel residual, "
        "head_dim 8 so int(8 * 0.25) = 2 rotary dims, untied embed_out",
        neox_config(parallel=True, pct=0.25, theta=10000), neox_weights)
    add("gpt_neox_sequential", "GPT-NeoX, use_parallel_residual=false, transformers-v5 config "
        "(rope_parameters: rope_theta 500, partial_rotary_factor 0.5 so 4 rotary dims; no rotary_pct/rotary_emb_base)",
        neox_config(parallel=False, rope_style="v5", pct=0.5, theta=500), neox_weights)
    add("bert", "BERT (bert-base-uncased layout: `bert.` prefix, pooler, cls.* pre-training heads, MLM decoder "
        "tied to word_embeddings), token types, post-LN, layer_norm_eps 1e-12",
        bert_config(), bert_weights)
    return v
