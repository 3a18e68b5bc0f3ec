"""The tiny model's tokenizer: whole English words (with and without a leading space), single CJK and other
characters, and UTF-8 byte fallback, so any Unicode input encodes. The algorithm is specified in
docs/model-contract.md; cpu-inference-server implements the same rules in Java."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np

SPECIAL = ["<pad>", "<s>", "</s>", "<unk>", "<eoh>", "<eoa>", "<|User|>", "<|Bot|>", "<ImageHere>", "<img>"]
BYTE_PIECES = [f"<0x{b:02X}>" for b in range(256)]


def _is_ascii_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def split_pieces(text: str) -> list[str]:
    pieces, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " " and i + 1 < n and _is_ascii_letter(text[i + 1]):
            j = i + 1
            while j < n and _is_ascii_letter(text[j]):
                j += 1
            pieces.append(text[i:j])
            i = j
        elif _is_ascii_letter(ch):
            j = i
            while j < n and _is_ascii_letter(text[j]):
                j += 1
            pieces.append(text[i:j])
            i = j
        else:
            pieces.append(ch)
            i += 1
    return pieces


class Tokenizer:
    def __init__(self, pieces: Iterable[str]) -> None:
        self.pieces = list(pieces)
        self.index = {p: i for i, p in enumerate(self.pieces)}
        self.special = [p for p in SPECIAL]
        self.pad_id = self.index["<pad>"]
        self.bos_id = self.index["<s>"]
        self.eos_id = self.index["</s>"]
        self.img_id = self.index["<img>"]
        self.eoa_id = self.index["<eoa>"]
        self.byte_offset = self.index["<0x00>"]

    @staticmethod
    def build(corpus: Iterable[str]) -> Tokenizer:
        seen = {}
        for text in corpus:
            for seg, is_special in Tokenizer._cut_specials(text):
                if is_special:
                    continue
                for p in split_pieces(seg):
                    seen[p] = seen.get(p, 0) + 1
        words = sorted(p for p in seen if p not in SPECIAL)
        return Tokenizer(SPECIAL + BYTE_PIECES + words)

    @staticmethod
    def _cut_specials(text: str) -> list[tuple[str, bool]]:
        out, i, start = [], 0, 0
        while i < len(text):
            match = None
            if text[i] == "<":
                for s in SPECIAL:
                    if text.startswith(s, i) and (match is None or len(s) > len(match)):
                        match = s
            if match:
                if start < i:
                    out.append((text[start:i], False))
                out.append((match, True))
                i += len(match)
                start = i
            else:
                i += 1
        if start < len(text):
            out.append((text[start:], False))
        return out

    def encode(self, text: str) -> list[int]:
        ids = []
        for seg, is_special in self._cut_specials(text):
            if is_special:
                ids.append(self.index[seg])
                continue
            for p in split_pieces(seg):
                tid = self.index.get(p)
                if tid is not None:
                    ids.append(tid)
                else:
                    ids.extend(self.byte_offset + b for b in p.encode("utf-8"))
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        out, buf = [], bytearray()
        for t in ids:
            if self.byte_offset <= t < self.byte_offset + 256:
                buf.append(t - self.byte_offset)
                continue
            if buf:
                out.append(buf.decode("utf-8", errors="replace"))
                buf = bytearray()
            out.append(self.pieces[t])
        if buf:
            out.append(buf.decode("utf-8", errors="replace"))
        return "".join(out)

    def to_json(self) -> str:
        return json.dumps({"type": "xcomposer-tiny-bytes", "version": 1, "pieces": self.pieces,
                           "special": SPECIAL, "pad": "<pad>", "bos": "<s>", "eos": "</s>",
                           "image_token": "<img>"}, ensure_ascii=False, indent=0)

    @staticmethod
    def from_json(text: str) -> Tokenizer:
        return Tokenizer(json.loads(text)["pieces"])

    def encode_batch(self, texts: Sequence[str], max_len: int) -> tuple[np.ndarray, np.ndarray]:
        """Padded int64 ids [B, T] and their attention mask, each text cut to `max_len` tokens."""
        ids = [self.encode(t)[:max_len] for t in texts]
        t = max(len(i) for i in ids)
        arr = np.full((len(ids), t), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), t), dtype=np.int64)
        for r, i in enumerate(ids):
            arr[r, :len(i)] = i
            mask[r, :len(i)] = 1
        return arr, mask

    def __len__(self) -> int:
        return len(self.pieces)
