#!/usr/bin/env python3
"""Shows that the fixtures catch the usual model-porting mistakes: each mutation below re-runs
the reference with one plausible bug and reports the largest scaled error over all sites,
   err = max |mutated - expected| / max(1, max |expected|)   (per site, then max over sites),
against the suggested parity tolerance 1e-4. A mutation the fixtures cannot see is a gap.

    python3 tools/reference/sensitivity.py [--fixtures DIR]
"""
import argparse
import contextlib
import copy
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ref_models  # noqa: E402
import st_io  # noqa: E402
from make_fixtures import DEFAULT_OUT  # noqa: E402

TOLERANCE = 1e-4


@contextlib.contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def interleaved_rotary(x, cos, sin):
    """GPT-J style rotary (pairs 2i, 2i+1) instead of HF's rotate-half."""
    rot = cos.shape[-1]
    half = rot // 2
    c = np.repeat(cos[:, None, :half], 2, axis=-1)
    s = np.repeat(sin[:, None, :half], 2, axis=-1)
    xr = x[..., :rot]
    swapped = np.stack([-xr[..., 1::2], xr[..., 0::2]], axis=-1).reshape(xr.shape)
    return np.concatenate([xr * c + swapped * s, x[..., rot:]], axis=-1)


_attention = ref_models.attention
_rope_inv_freq = ref_models.rope_inv_freq


def llama3_without_medium_band(theta, rot, scaling=None):
    """llama3 scaling with the smooth interpolation left out (only the low band divided)."""
    base = _rope_inv_freq(theta, rot)
    old_len = scaling["original_max_position_embeddings"] / scaling["low_freq_factor"]
    return np.where(2 * np.pi / base > old_len, base / scaling["factor"], base)


def tiled_kv_attention(q, k, v, scale, causal=True, window=None):
    """GQA bug: query head h reads kv head h % n_kv instead of h // n_rep."""
    n_rep = q.shape[1] // k.shape[1]
    k2 = np.tile(k, (1, n_rep, 1))
    v2 = np.tile(v, (1, n_rep, 1))
    return _attention(q, k2, v2, scale, causal, window)


def window_attention(window):
    def attn(q, k, v, scale, causal=True, window=None):
        return _attention(q, k, v, scale, causal, forced)
    forced = window
    return attn


def wrong_scale_attention(q, k, v, scale, causal=True, window=None):
    """Scale by 1/sqrt(d_model) instead of 1/sqrt(head_dim)."""
    return _attention(q, k, v, 1.0 / np.sqrt(q.shape[1] * q.shape[2]), causal, window)


def neox_qkv_as_three_blocks(w, cfg):
    """Reading the fused NeoX projection as [q; k; v] blocks instead of per-head [q, k, v] rows."""
    w = dict(w)
    heads, d = cfg["num_attention_heads"], cfg["hidden_size"]
    hd = d // heads
    for key in list(w):
        if "query_key_value" in key:
            t = w[key].reshape((3, heads, hd) + w[key].shape[1:])
            w[key] = np.swapaxes(t, 0, 1).reshape(w[key].shape)
    return w


def cfg_edit(**changes):
    def edit(cfg):
        cfg = copy.deepcopy(cfg)
        for k, v in changes.items():
            if v is KeyError:
                cfg.pop(k, None)
            else:
                cfg[k] = v
        return cfg
    return edit


# (variant, mutation description, config edit, weights edit, patches, zero token types)
MUTATIONS = [
    ("gpt2", "gelu_new computed as exact-erf gelu", None, None,
     [(ref_models.ACTIVATIONS, "gelu_new", ref_models.gelu_erf)], False),
    ("gpt2_untied", "activation_function \"gelu\" computed as gelu_new", None, None,
     [(ref_models.ACTIVATIONS, "gelu", ref_models.gelu_tanh)], False),
    ("gpt2_untied", "layer_norm_epsilon ignored (1e-5 used)", cfg_edit(layer_norm_epsilon=1e-5), None, [], False),
    ("gpt2_untied", "tie_word_embeddings=false ignored (wte used as unembedding)",
     cfg_edit(tie_word_embeddings=True), None, [], False),
    ("gpt2", "attention scaled by 1/sqrt(d_model) instead of 1/sqrt(head_dim)", None, None,
     [(ref_models, "attention", wrong_scale_attention)], False),
    ("llama", "GQA: query head h reads kv head h % n_kv", None, None,
     [(ref_models, "attention", tiled_kv_attention)], False),
    ("llama", "rotary applied GPT-J style (interleaved pairs)", None, None,
     [(ref_models, "apply_rotary", interleaved_rotary)], False),
    ("llama", "rms_norm_eps 1e-5 instead of 1e-6", cfg_edit(rms_norm_eps=1e-5), None, [], False),
    ("llama_tied", "rope_theta ignored (10000 instead of 1000)", cfg_edit(rope_theta=10000.0), None, [], False),
    ("llama3_rope", "rope_scaling llama3 ignored", cfg_edit(rope_scaling=None), None, [], False),
    ("llama3_rope", "llama3 medium band not interpolated (factor only on low band)", None, None,
     [(ref_models, "rope_inv_freq", llama3_without_medium_band)], False),
    ("qwen2", "sliding_window applied although use_sliding_window=false", None, None,
     [(ref_models, "attention", window_attention(4))], False),
    ("mistral_sliding_window", "window off by one (i - j <= window)", cfg_edit(sliding_window=4), None, [], False),
    ("mistral_sliding_window", "sliding window ignored", cfg_edit(sliding_window=None), None, [], False),
    ("gpt_neox", "fused qkv read as [q; k; v] blocks", None, neox_qkv_as_three_blocks, [], False),
    ("gpt_neox", "rotary over the whole head (rotary_pct ignored)", cfg_edit(rotary_pct=1.0), None, [], False),
    ("gpt_neox", "parallel residual computed sequentially", cfg_edit(use_parallel_residual=False), None, [], False),
    ("gpt_neox_sequential", "sequential residual computed in parallel", cfg_edit(use_parallel_residual=True),
     None, [], False),
    ("gpt_neox_sequential", "rope_parameters ignored (theta 10000, pct 0.25)", cfg_edit(rope_parameters=KeyError),
     None, [], False),
    ("gpt_neox", "exact gelu computed as gelu_new", None, None,
     [(ref_models.ACTIVATIONS, "gelu", ref_models.gelu_tanh)], False),
    ("bert", "token_type_ids ignored", None, None, [], True),
    ("bert", "layer_norm_eps 1e-5 instead of 1e-12", cfg_edit(layer_norm_eps=1e-5), None, [], False),
    ("bert", "causal mask applied", None, None,
     [(ref_models, "attention", lambda q, k, v, s, causal=True, window=None: _attention(q, k, v, s, True))], False),
]


