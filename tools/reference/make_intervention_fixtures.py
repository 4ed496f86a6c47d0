#!/usr/bin/env python3
"""Writes the intervention parity fixtures: for a few decoder fixtures, the float64 logits of
the reference forward with interventions applied at every interventable site.

    python3 tools/reference/make_intervention_fixtures.py [--fixtures DIR] [--only NAME ...]

Reads each variant's checkpoint and inputs from the model fixtures (run make_fixtures.py first)
and writes, per variant, `interventions.json` (the cases, in the intervention form of the CLI
spec, docs/intervene-spec.md) and `interventions.safetensors` (`caseN.logits`, F32 [1, s, V],
computed in float64). Base = example ex0 (7 tokens), source 0 = example ex1 (5 tokens).

Semantics (docs/sites.md, shared/docs/methods.md §2), implemented independently of the Java code:
source activations come from a plain forward of the source; at a base site the forward
continues with the patched value; several interventions at one site apply in list order.
Rows: whole-width sites cut one row per position; `blocks.L.head_<c>` sites one row per
(position, head), head h being columns [h*hd, (h+1)*hd) (kv heads for key/value). The i-th
base position pairs with the i-th source position, heads pair with themselves.
  vanilla:  row[idx] = source_row[idx]
  zero:     row[idx] = 0
  addition: row[idx] += vector (full row width, or one value per subspace dim) or source_row[idx]
idx = the subspace dims, or the whole row.
"""
import argparse
import json
import os
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ref_models  # noqa: E402
import st_io  # noqa: E402

DEFAULT_FIXTURES = os.path.join(HERE, "..", "..", "intervene4j-core", "src", "test", "resources", "fixtures")
VARIANTS = ["gpt2", "llama", "gpt_neox"]
HEAD_COMPONENTS = ["query_output", "key_output", "value_output", "attention_value_output"]
FORMAT_VERSION = 1


def head_layout(cfg):
    """(query heads, kv heads, head_dim) as the reference forwards compute them."""
    mt = cfg["model_type"]
    if mt == "gpt2":
        return cfg["n_head"], cfg["n_head"], cfg["n_embd"] // cfg["n_head"]
    if mt == "gpt_neox":
        h = cfg["num_attention_heads"]
        return h, h, cfg["hidden_size"] // h
    s = ref_models.llama_like_settings(cfg)
    return s["n_heads"], s["n_kv"], s["head_dim"]


def parse_site(name):
    """(whole site name, component, per head?)"""
    parts = name.split(".")
    if len(parts) == 3 and parts[2].startswith("head_"):
        comp = parts[2][5:]
        return "%s.%s.%s" % (parts[0], parts[1], comp), comp, True
    return name, parts[-1], False


def apply_one(iv, value, sources, layout):
    """value [seq, width] at iv's site -> patched copy."""
    n_heads, n_kv, hd = layout
    _, comp, per_head = parse_site(iv["site"])
    out = np.array(value, dtype=np.float64, copy=True)
    seq = out.shape[0]
    base_pos = [p + seq if p < 0 else p for p in iv["base_positions"]]
    src_value = None
    if iv.get("source") is not None:
        src_name = parse_site(iv.get("source_site", iv["site"]))[0]
        src_value = sources[iv["source"]][src_name][0]  # [src_seq, width]
        src_seq = src_value.shape[0]
        src_pos = [p + src_seq if p < 0 else p for p in iv.get("source_positions", iv["base_positions"])]
        assert len(src_pos) == len(base_pos)
    if per_head:
        heads = iv.get("heads")
        count = n_kv if comp in ("key_output", "value_output") else n_heads
        heads = list(range(count)) if heads is None else heads
        cols = [slice(h * hd, (h + 1) * hd) for h in heads]
    else:
        cols = [slice(0, out.shape[1])]
    for i, p in enumerate(base_pos):
        for c in cols:
            row = out[p, c]  # a view: writes go into out
            width = row.shape[0]
            idx = np.arange(width) if iv.get("subspace") is None else np.asarray(iv["subspace"])
            src_row = None if src_value is None else src_value[src_pos[i], c]
            t = iv["type"]
            if t == "vanilla":
                row[idx] = src_row[idx]
            elif t == "zero":
                row[idx] = 0.0
            elif t in ("addition", "subtraction"):
                sign = 1.0 if t == "addition" else -1.0
                if "vector" in iv:
                    vec = np.asarray(iv["vector"], dtype=np.float64)
                    delta = vec if len(vec) == width else np.zeros(width)
                    if len(vec) != width:
                        delta[idx] = vec
                    row[idx] += sign * delta[idx]
                else:
                    row[idx] += sign * src_row[idx]
            else:
                raise ValueError("unknown type " + t)
    return out


