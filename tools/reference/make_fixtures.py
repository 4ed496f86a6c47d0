#!/usr/bin/env python3
"""Writes the model-zoo parity fixtures: tiny random Hugging Face-style checkpoints and the
float64 reference activations of every site (see docs/sites.md and tools/reference/README.md).

    python3 tools/reference/make_fixtures.py [--out DIR] [--only NAME ...]

Deterministic: seeds derive from the variant names. numpy only.
"""
import argparse
import json
import os
import shutil
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import checks  # noqa: E402
import ref_models  # noqa: E402
import st_io  # noqa: E402
import variants  # noqa: E402

DEFAULT_OUT = os.path.join(HERE, "..", "..", "intervene4j-core", "src", "test", "resources", "fixtures")
FORMAT_VERSION = 1


def seed_of(text):
    return zlib.crc32(text.encode("utf-8"))


def base_name(name):
    """Storage variants share their base variant's weights (before rounding) and inputs."""
    for suffix in ("_f16", "_bf16"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def examples(name, cfg):
    """Two examples of different lengths (7 and 5 tokens), each run on its own (batch 1, no padding)."""
    rng = np.random.default_rng(seed_of("ids:" + base_name(name)))
    vocab = cfg["vocab_size"]
    ids = [rng.integers(0, vocab, size=n).tolist() for n in (7, 5)]
    token_types = None
    if cfg["model_type"] == "bert":
        token_types = [[0, 0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1]]
    return ids, token_types


def write_json(path, obj):
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def load_checkpoint(directory):
    """Reads a checkpoint back the way a consumer would: config.json and model.safetensors."""
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    weights, dtypes, _ = st_io.read(os.path.join(directory, "model.safetensors"))
    return cfg, weights, dtypes


def build(name, desc, cfg, make, storage, out_dir):
    directory = os.path.join(out_dir, name)
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    init = variants.Init(seed_of("weights:" + base_name(name)))
    raw = make(cfg, init)
    tensors = {}
    for key, value in raw.items():
        # causal-mask buffers stay F32 as on the hub; everything else in the storage dtype
        dtype = "F32" if key.endswith("attn.bias") else storage
        tensors[key] = (dtype, st_io.round_to(value, dtype))
    write_json(os.path.join(directory, "config.json"), cfg)
    st_io.write(os.path.join(directory, "model.safetensors"), tensors, {"format": "pt"})

    # everything below works from the files just written, as a consumer would
    cfg, weights, dtypes = load_checkpoint(directory)
    checks.check_storage(name, weights, dtypes, raw, storage)
    ids, token_types = examples(name, cfg)
    expected = {}
    site_names = None
    for n, example in enumerate(ids):
        tt = None if token_types is None else token_types[n]
        sites = ref_models.forward(cfg, weights, example, tt)
        checks.check_sites(name, cfg, weights, example, tt, sites)
        if site_names is None:
            site_names = list(sites)
        prefix = "ex%d." % n
        expected[prefix + "input_ids"] = ("I64", np.asarray([example], dtype=np.int64))
        if tt is not None:
            expected[prefix + "token_type_ids"] = ("I64", np.asarray([tt], dtype=np.int64))
        for site, value in sites.items():
            expected[prefix + site] = ("F32", value)
    st_io.write(os.path.join(directory, "expected.safetensors"), expected,
                {"generator": "tools/reference/make_fixtures.py", "computed_in": "float64", "stored_as": "F32",
                 "format_version": str(FORMAT_VERSION)})
    shapes = {site: list(expected["ex0." + site][1].shape) for site in site_names}
    write_json(os.path.join(directory, "expected.json"), {
        "variant": name,
        "model_type": cfg["model_type"],
        "description": desc,
        "storage_dtype": storage,
        "ids": ids,
        "token_type_ids": token_types,
        "sites": [s for s in site_names if not s.startswith("aux.")],
        "aux": [s for s in site_names if s.startswith("aux.")],
        "ex0_shapes": shapes,
        "notes": "Each example runs alone (batch 1, no padding, positions 0..len-1). expected.safetensors "
                 "holds exN.input_ids and exN.<site> for every site (names and semantics: docs/sites.md), "
                 "computed in float64 from the stored (rounded) weights and stored as F32. "
                 "Entries under exN.aux.* are debugging aids, not sites.",
    })
    return {"variant": name, "model_type": cfg["model_type"], "description": desc, "storage_dtype": storage}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: the test resources)")
    parser.add_argument("--only", nargs="*", help="build only these variants (index.json is then not rewritten)")
    args = parser.parse_args(argv)
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    checks.global_checks()
    index = []
    for name, (desc, cfg, make, storage) in variants.variants().items():
        if args.only and name not in args.only:
            continue
        index.append(build(name, desc, cfg, make, storage, out_dir))
        print("wrote", name)
    if not args.only:
        write_json(os.path.join(out_dir, "index.json"), {"format_version": FORMAT_VERSION, "variants": index})
    print("all checks passed; fixtures in", out_dir)


if __name__ == "__main__":
    main()
