"""The tiny model, shaped like InternLM-XComposer: an image backbone pretrained contrastively (stage 1), then a
perceive sampler + projection into a decoder's embedding space trained with the decoder (stage 2).

Written for export with torch 1.13's ONNX exporter (opset 17): hand-written attention, masks from arange
comparisons, positions derived from the KV-cache length."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import scenes
from hparams import MODEL, Sizes

Tensor = torch.Tensor


def conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Backbone(nn.Module):
    """64x64 RGB -> 8x8 grid of features (64 tokens)."""

    def __init__(self, width: int = 160) -> None:
        super().__init__()
        self.net = nn.Sequential(
            conv_bn(3, 48), conv_bn(48, 48),
            conv_bn(48, 96, 2), conv_bn(96, 96),          # 32x32
            conv_bn(96, 128, 2), conv_bn(128, 128),       # 16x16
            conv_bn(128, width, 2), conv_bn(width, width),  # 8x8
        )
        self.width = width

    def forward(self, pixels: Tensor) -> Tensor:
        return self.net(pixels)  # [B, C, 8, 8]


class ImageHead(nn.Module):
    """Grid -> retrieval embedding. Flattening (not pooling) keeps where each attribute is."""

    def __init__(self, width: int, dim: int) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(width, 32, 1)
        self.mlp = nn.Sequential(nn.Linear(32 * 64, 512), nn.GELU(), nn.Linear(512, dim))

    def forward(self, grid: Tensor) -> Tensor:
        x = self.reduce(grid).flatten(1)
        return F.normalize(self.mlp(x), dim=-1)


class CellHeads(nn.Module):
    """Auxiliary stage-1 heads: shape / colour / size of the object in each of the 3x3 named cells."""

    def __init__(self, width: int, n_shapes: int, n_colours: int, n_sizes: int) -> None:
        super().__init__()
        self.shape = nn.Linear(width, n_shapes + 1)
        self.colour = nn.Linear(width, n_colours + 1)
        self.size = nn.Linear(width, n_sizes + 1)

    def forward(self, grid: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        cells = F.adaptive_avg_pool2d(grid, 3).flatten(2).transpose(1, 2)  # [B, 9, C]
        return self.shape(cells), self.colour(cells), self.size(cells)


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def split(self, x: Tensor) -> Tensor:
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)


class EncoderLayer(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = SelfAttention(dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:
        a = self.attn
        q, k, v = a.qkv(self.ln1(x)).chunk(3, dim=-1)
        q, k, v = a.split(q), a.split(k), a.split(v)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(a.head_dim)
        scores = scores.masked_fill(~key_mask[:, None, None, :], -1e9)
        out = torch.matmul(scores.softmax(-1), v).transpose(1, 2).reshape(x.shape)
        x = x + a.proj(out)
        return x + self.mlp(self.ln2(x))


class TextEncoder(nn.Module):
    def __init__(self, vocab: int, dim: int = 160, heads: int = 4, layers: int = 3, max_len: int = 64,
                 out_dim: int = 128) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(max_len, dim)
        self.layers = nn.ModuleList([EncoderLayer(dim, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.out = nn.Linear(dim, out_dim)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        t = input_ids.shape[1]
        x = self.tok(input_ids) + self.pos(torch.arange(t, device=input_ids.device))[None]
        mask = attention_mask > 0
        for layer in self.layers:
            x = layer(x, mask)
        x = self.ln(x)
        m = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return F.normalize(self.out(pooled), dim=-1)


class CrossBlock(nn.Module):
    def __init__(self, dim: int, heads: int, kv_dim: int) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.ln_q, self.ln_kv = nn.LayerNorm(dim), nn.LayerNorm(kv_dim)
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(kv_dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln_s = nn.LayerNorm(dim)
        self.self_qkv = nn.Linear(dim, 3 * dim)
        self.self_proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def _split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def _attend(self, q, k, v, shape):
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        return torch.matmul(scores.softmax(-1), v).transpose(1, 2).reshape(shape)

    def forward(self, queries: Tensor, kv: Tensor) -> Tensor:
        q = self._split(self.q(self.ln_q(queries)))
        k, v = self.kv(self.ln_kv(kv)).chunk(2, dim=-1)
        queries = queries + self.proj(self._attend(q, self._split(k), self._split(v), queries.shape))
        sq, sk, sv = self.self_qkv(self.ln_s(queries)).chunk(3, dim=-1)
        queries = queries + self.self_proj(self._attend(self._split(sq), self._split(sk), self._split(sv), queries.shape))
        return queries + self.mlp(self.ln2(queries))


class PerceiveSampler(nn.Module):
    """Q-Former-like: learned queries cross-attend to the grid; projection into the decoder's space; learned
    start/end flags around the block, as XComposer does (66 = 1 + 64 + 1 there, 18 = 1 + 16 + 1 here)."""

    def __init__(self, grid_width: int, dim: int = 192, queries: int = 16, blocks: int = 2, heads: int = 4,
                 out_dim: int = 256) -> None:
        super().__init__()
        self.queries = nn.Parameter(torch.randn(1, queries, dim) * 0.02)
        self.grid_pos = nn.Parameter(torch.randn(1, 64, grid_width) * 0.02)
        self.blocks = nn.ModuleList([CrossBlock(dim, heads, grid_width) for _ in range(blocks)])
        self.ln = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, out_dim)
        self.flag_start = nn.Parameter(torch.randn(1, 1, out_dim) * 0.02)
        self.flag_end = nn.Parameter(torch.randn(1, 1, out_dim) * 0.02)
        self.out_ln = nn.LayerNorm(out_dim)

    def forward(self, grid: Tensor) -> Tensor:
        kv = grid.flatten(2).transpose(1, 2) + self.grid_pos  # [B, 64, C]
        b = kv.shape[0]
        q = self.queries.expand(b, -1, -1)
        for block in self.blocks:
            q = block(q, kv)
        tokens = self.out_ln(self.proj(self.ln(q)))
        return torch.cat([self.flag_start.expand(b, -1, -1), tokens, self.flag_end.expand(b, -1, -1)], dim=1)


REL_BUCKETS = 19


def relative_buckets(query_positions: Tensor, key_positions: Tensor) -> Tensor:
    """Distance from each query back to each key: 0-15 exactly, then 16-31, 32-63 and 64+ share a bucket.
    Lets a head find "the token just before" or "the letter before this image" without learning it from
    absolute positions (later keys are masked anyway, so negative distances are clamped to 0)."""
    rel = (query_positions[:, None] - key_positions[None, :]).clamp(min=0)
    far = 16 + (rel >= 32).long() + (rel >= 64).long()
    return torch.where(rel < 16, rel, far)


class DecoderLayer(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        # Zero-initialised: a model trained without it behaves the same until training moves it.
        self.rel_bias = nn.Parameter(torch.zeros(heads, REL_BUCKETS))
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x: Tensor, past_k: Tensor, past_v: Tensor, allowed: Tensor,
                buckets: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q = q.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = torch.cat([past_k, k.view(b, t, self.heads, self.head_dim).transpose(1, 2)], dim=2)
        v = torch.cat([past_v, v.view(b, t, self.heads, self.head_dim).transpose(1, 2)], dim=2)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + self.rel_bias[:, buckets]
        scores = torch.where(allowed, scores, torch.full_like(scores, -1e9))
        out = torch.matmul(scores.softmax(-1), v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(out)
        return x + self.mlp(self.ln2(x)), k, v


class Decoder(nn.Module):
    def __init__(self, vocab: int, dim: int = 256, heads: int = 8, layers: int = 6, context: int = 512) -> None:
        super().__init__()
        self.dim, self.heads, self.n_layers = dim, heads, layers
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(context, dim)
        self.layers = nn.ModuleList([DecoderLayer(dim, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.tok.weight
        # Small embeddings: with N(0,1) rows the tied head starts with huge logits.
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def empty_past(self, batch: int, device: torch.device | str) -> tuple[Tensor, Tensor]:
        shape = (self.n_layers, batch, self.heads, 0, self.dim // self.heads)
        return torch.zeros(shape, device=device), torch.zeros(shape, device=device)

    def hidden(self, inputs_embeds: Tensor, past_key: Tensor, past_value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        p = past_key.shape[3]
        t = inputs_embeds.shape[1]
        dev = inputs_embeds.device
        positions = torch.arange(t, device=dev) + p
        x = inputs_embeds + self.pos(positions)[None]
        key_positions = torch.arange(p + t, device=dev)
        allowed = key_positions[None, :] <= positions[:, None]  # [T, P+T]
        buckets = relative_buckets(positions, key_positions)
        keys, values = [], []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, past_key[i], past_value[i], allowed, buckets)
            keys.append(k)
            values.append(v)
        return self.ln(x), torch.stack(keys), torch.stack(values)

    def forward(self, inputs_embeds: Tensor, past_key: Tensor, past_value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        h, k, v = self.hidden(inputs_embeds, past_key, past_value)
        return self.head(h[:, -1]), k, v

    def train_logits(self, inputs_embeds: Tensor) -> Tensor:
        pk, pv = self.empty_past(inputs_embeds.shape[0], inputs_embeds.device)
        h, _, _ = self.hidden(inputs_embeds, pk, pv)
        return self.head(h)


class VisionEncoder(nn.Module):
    def __init__(self, backbone: Backbone, sampler: PerceiveSampler) -> None:
        super().__init__()
        self.backbone, self.sampler = backbone, sampler

    def forward(self, pixel_values: Tensor) -> Tensor:
        return self.sampler(self.backbone(pixel_values))


class ImageEmbedder(nn.Module):
    def __init__(self, backbone: Backbone, head: ImageHead) -> None:
        super().__init__()
        self.backbone, self.head = backbone, head

    def forward(self, pixel_values: Tensor) -> Tensor:
        return self.head(self.backbone(pixel_values))


class Embed(nn.Module):
    def __init__(self, decoder: Decoder) -> None:
        super().__init__()
        self.tok = decoder.tok

    def forward(self, input_ids: Tensor) -> Tensor:
        return self.tok(input_ids)


def build_models(vocab: int, sizes: Sizes = MODEL) -> dict[str, nn.Module]:
    """Every trained module by the key its weights are saved under (weights-*.npz keys are "<key>.<param>")."""
    backbone = Backbone(sizes.backbone_width)
    return {
        "backbone": backbone,
        "image_head": ImageHead(backbone.width, sizes.embed_dim),
        "cell_heads": CellHeads(backbone.width, len(scenes.SHAPES), len(scenes.COLOURS), len(scenes.SIZES)),
        "text_encoder": TextEncoder(vocab, dim=sizes.text_dim, layers=sizes.text_layers, max_len=sizes.max_text_tokens,
                                    out_dim=sizes.embed_dim),
        "sampler": PerceiveSampler(backbone.width, dim=sizes.sampler_dim, queries=sizes.image_queries,
                                   blocks=sizes.sampler_blocks, out_dim=sizes.hidden),
        "decoder": Decoder(vocab, dim=sizes.hidden, heads=sizes.decoder_heads, layers=sizes.decoder_layers,
                           context=sizes.context),
    }