def run_case(cfg, weights, base_ids, source_ids, interventions, layout):
    sources = [ref_models.forward(cfg, weights, ids) for ids in source_ids]

    def hook(name, value):
        for iv in interventions:
            if parse_site(iv["site"])[0] == name:
                value = apply_one(iv, value, sources, layout)
        return value

    return ref_models.forward(cfg, weights, base_ids, hook=hook)


def f32_vector(rng, n, scale=0.7):
    """Values exactly representable in float32, so Java reads the very numbers used here."""
    return [float(v) for v in (rng.standard_normal(n) * scale).astype(np.float32)]


def cases_for(site_names, shapes, layout, rng):
    """Per interventable site: a vanilla patch and, alternately, a zero-subspace or addition case;
    head sites patch chosen heads. Plus a few combinations."""
    n_heads, n_kv, hd = layout
    cases = []
    sites = []
    for s in site_names:
        _, comp, _ = parse_site(s)
        if comp in ("attention_weights",):
            continue
        sites.append(s)
        if comp in HEAD_COMPONENTS:
            sites.append(s.replace(comp, "head_" + comp))
    for k, s in enumerate(sites):
        whole, comp, per_head = parse_site(s)
        width = hd if per_head else shapes[whole][-1]
        if per_head:
            count = n_kv if comp in ("key_output", "value_output") else n_heads
            heads = [count - 1] if k % 2 == 0 else [0, count - 1] if count > 1 else [0]
            cases.append({"name": "vanilla heads at " + s, "interventions": [
                {"site": s, "type": "vanilla", "source": 0, "heads": heads, "base_positions": [3, 5],
                 "source_positions": [2, 4]}]})
        else:
            cases.append({"name": "vanilla at " + s, "interventions": [
                {"site": s, "type": "vanilla", "source": 0, "base_positions": [2, 5], "source_positions": [1, 4]}]})
        sub = sorted({0, width // 2, width - 1})
        extra = {"heads": [0]} if per_head else {}
        if k % 2 == 0:
            cases.append({"name": "zero subspace at " + s, "interventions": [
                dict({"site": s, "type": "zero", "base_positions": [1, -2], "subspace": sub}, **extra)]})
        else:
            vec = f32_vector(rng, width)
            cases.append({"name": "addition at " + s, "interventions": [
                dict({"site": s, "type": "addition", "base_positions": [4], "vector": vec}, **extra)]})
    d = shapes["embeddings"][-1]
    cases.append({"name": "several interventions, in order, at several sites", "interventions": [
        {"site": "blocks.1.block_output", "type": "vanilla", "source": 0, "base_positions": [2], "source_positions": [1]},
        {"site": "blocks.0.mlp_output", "type": "addition", "base_positions": [3], "vector": f32_vector(rng, d)},
        {"site": "blocks.1.head_attention_value_output", "type": "vanilla", "source": 0, "heads": [1],
         "base_positions": [3], "source_positions": [3]},
        {"site": "blocks.1.block_output", "type": "zero", "base_positions": [2], "subspace": [0, 1, 2, 3]}]})
    cases.append({"name": "vanilla from another source site, on a subspace", "interventions": [
        {"site": "blocks.1.block_input", "source_site": "blocks.0.attention_output", "type": "vanilla", "source": 0,
         "base_positions": [6], "source_positions": [0], "subspace": [1, 3, 5]}]})
    cases.append({"name": "subtraction of the source and addition of a subspace vector", "interventions": [
        {"site": "blocks.0.block_output", "type": "subtraction", "source": 0, "base_positions": [0, 1],
         "source_positions": [0, 1]},
        {"site": "blocks.1.mlp_input", "type": "addition", "base_positions": [5], "subspace": [2, 7],
         "vector": f32_vector(rng, 2)}]})
    return cases


def check(name, cfg, weights, base, source, layout, plain):
    """Sanity: a vanilla patch from the base itself changes nothing; a patch at position p leaves
    earlier positions alone; a zeroed subspace reads zero at its site."""
    same = run_case(cfg, weights, base, [base], [
        {"site": "blocks.0.block_output", "type": "vanilla", "source": 0, "base_positions": [1, 4]}], layout)
    assert np.array_equal(same["logits"], plain["logits"]), name + ": self-patch changed the logits"
    patched = run_case(cfg, weights, base, [source], [
        {"site": "blocks.0.mlp_output", "type": "vanilla", "source": 0, "base_positions": [3], "source_positions": [2]}], layout)
    assert np.abs(patched["logits"][0, :3] - plain["logits"][0, :3]).max() < 1e-12, name + ": a patch moved earlier positions"
    assert np.abs(patched["logits"][0, 3] - plain["logits"][0, 3]).max() > 1e-3, name + ": a patch did nothing"
    zeroed = run_case(cfg, weights, base, [], [
        {"site": "blocks.1.head_value_output", "type": "zero", "heads": [0], "base_positions": [2], "subspace": [1]}], layout)
    hd = layout[2]
    assert zeroed["blocks.1.value_output"][0, 2, 1] == 0.0 and zeroed["blocks.1.value_output"][0, 2, hd + 1] != 0.0


def build(fixtures, variant):
    directory = os.path.join(fixtures, variant)
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(directory, "expected.json")) as f:
        meta = json.load(f)
    weights, _, _ = st_io.read(os.path.join(directory, "model.safetensors"))
    base, source = meta["ids"][0], meta["ids"][1]
    layout = head_layout(cfg)
    plain = ref_models.forward(cfg, weights, base)
    shapes = {k: v.shape for k, v in plain.items()}
    check(variant, cfg, weights, base, source, layout, plain)
    rng = np.random.default_rng(zlib.crc32(("interventions:" + variant).encode("utf-8")))
    cases = cases_for(meta["sites"], shapes, layout, rng)
    tensors = {}
    for n, case in enumerate(cases):
        sites = run_case(cfg, weights, base, [source], case["interventions"], layout)
        moved = np.abs(sites["logits"] - plain["logits"]).max()
        assert moved > 1e-6, "%s case %d (%s) does not change the logits" % (variant, n, case["name"])
        tensors["case%d.logits" % n] = ("F32", sites["logits"])
    st_io.write(os.path.join(directory, "interventions.safetensors"), tensors,
                {"generator": "tools/reference/make_intervention_fixtures.py", "computed_in": "float64",
                 "stored_as": "F32", "format_version": str(FORMAT_VERSION)})
    with open(os.path.join(directory, "interventions.json"), "w") as f:
        head = json.dumps({
            "variant": variant,
            "format_version": FORMAT_VERSION,
            "notes": "interventions.safetensors holds caseN.logits [1, s, V]: the logits of the base under "
                     "case N's interventions, computed in float64 (tools/reference/make_intervention_fixtures.py).",
            "base": {"ids": base},
            "sources": [{"ids": source}],
            "heads": layout[0], "kv_heads": layout[1], "head_dim": layout[2],
        }, indent=1)
        # one case per line keeps the file short and diffable
        body = ",\n".join("  " + json.dumps(c) for c in cases)
        f.write(head[:-2] + ',\n "cases": [\n' + body + "\n ]\n}\n")
    return len(cases)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default=DEFAULT_FIXTURES)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)
    for v in VARIANTS:
        if args.only and v not in args.only:
            continue
        n = build(os.path.abspath(args.fixtures), v)
        print("wrote %s: %d cases" % (v, n))


if __name__ == "__main__":
    main()
