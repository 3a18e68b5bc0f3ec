"""Write the gallery's ``image_embedder`` and ``text_embedder`` Triton folders from a Chinese-CLIP download.

Input: a Hugging Face download of ``OFA-Sys/chinese-clip-vit-base-patch16`` (``config.json``, ``pytorch_model.bin``,
``vocab.txt``). Output (python backend, docs/model-contract.md):

    image_embedder/config.pbtxt, 1/model.py, 1/image_tower.pt, 1/clip_config.json
    text_embedder/config.pbtxt,  1/model.py, 1/text_tower.pt,  1/clip_config.json, 1/vocab.txt
"""

from __future__ import annotations

import pathlib
from typing import Callable

from xcomposer7b.clip import ClipConfig, ImageTower, TextTower, WordPieceTokenizer, load_tower, read_checkpoint_dir
from xcomposer7b.clip import split_checkpoint
from xcomposer7b.repo_files import entry_source, half_precision, model_config_pbtxt, torch_save_bytes
from xcomposer7b.repo_files import write_bytes_atomically, write_text_atomically
from xcomposer7b.vision import preprocessing_parameters

IMAGE_WEIGHTS, TEXT_WEIGHTS, CONFIG_FILE, VOCAB_FILE = (
    "image_tower.pt",
    "text_tower.pt",
    "clip_config.json",
    "vocab.txt",
)
MAX_BATCH_SIZE = 64
_COMMENT = (
    "Chinese-CLIP ViT-B/16 {tower} (OFA-Sys/chinese-clip-vit-base-patch16), python backend, torch; L2-normalised.\n"
    "Written by xcomposer7b.clip_convert.{function}; regenerate rather than edit."
)


def image_embedder_config(config: ClipConfig, kind: str = "KIND_GPU") -> str:
    return model_config_pbtxt(
        name="image_embedder",
        comment=_COMMENT.format(tower="image tower", function="image_embedder_config"),
        max_batch_size=MAX_BATCH_SIZE,
        inputs=[("pixel_values", "TYPE_FP32", (3, config.image_size, config.image_size))],
        outputs=[("embedding", "TYPE_FP32", (config.projection_dim,))],
        kind=kind,
        max_queue_delay_microseconds=2000,
        parameters={
            **preprocessing_parameters(config.image_size, config.image_mean, config.image_std),
            "embedding_dim": str(config.projection_dim),
            "weights": IMAGE_WEIGHTS,
            "clip_config": CONFIG_FILE,
        },
    )


def text_embedder_config(config: ClipConfig, kind: str = "KIND_GPU") -> str:
    return model_config_pbtxt(
        name="text_embedder",
        comment=_COMMENT.format(
            tower="text tower (BERT WordPiece, English + Chinese)", function="text_embedder_config"
        ),
        max_batch_size=MAX_BATCH_SIZE,
        inputs=[("text", "TYPE_STRING", (1,))],
        outputs=[("embedding", "TYPE_FP32", (config.projection_dim,))],
        kind=kind,
        max_queue_delay_microseconds=2000,
        parameters={
            "embedding_dim": str(config.projection_dim),
            "tokenizer": VOCAB_FILE,
            "max_text_tokens": str(config.max_text_tokens),
            "weights": TEXT_WEIGHTS,
            "clip_config": CONFIG_FILE,
        },
    )


def write_embedder_folders(
    checkpoint_dir: pathlib.Path,
    out_repo: pathlib.Path,
    progress: Callable[[str], None],
    kind: str,
    max_text_tokens: int,
) -> list[pathlib.Path]:
    progress(f"embedders: reading {checkpoint_dir}")
    config, state = read_checkpoint_dir(checkpoint_dir, max_text_tokens)
    vocab_text = (checkpoint_dir / VOCAB_FILE).read_text("utf-8")
    vocab = WordPieceTokenizer(vocab_text.rstrip("\n").split("\n"))
    if len(vocab.pieces) != config.vocab_size:
        raise ValueError(
            f"{VOCAB_FILE} has {len(vocab.pieces)} pieces, config.json says vocab_size {config.vocab_size}"
        )
    image_state, text_state = split_checkpoint(state)
    load_tower(ImageTower(config), image_state, "image_embedder")
    load_tower(TextTower(config), text_state, "text_embedder")
    written = []
    for name, weights_file, tower_state, pbtxt, model_class in (
        ("image_embedder", IMAGE_WEIGHTS, image_state, image_embedder_config(config, kind), "ImageEmbedderModel"),
        ("text_embedder", TEXT_WEIGHTS, text_state, text_embedder_config(config, kind), "TextEmbedderModel"),
    ):
        folder = out_repo / name
        progress(f"{name}: writing {folder}")
        written.append(
            write_bytes_atomically(folder / "1" / weights_file, torch_save_bytes(half_precision(tower_state)))
        )
        written.append(write_text_atomically(folder / "1" / CONFIG_FILE, config.to_json() + "\n"))
        written.append(write_text_atomically(folder / "1" / "model.py", entry_source(name, model_class)))
        written.append(write_text_atomically(folder / "config.pbtxt", pbtxt))
    written.append(write_text_atomically(out_repo / "text_embedder" / "1" / VOCAB_FILE, vocab_text))
    return written
