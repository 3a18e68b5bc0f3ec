"""Building blocks shared by the vision encoder's Q-Former and the gallery's text tower (both BERT layers).

The module and attribute names follow the BERT layout the checkpoints were saved from
(``attention.self.query``, ``attention.output.LayerNorm``, ...), so ``state_dict()`` keys equal the checkpoints' keys.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

_SDPA = getattr(F, "scaled_dot_product_attention", None)  # torch >= 2.0; Debian's 1.13 takes the plain path


def attention(q: Tensor, k: Tensor, v: Tensor, additive_mask: Optional[Tensor] = None) -> Tensor:
    """softmax(q·kᵀ/√d + mask)·v over ``[B, heads, T, d]``; the fused kernel where torch has one (same result)."""
    if _SDPA is not None:
        return _SDPA(q, k, v, attn_mask=additive_mask)
    scores = torch.matmul(q, k.transpose(-2, -1)) * (q.shape[-1] ** -0.5)
    if additive_mask is not None:
        scores = scores + additive_mask
    return torch.matmul(scores.softmax(dim=-1), v)


def split_heads(x: Tensor, heads: int) -> Tensor:
    batch, length, width = x.shape
    return x.view(batch, length, heads, width // heads).transpose(1, 2)


def merge_heads(x: Tensor) -> Tensor:
    batch, heads, length, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * head_dim)


def padding_mask(attention_mask: Tensor, dtype: torch.dtype) -> Tensor:
    """``[B, T]`` of 1 (keep) / 0 (pad) → additive ``[B, 1, 1, T]`` (0 or the dtype's minimum), as BERT does."""
    keep = attention_mask[:, None, None, :].to(dtype)
    return (1.0 - keep) * torch.finfo(dtype).min


class BertSelfAttention(nn.Module):
    """``query``/``key``/``value``; key and value read ``kv_width`` features (the image width in cross-attention)."""

    def __init__(self, hidden: int, heads: int, kv_width: Optional[int] = None) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(kv_width or hidden, hidden)
        self.value = nn.Linear(kv_width or hidden, hidden)

    def forward(self, x: Tensor, context: Optional[Tensor] = None, mask: Optional[Tensor] = None) -> Tensor:
        source = x if context is None else context
        q = split_heads(self.query(x), self.heads)
        k = split_heads(self.key(source), self.heads)
        v = split_heads(self.value(source), self.heads)
        return merge_heads(attention(q, k, v, mask))


class BertResidualOutput(nn.Module):
    """``dense`` → dropout (inactive at inference) → ``LayerNorm(out + residual)``."""

    def __init__(self, width_in: int, hidden: int, eps: float) -> None:
        super().__init__()
        self.dense = nn.Linear(width_in, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: Tensor, residual: Tensor) -> Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class BertAttention(nn.Module):
    def __init__(self, hidden: int, heads: int, eps: float, kv_width: Optional[int] = None) -> None:
        super().__init__()
        self.self = BertSelfAttention(hidden, heads, kv_width)
        self.output = BertResidualOutput(hidden, hidden, eps)

    def forward(self, x: Tensor, context: Optional[Tensor] = None, mask: Optional[Tensor] = None) -> Tensor:
        return self.output(self.self(x, context, mask), x)


class BertIntermediate(nn.Module):
    """``dense`` + exact (erf) GELU: BERT's ``hidden_act: gelu``."""

    def __init__(self, hidden: int, intermediate: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden, intermediate)

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(self.dense(x))


def load_exactly(
    module: nn.Module, state: Mapping[str, Tensor], what: str, recomputed_buffers: Iterable[str] = ()
) -> None:
    """``load_state_dict(strict=True)`` with a message naming the missing/unexpected keys.

    ``recomputed_buffers`` are key suffixes of index buffers (``position_ids``) that some exports saved and others
    did not: dropped from ``state`` when the module does not hold them, the module's own values when ``state`` lacks
    them. Nothing else is forgiven.
    """
    own_state = module.state_dict()
    suffixes = tuple(recomputed_buffers)
    recomputed = {k for k in own_state if suffixes and k.endswith(suffixes)}
    kept = {k: v for k, v in state.items() if k in own_state or not (suffixes and k.endswith(suffixes))}
    kept.update({k: own_state[k] for k in recomputed - kept.keys()})
    own = set(own_state)
    missing = sorted(own - kept.keys())
    unexpected = sorted(kept.keys() - own)
    if missing or unexpected:
        raise ValueError(
            f"{what}: checkpoint does not match the model: missing {missing[:8]}{'...' if len(missing) > 8 else ''}"
            f" ({len(missing)}), unexpected {unexpected[:8]}{'...' if len(unexpected) > 8 else ''}"
            f" ({len(unexpected)})"
        )
    module.load_state_dict(kept, strict=True)