def scaled_error(sites, expected, prefix):
    worst, where = 0.0, None
    for site, value in sites.items():
        key = prefix + site
        if site.startswith("aux.") or key not in expected:
            continue
        exp = expected[key]
        if exp.shape != value.shape:
            return float("inf"), site + " (shape)"
        err = np.abs(value - exp).max() / max(1.0, np.abs(exp).max())
        if err > worst:
            worst, where = err, site
    return worst, where


def float32_noise(fixtures):
    """The same reference run with float32 weights and (mostly) float32 arithmetic: the size of
    the rounding noise a correct float32 implementation shows, per variant."""
    def keep_dtype(self, name, value):
        self.sites[name] = np.asarray(value)[None].copy()
        return value
    with open(os.path.join(fixtures, "index.json")) as f:
        names = [v["variant"] for v in json.load(f)["variants"]]
    worst_all = 0.0
    with patched(ref_models.Recorder, "__call__", keep_dtype):
        for name in names:
            d = os.path.join(fixtures, name)
            with open(os.path.join(d, "config.json")) as f:
                cfg = json.load(f)
            with open(os.path.join(d, "expected.json")) as f:
                meta = json.load(f)
            weights, _, _ = st_io.read(os.path.join(d, "model.safetensors"))
            weights = {k: v.astype(np.float32) if v.dtype == np.float64 else v for k, v in weights.items()}
            expected, _, _ = st_io.read(os.path.join(d, "expected.safetensors"))
            for n, ids in enumerate(meta["ids"]):
                tt = None if meta["token_type_ids"] is None else meta["token_type_ids"][n]
                sites = {k: v.astype(np.float64) for k, v in ref_models.forward(cfg, weights, ids, tt).items()}
                worst_all = max(worst_all, scaled_error(sites, expected, "ex%d." % n)[0])
    return worst_all


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", default=DEFAULT_OUT)
    args = parser.parse_args()
    print("baseline: float32 run of the reference, largest err over all variants and sites %.2e"
          % float32_noise(args.fixtures))
    missed = 0
    for variant, desc, edit_cfg, edit_w, patches, zero_tt in MUTATIONS:
        d = os.path.join(args.fixtures, variant)
        with open(os.path.join(d, "config.json")) as f:
            cfg = json.load(f)
        with open(os.path.join(d, "expected.json")) as f:
            meta = json.load(f)
        weights, _, _ = st_io.read(os.path.join(d, "model.safetensors"))
        expected, _, _ = st_io.read(os.path.join(d, "expected.safetensors"))
        cfg = edit_cfg(cfg) if edit_cfg else cfg
        weights = edit_w(weights, cfg) if edit_w else weights
        worst, where = 0.0, None
        with contextlib.ExitStack() as stack:
            for obj, name, value in patches:
                if isinstance(obj, dict):
                    old = obj[name]
                    obj[name] = value
                    stack.callback(obj.__setitem__, name, old)
                else:
                    stack.enter_context(patched(obj, name, value))
            for n, ids in enumerate(meta["ids"]):
                tt = None
                if meta["token_type_ids"] is not None:
                    tt = [0] * len(ids) if zero_tt else meta["token_type_ids"][n]
                err, site = scaled_error(ref_models.forward(cfg, weights, ids, tt), expected, "ex%d." % n)
                if err > worst:
                    worst, where = err, site
        caught = worst > TOLERANCE
        missed += not caught
        print("%-7s %-24s %-62s err %.2e worst at %s" % ("caught" if caught else "MISSED", variant, desc, worst, where))
    print("%d of %d mutations caught at tolerance %g" % (len(MUTATIONS) - missed, len(MUTATIONS), TOLERANCE))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
