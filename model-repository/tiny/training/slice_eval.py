"""The robustness slices (eval/benchmarks/slices.jsonl) run greedily in PyTorch on a weights folder, with the prompt
the services render (system text, then ` <|User|>:`, the images, the question). A quick screen of a checkpoint
before exporting it; the reference figures are the harness's through the gateway (RobustnessSliceTests). On the
committed model it reproduces the harness's per-slice counts. Matching as the harness does: `exact` ignores case,
surrounding whitespace and final punctuation, `letter` takes the leading letter, `pattern` is a regex search.

    /usr/bin/python3 slice_eval.py WEIGHTS_DIR [--start INDEX]
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import struct
import zlib

import numpy as np
import torch

from data import build_sequence, build_tokenizer, to_pixels
from hparams import MODEL
from models import build_models
from weights import load_weights

SLICES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval", "benchmarks", "slices.jsonl")


def read_png(b64: str) -> np.ndarray:
    """Decodes the PNGs scenes.write_png writes (RGB, 8-bit, filter 0 on every row)."""
    data, pos, idat, width, height = base64.b64decode(b64), 8, b"", 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if tag == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif tag == b"IDAT":
            idat += body
    raw, stride = zlib.decompress(idat), 3 * width + 1
    assert all(raw[y * stride] == 0 for y in range(height)), "only filter 0 is supported"
    return np.stack([np.frombuffer(raw[y * stride + 1:(y + 1) * stride], np.uint8).reshape(width, 3)
                     for y in range(height)])


@torch.no_grad()
def answer(m, tok, prompt: str, images: list[np.ndarray], max_new: int = 40) -> str:
    ids, _ = build_sequence(tok, [(prompt, False)])
    ids_t = torch.tensor([ids])
    emb = m["decoder"].tok(ids_t)
    if images:
        tokens = m["sampler"](m["backbone"](to_pixels(np.stack(images), "cpu")))
        emb = emb.masked_scatter((ids_t == tok.img_id).unsqueeze(-1), tokens.reshape(-1, MODEL.hidden))
    pk, pv = m["decoder"].empty_past(1, "cpu")
    logits, pk, pv = m["decoder"](emb, pk, pv)
    out = []
    for _ in range(min(max_new, MODEL.context - len(ids))):
        nxt = int(logits[0].argmax())
        if nxt in (tok.eoa_id, tok.eos_id):
            break
        out.append(nxt)
        logits, pk, pv = m["decoder"](m["decoder"].tok(torch.tensor([[nxt]])), pk, pv)
    return tok.decode(out)


def correct(record: dict, got: str) -> bool:
    def norm(x: str) -> str:
        return re.sub(r"[.!?。！？]+$", "", x.strip()).strip().lower()
    if record["match"] == "exact":
        return norm(got) == norm(record["answer"])
    if record["match"] == "pattern":
        return re.search(record["answer"], got) is not None
    letter = re.match(r"\s*([A-D])\b", got)
    return bool(letter) and letter.group(1) == record["answer"][0]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("weights")
    p.add_argument("--start", type=int, default=0, help="skip records before this index")
    args = p.parse_args()
    torch.set_num_threads(1)
    tok = build_tokenizer()
    m = build_models(len(tok))
    load_weights(m, args.weights)
    for mod in m.values():
        mod.eval()
    tally: dict[str, list[int]] = {}
    with open(SLICES, encoding="utf-8") as f:
        for record in map(json.loads, f):
            if record["index"] < args.start:
                continue
            images = [read_png(x) for x in record["images"]]
            prompt = (record.get("system") or "") + " <|User|>:" + "<ImageHere>" * len(images) \
                + record["question"] + "\n<eoh> <|Bot|>:"
            row = tally.setdefault(f'{record["slice"]} ({record["lang"]})', [0, 0])
            row[0] += correct(record, answer(m, tok, prompt, images).strip())
            row[1] += 1
    for name, (ok, n) in tally.items():
        print(f"{name:34s} {ok}/{n} {100 * ok / n:.1f}%")


if __name__ == "__main__":
    main()
