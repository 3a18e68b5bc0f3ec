"""The vision side of InternLM-XComposer-7B (v1): pixels → 66 embeddings in the decoder's input space.

EVA ViT-g/14 (39 blocks, 1408 wide, all 257 tokens of the last block, no head) → ``ln_vision`` LayerNorm(1408) →
BERT-base Q-Former (64 learned queries, cross-attention to the image in every 2nd layer, query FFN only) →
``internlm_proj`` Linear(768→4096) → ``[flag_image_start, 64 queries, flag_image_end]``.

Written from the remote code of ``internlm/internlm-xcomposer-7b`` as mirrored in InternLM/InternLM-XComposer at the
parent of commit 37b8258 (``huggingface/internlm-xcomposer/modeling_vit.py`` ``create_eva_vit_g``,
``modeling_perceive_sampler.py``, ``modeling_InternLM_XComposer.py`` ``__init__``/``encode_img``); parameter names are
those of that folder's ``pytorch_model.bin.index.json`` (shared/reference/production-path.md §1).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xcomposer7b import facts
from xcomposer7b.layers import BertAttention, BertIntermediate, BertResidualOutput, attention, load_exactly
from xcomposer7b.layers import merge_heads
from xcomposer7b.repo_files import config_from_json, config_to_json, csv

# Preprocessing of the seed (``vis_processor``): Resize((224, 224), BICUBIC) — exact size, no crop, aspect not kept —
# ToTensor (pixels to [0, 1]), Normalize with the OpenAI CLIP mean/std. The numbers live in facts.py.
IMAGE_SIZE = facts.IMAGE_SIZE
RESIZE_MODE = "bicubic"
IMAGE_MEAN = facts.IMAGE_MEAN
IMAGE_STD = facts.IMAGE_STD

# Top-level names of the vision part in the released checkpoint; everything else there belongs to the decoder.
VISION_KEY_PREFIXES = (
    "visual_encoder.",
    "ln_vision.",
    "Qformer.",
    "query_tokens",
    "internlm_proj.",
    "flag_image_start",
    "flag_image_end",
)


def preprocessing_parameters(image_size: int, mean: Sequence[float], std: Sequence[float]) -> dict[str, str]:
    """The contract's image keys (docs/model-contract.md): exact-size bicubic resize, pixels to [0,1], mean/std."""
    return {"image_size": str(image_size), "resize_mode": RESIZE_MODE, "image_mean": csv(mean), "image_std": csv(std)}


def is_vision_key(name: str) -> bool:
    return name.startswith(VISION_KEY_PREFIXES)


