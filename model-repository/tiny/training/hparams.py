"""Sizes, seeds and pixel normalisation of the tiny model: the one home of the numbers that training, export and
import must agree on. Everything here is a constant; no module of the training folder is imported, so any of them
may import this one."""
from __future__ import annotations

from dataclasses import dataclass

# Pixel normalisation, published to the serving side as the vision configs' image_mean / image_std.
MEAN = (0.5, 0.5, 0.5)
STD = (0.25, 0.25, 0.25)


@dataclass(frozen=True)
class Sizes:
    """Widths and depths of the model. `MODEL` is the committed model; tests build smaller ones."""

    image_queries: int = 16
    hidden: int = 256
    context: int = 512
    embed_dim: int = 128
    max_text_tokens: int = 64
    decoder_layers: int = 5
    decoder_heads: int = 8
    backbone_width: int = 160
    sampler_dim: int = 192
    sampler_blocks: int = 2
    text_dim: int = 160
    text_layers: int = 3

    @property
    def image_tokens(self) -> int:
        """Tokens one image takes in the decoder: the sampler's queries between a start and an end flag."""
        return self.image_queries + 2


MODEL = Sizes()

TRAIN_SEED = 1
VOCAB_SEED = 12345
HELDOUT_SEED = 2
GALLERY_SEED = 3
