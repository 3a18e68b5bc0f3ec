"""Turns a growing list of generated ids into the contract's text deltas (docs/model-contract.md, streaming rules).

Only complete UTF-8 is emitted (a decode ending in U+FFFD waits for the rest of the bytes), text matching a stop
string is cut with everything after it, and text that could still become a stop string is held back until decided.
Every engine feeds its ids through one of these, so the streamed deltas concatenate to the non-streamed text.
"""

from __future__ import annotations

from typing import Callable, Sequence


class TextStream:
    def __init__(self, decode: Callable[[Sequence[int]], str], stop_strings: Sequence[str]) -> None:
        self._decode = decode
        self._stops = [s for s in stop_strings if s]
        self._emitted = ""
        self._text = ""
        self._ids: Sequence[int] = ()
        self.stopped = False

    def push(self, ids: Sequence[int]) -> str:
        """All ids generated so far → the new delta (possibly empty). Sets ``stopped`` on a stop string."""
        if self.stopped:
            return ""
        self._ids = list(ids)
        text = self._decode(self._ids)
        if text.endswith("\ufffd"):
            return ""  # maybe the first bytes of a character; malformed ones show up at flush()
        return self._accept(text, final=False)

    def flush(self) -> str:
        """At the end of generation: whatever was held back and is not a stop string (U+FFFD for broken bytes)."""
        if self.stopped:
            return ""
        return self._accept(self._decode(self._ids), final=True)

    def _accept(self, text: str, final: bool) -> str:
        self._text = text
        cut = self._first_stop(text)
        if cut is not None:
            self.stopped = True
            return self._emit_upto(cut)
        return self._emit_upto(len(text) if final else len(text) - self._held_back(text))

    @property
    def text(self) -> str:
        return self._emitted

    def _first_stop(self, text: str) -> int | None:
        hits = [text.find(s) for s in self._stops]
        hits = [h for h in hits if h >= 0]
        return min(hits) if hits else None

    def _held_back(self, text: str) -> int:
        """Length of the longest tail of ``text`` that is a proper prefix of some stop string."""
        longest = 0
        for stop in self._stops:
            for size in range(min(len(stop) - 1, len(text)), longest, -1):
                if text.endswith(stop[:size]):
                    longest = size
                    break
        return longest

    def _emit_upto(self, end: int) -> str:
        end = max(end, len(self._emitted))
        if not self._text.startswith(self._emitted):
            # A later piece changed earlier text (rare with SentencePiece); what was sent stays sent.
            delta = self._text[len(self._emitted) :] if len(self._text) > len(self._emitted) else ""
        else:
            delta = self._text[len(self._emitted) : end]
        self._emitted += delta
        return delta
