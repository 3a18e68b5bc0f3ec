"""Building the llm model's engine from its version folder and config parameters (used by llm/1/model.py)."""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

import torch

from xcomposer7b import facts
from xcomposer7b.checkpoint import GPTQ_SUFFIXES
from xcomposer7b.engine import Engine, TorchEngine
from xcomposer7b.internlm import InternLMConfig, InternLMForCausalLM
from xcomposer7b.tokenizer import Tokenizer


@dataclass(frozen=True)
class LlmSettings:
    context_length: int
    default_max_tokens: int
    image_placeholder: str
    image_tokens: int
    hidden_size: int
    tokenizer: str
    stop_strings: tuple[str, ...]
    engine: str
    decoder_dir: str
    tensor_parallel_size: int = 1

    @staticmethod
    def from_parameters(parameters: dict[str, str]) -> "LlmSettings":
        return LlmSettings(
            context_length=int(parameters["context_length"]),
            default_max_tokens=int(parameters["default_max_tokens"]),
            image_placeholder=parameters["image_placeholder"],
            image_tokens=int(parameters["image_tokens"]),
            hidden_size=int(parameters["hidden_size"]),
            tokenizer=parameters["tokenizer"],
            stop_strings=tuple(json.loads(parameters["stop_strings"])),
            engine=parameters.get("engine", "auto"),
            decoder_dir=parameters.get("decoder", "decoder"),
            tensor_parallel_size=int(parameters.get("tensor_parallel_size", "1")),
        )


def stop_ids(tokenizer: Tokenizer) -> list[int]:
    """eoh, eoa (103027/103028 in the released tokenizer) and eos, as the seed's stopping criteria."""
    return [tokenizer.piece_id(facts.EOH_TOKEN), tokenizer.piece_id(facts.EOA_TOKEN), tokenizer.eos_id]


def load_decoder(decoder_dir: pathlib.Path, device: torch.device) -> InternLMForCausalLM:
    config = InternLMConfig.from_hf_config(json.loads((decoder_dir / "config.json").read_text(encoding="utf-8")))
    index = json.loads((decoder_dir / "pytorch_model.bin.index.json").read_text(encoding="utf-8"))
    if any(name.endswith(GPTQ_SUFFIXES) for name in index["weight_map"]):
        raise RuntimeError(f"{decoder_dir} is GPTQ-packed (the -4bit checkpoint): serve it with engine=vllm")
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    model = InternLMForCausalLM(config)
    state = {}
    for shard in sorted(set(index["weight_map"].values())):
        state.update(torch.load(decoder_dir / shard, map_location="cpu"))
    model.load_checkpoint_state(state)
    return model.to(device=device, dtype=dtype).eval()


def build_engine(version_dir: pathlib.Path, settings: LlmSettings, device: torch.device) -> Engine:
    tokenizer = Tokenizer(version_dir / settings.tokenizer)
    choice = settings.engine
    if choice == "auto":
        choice = "vllm" if device.type == "cuda" and _vllm_importable() else "torch"
    if choice == "vllm":
        from xcomposer7b.vllm_engine import VllmEngine

        return VllmEngine(version_dir / settings.decoder_dir, tokenizer, settings, stop_ids(tokenizer))
    if choice != "torch":
        raise ValueError(f"engine parameter must be auto, torch or vllm, not {settings.engine!r}")
    model = load_decoder(version_dir / settings.decoder_dir, device)
    return TorchEngine(
        model,
        tokenizer,
        stop_ids=stop_ids(tokenizer),
        stop_strings=settings.stop_strings,
        context_length=settings.context_length,
        image_placeholder=settings.image_placeholder,
        image_tokens=settings.image_tokens,
    )


def _vllm_importable() -> bool:
    try:
        import vllm  # noqa: F401
    except ImportError:
        return False
    return True