@dataclasses.dataclass(frozen=True)
class VisionConfig:
    image_size: int = IMAGE_SIZE
    patch_size: int = 14
    vit_width: int = 1408
    vit_depth: int = 39
    vit_heads: int = 1408 // 88
    vit_mlp_hidden: int = int(1408 * 4.3637)  # the seed's mlp_ratio 4.3637: 6144 hidden units
    vit_eps: float = 1e-6
    ln_vision_eps: float = 1e-5  # torch.nn.LayerNorm default, as in the seed
    qformer_hidden: int = 768  # transformers BertConfig() defaults from here on
    qformer_layers: int = 12
    qformer_heads: int = 12
    qformer_intermediate: int = 3072
    qformer_eps: float = 1e-12
    qformer_max_positions: int = 512  # only sizes the saved ``position_ids`` buffer
    cross_attention_freq: int = 2
    num_query_tokens: int = facts.NUM_QUERY_TOKENS
    llm_hidden: int = facts.HIDDEN_SIZE
    image_mean: tuple[float, float, float] = IMAGE_MEAN
    image_std: tuple[float, float, float] = IMAGE_STD

    @staticmethod
    def full() -> "VisionConfig":
        return VisionConfig()

    @staticmethod
    def tiny() -> "VisionConfig":
        """Same structure at toy sizes: 2×2 patches, 2 ViT blocks, 3 Q-Former layers (cross-attention in 0 and 2).

        The 64 queries stay, so the tiny encoder also yields the contract's 66 image tokens.
        """
        return VisionConfig(
            image_size=28,
            vit_width=32,
            vit_depth=2,
            vit_heads=4,
            vit_mlp_hidden=int(32 * 4.3637),
            qformer_hidden=24,
            qformer_layers=3,
            qformer_heads=4,
            qformer_intermediate=40,
            qformer_max_positions=16,
            llm_hidden=16,
        )

    @staticmethod
    def from_state(state: Mapping[str, Tensor]) -> "VisionConfig":
        """The sizes a checkpoint's tensors imply (shapes, block and layer counts).

        Head counts are not in any shape: the released model's head widths (ViT 88, Q-Former 64) are used where they
        divide the width, otherwise the ``tiny()`` preset's counts; ``load_checkpoint`` then checks every tensor.
        """
        pos_embed, patch = state["visual_encoder.pos_embed"], state["visual_encoder.patch_embed.proj.weight"]
        queries, tiny = state["query_tokens"], VisionConfig.tiny()
        positions = state.get("Qformer.bert.embeddings.position_ids")  # an unused buffer newer exports drop
        vit_width, qformer_hidden = pos_embed.shape[-1], queries.shape[-1]
        qformer_layers = _count(state, "Qformer.bert.encoder.layer.")
        cross = sorted({int(k.split(".")[4]) for k in state if ".crossattention." in k})
        return VisionConfig(
            image_size=math.isqrt(pos_embed.shape[1] - 1) * patch.shape[-1],
            patch_size=patch.shape[-1],
            vit_width=vit_width,
            vit_depth=_count(state, "visual_encoder.blocks."),
            vit_heads=vit_width // 88 if vit_width % 88 == 0 else tiny.vit_heads,
            vit_mlp_hidden=state["visual_encoder.blocks.0.mlp.fc1.weight"].shape[0],
            qformer_hidden=qformer_hidden,
            qformer_layers=qformer_layers,
            qformer_heads=qformer_hidden // 64 if qformer_hidden % 64 == 0 else tiny.qformer_heads,
            qformer_intermediate=state["Qformer.bert.encoder.layer.0.intermediate_query.dense.weight"].shape[0],
            qformer_max_positions=positions.shape[-1] if positions is not None else VisionConfig.qformer_max_positions,
            cross_attention_freq=cross[1] if len(cross) > 1 else qformer_layers,
            num_query_tokens=queries.shape[1],
            llm_hidden=state["flag_image_start"].shape[-1],
        )

    @property
    def num_patches(self) -> int:
        return (self.image_size // self.patch_size) ** 2

    @property
    def image_tokens(self) -> int:
        return self.num_query_tokens + 2

    def to_json(self) -> str:
        return config_to_json(self)

    @staticmethod
    def from_json(text: str) -> "VisionConfig":
        return config_from_json(VisionConfig, text)


class PatchEmbed(nn.Module):
    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, config.vit_width, kernel_size=config.patch_size, stride=config.patch_size)

    def forward(self, pixels: Tensor) -> Tensor:
        return self.proj(pixels).flatten(2).transpose(1, 2)


class EvaAttention(nn.Module):
    """One bias-less ``qkv`` matrix plus separate ``q_bias``/``v_bias`` (the key gets no bias), as EVA saves it."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, width * 3, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(width))
        self.v_bias = nn.Parameter(torch.zeros(width))
        self.proj = nn.Linear(width, width)

    def forward(self, x: Tensor) -> Tensor:
        batch, length, width = x.shape
        bias = torch.cat((self.q_bias, torch.zeros_like(self.v_bias), self.v_bias))
        qkv = F.linear(x, self.qkv.weight, bias).reshape(batch, length, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        return self.proj(merge_heads(attention(qkv[0], qkv[1], qkv[2])))


class EvaMlp(nn.Module):
    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class EvaBlock(nn.Module):
    """Pre-norm block without layer scale (``init_values`` is None for ViT-g); drop path is off at inference."""

    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(config.vit_width, eps=config.vit_eps)
        self.attn = EvaAttention(config.vit_width, config.vit_heads)
        self.norm2 = nn.LayerNorm(config.vit_width, eps=config.vit_eps)
        self.mlp = EvaMlp(config.vit_width, config.vit_mlp_hidden)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class EvaViT(nn.Module):
    """``visual_encoder``: returns all ``1 + patches`` tokens of the last block (no final norm, no head)."""

    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.image_size = config.image_size
        self.patch_embed = PatchEmbed(config)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, config.vit_width))
        self.pos_embed = nn.Parameter(torch.zeros(1, config.num_patches + 1, config.vit_width))
        self.blocks = nn.ModuleList(EvaBlock(config) for _ in range(config.vit_depth))

    def forward(self, pixels: Tensor) -> Tensor:
        if not torch.jit.is_tracing() and pixels.shape[-2:] != (self.image_size, self.image_size):
            raise ValueError(f"expected {self.image_size}x{self.image_size} pixels, got {tuple(pixels.shape[-2:])}")
        patches = self.patch_embed(pixels)
        x = torch.cat((self.cls_token.expand(patches.shape[0], -1, -1), patches), dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return x


class QFormerEmbeddings(nn.Module):
    """Only the LayerNorm survives (the seed deletes word/position embeddings); ``position_ids`` is saved anyway."""

    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.LayerNorm = nn.LayerNorm(config.qformer_hidden, eps=config.qformer_eps)
        self.register_buffer("position_ids", torch.arange(config.qformer_max_positions).expand((1, -1)))

    def forward(self, queries: Tensor) -> Tensor:
        return self.LayerNorm(queries)


class QFormerLayer(nn.Module):
    """Self-attention over the queries, cross-attention to the image (even layers), then the query FFN."""

    def __init__(self, config: VisionConfig, index: int) -> None:
        super().__init__()
        hidden, heads, eps = config.qformer_hidden, config.qformer_heads, config.qformer_eps
        self.attention = BertAttention(hidden, heads, eps)
        if index % config.cross_attention_freq == 0:
            self.crossattention = BertAttention(hidden, heads, eps, kv_width=config.vit_width)
        else:
            self.crossattention = None
        self.intermediate_query = BertIntermediate(hidden, config.qformer_intermediate)
        self.output_query = BertResidualOutput(config.qformer_intermediate, hidden, eps)

    def forward(self, queries: Tensor, image: Tensor) -> Tensor:
        x = self.attention(queries)
        if self.crossattention is not None:
            x = self.crossattention(x, context=image)
        return self.output_query(self.intermediate_query(x), x)


class QFormerEncoder(nn.Module):
    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(QFormerLayer(config, i) for i in range(config.qformer_layers))


class QFormerBert(nn.Module):
    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.embeddings = QFormerEmbeddings(config)
        self.encoder = QFormerEncoder(config)

    def forward(self, queries: Tensor, image: Tensor) -> Tensor:
        # Every image token is attended (the seed's encoder_attention_mask is all ones), so no mask is built.
        x = self.embeddings(queries)
        for layer in self.encoder.layer:
            x = layer(x, image)
        return x


class QFormer(nn.Module):
    """``Qformer``: the seed's BertLMHeadModel with ``cls`` deleted, so only ``bert`` holds weights."""

    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.bert = QFormerBert(config)


