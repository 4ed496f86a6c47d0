"""Cheap independent sanity checks of the reference (assertions; any failure aborts generation)."""
import copy

import numpy as np

import ref_models
import st_io

EXACT = 1e-12


def _close(a, b, what, tol=EXACT):
    err = float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) if np.size(a) else 0.0
    assert err <= tol, "%s: max abs difference %.3g > %.3g" % (what, err, tol)


def global_checks():
    """Checks of the building blocks that need no checkpoint."""
    rng = np.random.default_rng(0)
    # rotary at position 0 is the identity, for full and partial rotary
    for rot, hd in ((8, 8), (4, 16), (2, 8)):
        cos, sin = ref_models.rope_cos_sin(ref_models.rope_inv_freq(10000.0, rot), 5)
        x = rng.standard_normal((5, 3, hd))
        y = ref_models.apply_rotary(x, cos, sin)
        _close(y[0], x[0], "rotary at position 0 is the identity")
        _close(y[:, :, rot:], x[:, :, rot:], "partial rotary leaves the pass-through dims alone")
        # a rotation: norms kept, and q.k after rotary depends only on the position difference
        _close(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1), "rotary keeps norms", 1e-12)
        q, k = rng.standard_normal(hd), rng.standard_normal(hd)
        cos, sin = ref_models.rope_cos_sin(ref_models.rope_inv_freq(10000.0, rot), 9)
        qs = ref_models.apply_rotary(np.tile(q, (9, 1, 1)), cos, sin)[:, 0]
        ks = ref_models.apply_rotary(np.tile(k, (9, 1, 1)), cos, sin)[:, 0]
        _close(qs[5] @ ks[2], qs[7] @ ks[4], "rotary scores depend on relative position only", 1e-12)
        _close(qs[3] @ ks[3], q @ k, "rotary scores at equal positions equal the unrotated ones", 1e-12)
    # the first pair of dims at position p is rotated by exactly angle p (inv_freq[0] = 1)
    cos, sin = ref_models.rope_cos_sin(ref_models.rope_inv_freq(10000.0, 4), 3)
    y = ref_models.apply_rotary(np.array([[[1.0, 0.0, 0.0, 0.0]]] * 3), cos, sin)
    _close(y[2, 0], [np.cos(2.0), 0.0, np.sin(2.0), 0.0], "rotate-half pairs dims i and i + rot/2")
    # llama3 scaling: high band kept, low band divided by factor, medium strictly between
    base = ref_models.rope_inv_freq(10000.0, 8)
    scaled = ref_models.rope_inv_freq(10000.0, 8, {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                   "high_freq_factor": 4.0, "original_max_position_embeddings": 64})
    _close(scaled[0], base[0], "llama3: high-frequency band unchanged")
    _close(scaled[2:], base[2:] / 8.0, "llama3: low-frequency band divided by factor")
    assert base[1] / 8.0 < scaled[1] < base[1], "llama3: medium band interpolated"
    # activations at known points
    _close(ref_models.gelu_erf(np.array([0.0, 1.0])), [0.0, 0.8413447460685429], "gelu(1) = Phi(1)", 1e-15)
    _close(ref_models.gelu_tanh(np.array([1.0])), [0.8411919906082768], "gelu_new(1)", 1e-15)
    # attention: rows are distributions, masked entries exactly zero, sliding window honoured
    q = rng.standard_normal((6, 4, 3))
    k = rng.standard_normal((6, 2, 3))
    v = rng.standard_normal((6, 2, 3))
    wts, _ = ref_models.attention(q, k, v, 0.5, window=2)
    _close(wts.sum(-1), np.ones((4, 6)), "attention rows sum to 1")
    qi, ki = np.indices((6, 6))
    assert np.all(wts[:, (ki > qi) | (ki <= qi - 2)] == 0.0), "causal + window mask"
    # safetensors round trip, including the dtype conversions
    x = rng.standard_normal((3, 5))
    _close(st_io.bf16_bits_to_f64(st_io.to_bf16_bits(np.array([1.0, -2.5, 3.0078125, 3.0078125 + 2 ** -9]))),
           [1.0, -2.5, 3.0, 3.015625], "bf16 round to nearest even", 0.0)
    assert abs(st_io.round_to(x, "BF16") - x).max() <= 2 ** -8 * abs(x).max()
    assert abs(st_io.round_to(x, "F16") - x).max() <= 2 ** -11 * abs(x).max()


