"""InternLM-7B decoder as used by XComposer v1: RMSNorm, rotary (NeoX half-split, base 10000), SwiGLU, q/k/v/o bias.

Parameter names follow the checkpoint's ``internlm_model.`` subtree with that prefix removed (``model.embed_tokens``,
``model.layers.N.self_attn.q_proj`` ..., ``model.norm``, ``lm_head``), which is also the plain InternLM/LLaMA-with-bias
layout other engines load. The forward pass takes ``inputs_embeds`` (the image rows are spliced in by the caller) and
an optional KV cache, and returns logits plus the grown cache.
"""

from __future__ import annotations

import json
import math
import pathlib
from dataclasses import asdict, dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from xcomposer7b import facts

# Per layer (key, value), each [batch, heads, positions, head_dim].
KVCache = list[tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class InternLMConfig:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    max_position_embeddings: int
    rms_norm_eps: float = facts.RMS_NORM_EPS
    rope_base: float = facts.ROPE_BASE
    bias: bool = True

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @staticmethod
    def full() -> "InternLMConfig":
        return InternLMConfig(
            vocab_size=facts.VOCAB_SIZE,
            hidden_size=facts.HIDDEN_SIZE,
            intermediate_size=facts.INTERMEDIATE_SIZE,
            num_hidden_layers=facts.NUM_LAYERS,
            num_attention_heads=facts.NUM_HEADS,
            max_position_embeddings=facts.MAX_POSITION_EMBEDDINGS,
        )

    @staticmethod
    def tiny(vocab_size: int = 320) -> "InternLMConfig":
        """Same structure at a size CPU tests run in milliseconds (two layers, 64 wide, head_dim 16)."""
        return InternLMConfig(
            vocab_size=vocab_size,
            hidden_size=64,
            intermediate_size=160,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=256,
        )

    @staticmethod
    def from_hf_config(config: dict) -> "InternLMConfig":
        """From a checkpoint's config.json (XComposer's or a plain InternLM one)."""
        return InternLMConfig(
            vocab_size=int(config["vocab_size"]),
            hidden_size=int(config["hidden_size"]),
            intermediate_size=int(config["intermediate_size"]),
            num_hidden_layers=int(config["num_hidden_layers"]),
            num_attention_heads=int(config["num_attention_heads"]),
            max_position_embeddings=int(config["max_position_embeddings"]),
            rms_norm_eps=float(config.get("rms_norm_eps", facts.RMS_NORM_EPS)),
            rope_base=float(config.get("rope_theta", facts.ROPE_BASE)),
            bias=bool(config.get("bias", True)),
        )

    def to_hf_config(self) -> dict:
        """config.json of the merged decoder as a plain InternLM checkpoint (vLLM loads it as InternLMForCausalLM)."""
        return {
            "architectures": ["InternLMForCausalLM"],
            "model_type": "internlm",
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "max_position_embeddings": self.max_position_embeddings,
            "rms_norm_eps": self.rms_norm_eps,
            "rope_theta": self.rope_base,
            "bias": self.bias,
            "hidden_act": "silu",
            "bos_token_id": facts.BOS_ID,
            "eos_token_id": facts.EOS_ID,
            "tie_word_embeddings": False,
            "torch_dtype": "float16",
        }

    def save(self, path: pathlib.Path) -> None:
        path.write_text(json.dumps(self.to_hf_config(), indent=2) + "\n", encoding="utf-8")

    def as_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Variance in fp32 as the seed does, then back to the weight's dtype.
        variance = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + self.eps)
        return self.weight * x.to(self.weight.dtype)


class Rotary(nn.Module):
    """NeoX-style rotary: the first and second half of each head rotate together (not interleaved pairs)."""

    def __init__(self, head_dim: int, base: float) -> None:
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, x: torch.Tensor, offset: int) -> torch.Tensor:
        positions = torch.arange(offset, offset + x.shape[-2], device=x.device, dtype=torch.float32)
        freqs = torch.outer(positions, self.inv_freq.to(x.device))
        cos, sin = freqs.cos().to(x.dtype), freqs.sin().to(x.dtype)
        first, second = x.chunk(2, dim=-1)
        return torch.cat([first * cos - second * sin, second * cos + first * sin], dim=-1)


class Attention(nn.Module):
    def __init__(self, config: InternLMConfig) -> None:
        super().__init__()
        width, self.heads, self.head_dim = config.hidden_size, config.num_attention_heads, config.head_dim
        self.q_proj = nn.Linear(width, width, bias=config.bias)
        self.k_proj = nn.Linear(width, width, bias=config.bias)
        self.v_proj = nn.Linear(width, width, bias=config.bias)
        self.o_proj = nn.Linear(width, width, bias=config.bias)
        self.rotary = Rotary(config.head_dim, config.rope_base)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, _ = x.shape
        return x.view(batch, length, self.heads, self.head_dim).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, past: Optional[tuple[torch.Tensor, torch.Tensor]]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        offset = 0 if past is None else past[0].shape[2]
        q = self.rotary(self._heads(self.q_proj(x)), offset)
        k = self.rotary(self._heads(self.k_proj(x)), offset)
        v = self._heads(self.v_proj(x))
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)
        length, total = q.shape[2], k.shape[2]
        if length > 1:
            # Query i sees the cached positions and its own prefix.
            allowed = torch.ones(length, total, dtype=torch.bool, device=x.device).tril(diagonal=total - length)
            scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
        weights = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(x.shape[0], length, -1)
        return self.o_proj(out), (k, v)


class MLP(nn.Module):
    def __init__(self, config: InternLMConfig) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config: InternLMConfig) -> None:
        super().__init__()
        self.self_attn = Attention(config)
        self.mlp = MLP(config)
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, x: torch.Tensor, past) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        attended, present = self.self_attn(self.input_layernorm(x), past)
        x = x + attended
        return x + self.mlp(self.post_attention_layernorm(x)), present


class InternLMModel(nn.Module):
    def __init__(self, config: InternLMConfig) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)


class InternLMForCausalLM(nn.Module):
    def __init__(self, config: InternLMConfig) -> None:
        super().__init__()
        self.config = config
        self.model = InternLMModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.model.embed_tokens(input_ids)

    def forward(
        self, inputs_embeds: torch.Tensor, past: Optional[KVCache] = None, last_only: bool = True
    ) -> tuple[torch.Tensor, KVCache]:
        """``inputs_embeds`` [B,T,D] after ``past`` (P positions) → logits [B,V] (last position) or [B,T,V]."""
        x = inputs_embeds
        present: KVCache = []
        for index, layer in enumerate(self.model.layers):
            x, kv = layer(x, None if past is None else past[index])
            present.append(kv)
        x = self.model.norm(x)
        if last_only:
            x = x[:, -1]
        return self.lm_head(x), present

    def load_checkpoint_state(self, state: dict[str, torch.Tensor]) -> None:
        """Load a merged decoder state (names as in this module); any missing or extra name is an error."""
        result = self.load_state_dict(state, strict=False)
        if result.missing_keys or result.unexpected_keys:
            raise ValueError(
                f"decoder state does not match the InternLM layout: missing {result.missing_keys[:5]}"
                f" ({len(result.missing_keys)}), unexpected {result.unexpected_keys[:5]}"
                f" ({len(result.unexpected_keys)})"
            )


def reorder_cache(cache: KVCache, order: torch.Tensor) -> KVCache:
    """Beam search: row i of the new cache is row ``order[i]`` of the old one."""
    return [(k.index_select(0, order), v.index_select(0, order)) for k, v in cache]
