"""The checkpoint's SentencePiece ``tokenizer.model`` (Debian's python3-sentencepiece).

``<TOKENS_UNUSED_0/1>`` are user-defined pieces of that model, so plain ``encode`` yields ids 103027/103028 for them
(checked by parsing the released file). Like the seed's HF tokenizer, BOS is added only where asked (the first
text segment of a prompt) and each segment is encoded on its own.
"""

from __future__ import annotations

import pathlib
from typing import Sequence

import sentencepiece


class Tokenizer:
    def __init__(self, model_file: pathlib.Path) -> None:
        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        self.bos_id = self._sp.bos_id()
        self.eos_id = self._sp.eos_id()

    @property
    def vocab_size(self) -> int:
        return self._sp.get_piece_size()

    def encode(self, text: str, bos: bool = False) -> list[int]:
        ids = self._sp.encode(text) if text else []
        return [self.bos_id, *ids] if bos else ids

    def decode(self, ids: Sequence[int]) -> str:
        return self._sp.decode(list(ids))

    def piece_id(self, piece: str) -> int:
        """Id of a whole piece (e.g. ``<TOKENS_UNUSED_1>``); an error when the model has no such piece."""
        token = self._sp.piece_to_id(piece)
        if token == self._sp.unk_id() and piece != self._sp.id_to_piece(token):
            raise KeyError(f"tokenizer has no piece {piece!r}")
        return token

    def piece(self, token: int) -> str:
        return self._sp.id_to_piece(token)
