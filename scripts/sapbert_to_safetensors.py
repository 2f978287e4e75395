#!/usr/bin/python3
# scripts/sapbert_to_safetensors.py - turn a Hugging Face BERT checkpoint
# directory with pytorch_model.bin (SapBERT-from-PubMedBERT-fulltext) into the
# directory omvec loads: config.json, vocab.txt, model.safetensors.
#
# Needs only Debian's python3-torch (no transformers, no safetensors package):
# the safetensors file is written by hand (8-byte little-endian header length,
# JSON header padded with spaces to a multiple of 8, raw little-endian data).
# Names are written in the current Hugging Face form: a "bert." prefix is
# dropped, LayerNorm gamma/beta become weight/bias, and heads the encoder does
# not use (cls.*, the MLM/NSP heads) are left out. omvec accepts the legacy
# names too; this just keeps the file small and canonical.
#
# Usage: /usr/bin/python3 scripts/sapbert_to_safetensors.py SRC_DIR OUT_DIR [--dtype f32|f16|bf16]
import json
import os
import shutil
import struct
import sys

import torch


def canonical(name):
    if name.startswith("bert."):
        name = name[5:]
    if name.endswith(".gamma"):
        name = name[:-6] + ".weight"
    elif name.endswith(".beta"):
        name = name[:-5] + ".bias"
    return name


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    dtype = "f32"
    if "--dtype" in sys.argv:
        dtype = sys.argv[sys.argv.index("--dtype") + 1]
        args = [a for a in args if a != dtype]
    if len(args) != 2 or dtype not in ("f32", "f16", "bf16"):
        sys.exit(__doc__ or "usage: sapbert_to_safetensors.py SRC_DIR OUT_DIR [--dtype f32|f16|bf16]")
    src, out = args
    tdtype, tag = {"f32": (torch.float32, "F32"), "f16": (torch.float16, "F16"),
                   "bf16": (torch.bfloat16, "BF16")}[dtype]
    try:
        state = torch.load(os.path.join(src, "pytorch_model.bin"), map_location="cpu",
                           weights_only=True)
    except TypeError:  # torch without weights_only
        state = torch.load(os.path.join(src, "pytorch_model.bin"), map_location="cpu")
    tensors = {}
    for name, t in state.items():
        if name.startswith("cls.") or not t.is_floating_point():
            continue  # MLM/NSP heads and integer buffers (position_ids)
        tensors[canonical(name)] = t.detach().to(tdtype).contiguous()
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        if tdtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype("<f4" if tdtype == torch.float32 else "<f2").tobytes()
        header[name] = {"dtype": tag, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)
    for name in ("config.json", "vocab.txt"):
        shutil.copyfile(os.path.join(src, name), os.path.join(out, name))
    print("wrote %d tensors (%d bytes of %s) to %s" % (len(tensors), off, tag, out))


if __name__ == "__main__":
    main()
