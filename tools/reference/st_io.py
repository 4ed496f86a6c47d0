"""Minimal safetensors writer/reader and half-precision rounding, numpy only.

Format: 8-byte little-endian header length N, N bytes of JSON (padded with spaces so the
data section starts 8-byte aligned), then the raw little-endian tensor bytes. Tensors are
laid out contiguously in the order of their sorted names; data_offsets are relative to the
start of the data section.
"""
import json
import struct

import numpy as np

# dtype name -> (numpy storage dtype, bytes per element)
_STORAGE = {
    "F64": (np.dtype("<f8"), 8),
    "F32": (np.dtype("<f4"), 4),
    "F16": (np.dtype("<f2"), 2),
    "BF16": (np.dtype("<u2"), 2),  # raw bit patterns
    "I64": (np.dtype("<i8"), 8),
    "I32": (np.dtype("<i4"), 4),
    "BOOL": (np.dtype("u1"), 1),
    "U8": (np.dtype("u1"), 1),
}


def to_bf16_bits(x):
    """Rounds float values to bfloat16 (round to nearest, ties to even, via float32) and
    returns the 16-bit patterns (uint16). Finite inputs only."""
    f32 = np.ascontiguousarray(np.asarray(x, dtype=np.float64).astype(np.float32))
    bits = f32.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_bits_to_f64(bits):
    """The exact float64 values of bfloat16 bit patterns."""
    b = np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16
    return b.view(np.float32).astype(np.float64)


def round_to(x, dtype):
    """float64 values exactly representable in `dtype` ("F32", "F16", "BF16"), rounded
    the way torch's .to(dtype) does from float32 (round to nearest even)."""
    x = np.asarray(x, dtype=np.float64)
    f32 = x.astype(np.float32)
    if dtype == "F32":
        return f32.astype(np.float64)
    if dtype == "F16":
        return f32.astype(np.float16).astype(np.float64)
    if dtype == "BF16":
        return bf16_bits_to_f64(to_bf16_bits(f32))
    raise ValueError("unsupported float dtype " + dtype)


def _encode(arr, dtype):
    if dtype == "BF16":
        data = to_bf16_bits(arr)
    elif dtype == "BOOL":
        data = np.asarray(arr).astype(bool).astype(np.uint8)
    else:
        data = np.asarray(arr).astype(_STORAGE[dtype][0])
    return np.ascontiguousarray(data).tobytes()


def write(path, tensors, metadata=None):
    """Writes {name: (dtype, array)} to `path` as safetensors."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        dtype, arr = tensors[name]
        arr = np.asarray(arr)
        blob = _encode(arr, dtype)
        assert len(blob) == arr.size * _STORAGE[dtype][1], name
        header[name] = {"dtype": dtype, "shape": [int(s) for s in arr.shape],
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - (8 + len(head)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)


def read(path):
    """Reads a safetensors file: returns ({name: float64 or int64 array}, {name: dtype}, metadata)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    out, dtypes = {}, {}
    expected_start = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = info["data_offsets"]
        assert begin == expected_start, "hole or overlap before " + name
        expected_start = end
        dtype = info["dtype"]
        storage = _STORAGE[dtype][0]
        arr = np.frombuffer(data[begin:end], dtype=storage).reshape(info["shape"])
        if dtype == "BF16":
            arr = bf16_bits_to_f64(arr)
        elif dtype in ("F64", "F32", "F16"):
            arr = arr.astype(np.float64)
        else:
            arr = arr.astype(np.int64)
        out[name] = arr
        dtypes[name] = dtype
    assert expected_start == len(data), "trailing bytes"
    return out, dtypes, metadata
