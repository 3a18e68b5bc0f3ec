"""Reading a downloaded InternLM-XComposer-7B checkpoint and splitting its state by owner.

The released layout (pytorch_model.bin.index.json): ``internlm_model.*`` is the decoder (with ``lora_A``/``lora_B``
next to q_proj, v_proj, mlp.up_proj and mlp.down_proj), ``visual_encoder.*``, ``ln_vision.*``, ``Qformer.*``,
``query_tokens``, ``internlm_proj.*`` and ``flag_image_start/end`` are the vision side. The ``-4bit`` repository is
merged already and its decoder linears are GPTQ-packed (``qweight``/``qzeros``/``scales``/``g_idx``).
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field
from typing import Callable, Optional

import torch

from xcomposer7b.vision import is_vision_key

DECODER_PREFIX = "internlm_model."
# Buffers the decoder recomputes (rotary inverse frequencies are a function of head_dim and the base).
RECOMPUTED_SUFFIXES = (".rotary_emb.inv_freq",)
GPTQ_SUFFIXES = (".qweight", ".qzeros", ".scales", ".g_idx")
INDEX_FILE = "pytorch_model.bin.index.json"

Progress = Callable[[str], None]


class CheckpointError(Exception):
    pass


@dataclass
class Checkpoint:
    directory: pathlib.Path
    config: dict
    shards: list[pathlib.Path]
    quantize_config: Optional[dict] = None

    @property
    def is_gptq(self) -> bool:
        return self.quantize_config is not None

    @property
    def lora_scale(self) -> Optional[float]:
        """alpha / r of the unmerged LoRA, or None when the config says it is merged (``internlm_lora: null``)."""
        lora = self.config.get("internlm_lora") or self.config.get("lora_cfg")
        if not lora:
            return None
        return float(lora["lora_alpha"]) / float(lora["lora_r"])

    @property
    def tokenizer_file(self) -> pathlib.Path:
        return self.directory / "tokenizer.model"


def open_checkpoint(directory: pathlib.Path) -> Checkpoint:
    directory = pathlib.Path(directory)
    config_file = directory / "config.json"
    if not config_file.is_file():
        raise CheckpointError(f"{directory}: no config.json; expected a downloaded internlm/internlm-xcomposer-7b")
    config = json.loads(config_file.read_text(encoding="utf-8"))
    index_file = directory / INDEX_FILE
    if index_file.is_file():
        weight_map = json.loads(index_file.read_text(encoding="utf-8"))["weight_map"]
        shards = [directory / name for name in sorted(set(weight_map.values()))]
    else:
        shards = sorted(directory.glob("*.bin"))
    if not shards:
        safetensors = sorted(directory.glob("*.safetensors"))
        hint = f" (found {safetensors[0].name}: safetensors shards are not read by this converter)" if safetensors else ""
        raise CheckpointError(f"{directory}: no pytorch_model*.bin weights{hint}")
    missing = [s.name for s in shards if not s.is_file()]
    if missing:
        raise CheckpointError(f"{directory}: shards named in {INDEX_FILE} are missing: {missing}")
    if not (directory / "tokenizer.model").is_file():
        raise CheckpointError(f"{directory}: no tokenizer.model")
    quantize_file = directory / "quantize_config.json"
    quantize = json.loads(quantize_file.read_text(encoding="utf-8")) if quantize_file.is_file() else None
    return Checkpoint(directory, config, shards, quantize)


def load_state(checkpoint: Checkpoint, progress: Progress) -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = {}
    for number, shard in enumerate(checkpoint.shards, start=1):
        size_gb = shard.stat().st_size / 1e9
        progress(f"reading shard {number}/{len(checkpoint.shards)}: {shard.name} ({size_gb:.2f} GB)")
        state.update(torch.load(shard, map_location="cpu"))
    return state


@dataclass
class SplitState:
    decoder: dict[str, torch.Tensor] = field(default_factory=dict)
    vision: dict[str, torch.Tensor] = field(default_factory=dict)
    other: dict[str, torch.Tensor] = field(default_factory=dict)


def split_state(state: dict[str, torch.Tensor]) -> SplitState:
    """Decoder names lose their ``internlm_model.`` prefix; vision names stay as in the checkpoint."""
    split = SplitState()
    for name, tensor in state.items():
        if name.startswith(DECODER_PREFIX):
            if not name.endswith(RECOMPUTED_SUFFIXES):
                split.decoder[name[len(DECODER_PREFIX) :]] = tensor
        elif is_vision_key(name):
            split.vision[name] = tensor
        else:
            split.other[name] = tensor
    if not split.decoder:
        raise CheckpointError("no internlm_model.* tensors: this is not an InternLM-XComposer (v1) checkpoint")
    return split


def is_gptq_state(decoder: dict[str, torch.Tensor]) -> bool:
    return any(name.endswith(GPTQ_SUFFIXES) for name in decoder)