class VisionEncoder(nn.Module):
    """``forward(pixels [B,3,H,W]) → [B, 2 + num_query_tokens, llm_hidden]``; state_dict keys = checkpoint keys."""

    def __init__(self, config: VisionConfig) -> None:
        super().__init__()
        self.config = config
        self.visual_encoder = EvaViT(config)
        self.ln_vision = nn.LayerNorm(config.vit_width, eps=config.ln_vision_eps)
        self.Qformer = QFormer(config)
        self.query_tokens = nn.Parameter(torch.zeros(1, config.num_query_tokens, config.qformer_hidden))
        self.internlm_proj = nn.Linear(config.qformer_hidden, config.llm_hidden)
        self.flag_image_start = nn.Parameter(torch.zeros(1, 1, config.llm_hidden))
        self.flag_image_end = nn.Parameter(torch.zeros(1, 1, config.llm_hidden))

    def forward(self, pixels: Tensor) -> Tensor:
        image = self.ln_vision(self.visual_encoder(pixels))
        queries = self.Qformer.bert(self.query_tokens.expand(image.shape[0], -1, -1), image)
        projected = self.internlm_proj(queries)
        batch = projected.shape[0]
        start = self.flag_image_start.expand(batch, -1, -1).to(projected.dtype)
        end = self.flag_image_end.expand(batch, -1, -1).to(projected.dtype)
        return torch.cat((start, projected, end), dim=1)

    def load_checkpoint(self, state: Mapping[str, Tensor]) -> None:
        """Strict load of the checkpoint's vision keys (decoder keys must be split off before).

        The released checkpoint saves ``Qformer.bert.embeddings.position_ids``; an export without it loads too.
        """
        load_exactly(self, state, "vision_encoder", recomputed_buffers=("position_ids",))


def _count(state: Mapping[str, Tensor], prefix: str) -> int:
    """How many numbered children ``<prefix><i>.`` the keys mention."""
    return len({k[len(prefix) :].split(".")[0] for k in state if k.startswith(prefix)})


def random_checkpoint(config: VisionConfig, seed: int = 0) -> dict[str, Tensor]:
    """A state dict in the released layout with random values (tests, GPU check): every key and shape is real."""
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for name, tensor in VisionEncoder(config).state_dict().items():
        if tensor.is_floating_point():
            state[name] = torch.randn(tensor.shape, generator=generator) * 0.02
        else:
            state[name] = tensor.clone()
    for norm in [k for k in state if k.endswith("LayerNorm.weight") or ".norm" in k or k.startswith("ln_vision")]:
        if norm.endswith("weight"):
            state[norm] = 1.0 + state[norm]
    return state