def check_storage(name, weights, dtypes, raw, storage):
    """The file holds the intended tensors, rounded to the storage dtype and nothing else."""
    assert set(weights) == set(raw), name + ": tensor names differ after the round trip"
    for key, value in weights.items():
        dtype = dtypes[key]
        assert value.shape == np.shape(raw[key]), key
        _close(value, st_io.round_to(raw[key], dtype), name + ": " + key + " round trip", 0.0)
        if dtype != "F32":
            _close(st_io.round_to(value, dtype), value, key + " representable in " + dtype, 0.0)


def _seq_axis(site):
    return 2 if site.endswith("attention_weights") else 1


def check_sites(name, cfg, weights, ids, token_types, sites):
    mt = cfg["model_type"]
    seq = len(ids)
    for site, value in sites.items():
        assert np.all(np.isfinite(value)), name + ": non-finite " + site
    # the residual stream bookkeeping: block_output(L) feeds block_input(L+1)
    n_layers = cfg.get("n_layer", cfg.get("num_hidden_layers"))
    for layer in range(n_layers - 1):
        _close(sites["blocks.%d.block_output" % layer], sites["blocks.%d.block_input" % (layer + 1)],
               name + ": block_output feeds the next block_input", 0.0)
    _close(sites["blocks.0.block_input"], sites["embeddings"], name + ": embeddings feed block 0", 0.0)
    for layer in range(n_layers):
        b = "blocks.%d." % layer
        _close(sites[b + "attention_weights"].sum(-1), 1.0, name + ": attention rows sum to 1")
        if mt != "bert":  # pre-LN decoders, sequential or parallel: the block adds both branch outputs
            _close(sites[b + "block_output"], sites[b + "block_input"] + sites[b + "attention_output"]
                   + sites[b + "mlp_output"], name + ": residual adds", 1e-12)
        if "aux." + b + "query_rotated" in sites:
            _close(sites["aux." + b + "query_rotated"][:, 0], sites[b + "query_output"][:, 0],
                   name + ": rotary at position 0 is the identity")
    if mt == "mistral" and cfg.get("sliding_window"):
        wts = sites["blocks.0.attention_weights"][0]
        qi, ki = np.indices((seq, seq))
        assert np.all(wts[:, ki <= qi - cfg["sliding_window"]] == 0.0), name + ": sliding window"
        assert seq > cfg["sliding_window"], name + ": the example must cross the window"

    # causality (decoders): changing the last token leaves every earlier position unchanged;
    # BERT is bidirectional, so there the first position must change
    other = list(ids)
    other[-1] = (other[-1] + 1) % cfg["vocab_size"]
    changed = ref_models.forward(cfg, weights, other, token_types)
    if mt == "bert":
        diff = np.abs(changed["last_hidden_state"][:, 0] - sites["last_hidden_state"][:, 0]).max()
        assert diff > 1e-6, name + ": BERT attention must be bidirectional"
    else:
        for site, value in sites.items():
            if site.startswith("aux.rotary"):
                continue
            axis = _seq_axis(site)
            earlier = [slice(None)] * value.ndim
            earlier[axis] = slice(0, seq - 1)
            _close(changed[site][tuple(earlier)], value[tuple(earlier)], name + ": causality at " + site)
        assert np.abs(changed["logits"][:, -1] - sites["logits"][:, -1]).max() > 1e-6, name + ": last token matters"

    # GQA with its kv heads repeated into a plain multi-head model gives the same outputs
    if mt in ("llama", "qwen2", "mistral"):
        s = ref_models.llama_like_settings(cfg)
        n_rep = s["n_heads"] // s["n_kv"]
        if n_rep > 1:
            mha_cfg = copy.deepcopy(cfg)
            mha_cfg["num_key_value_heads"] = s["n_heads"]
            mha = dict(weights)
            hd = s["head_dim"]
            for layer in range(cfg["num_hidden_layers"]):
                for proj in ("k_proj", "v_proj"):
                    for kind in ("weight", "bias"):
                        key = "model.layers.%d.self_attn.%s.%s" % (layer, proj, kind)
                        if key in mha:
                            t = mha[key].reshape((s["n_kv"], hd) + mha[key].shape[1:])
                            mha[key] = np.repeat(t, n_rep, axis=0).reshape((s["n_heads"] * hd,) + t.shape[2:])
            full = ref_models.forward(mha_cfg, mha, ids)
            _close(full["logits"], sites["logits"], name + ": GQA equals MHA with repeated kv heads", 1e-10)
            for layer in range(cfg["num_hidden_layers"]):
                b = "blocks.%d." % layer
                _close(full[b + "attention_weights"], sites[b + "attention_weights"], name + ": GQA patterns", 1e-10)
