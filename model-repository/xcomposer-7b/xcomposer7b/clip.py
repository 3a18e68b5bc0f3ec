"""The gallery's retrieval pair: Chinese-CLIP ViT-B/16 (OFA-Sys/chinese-clip-vit-base-patch16), EN + ZH.

Why this pair: captions in the seed's composition are Chinese (its prompts are Chinese even for English articles,
shared/reference/xcomposer.md §3), and English must work too. Chinese-CLIP's text tower is RoBERTa-wwm-ext-base
(BERT layout, 21128-piece Chinese BERT WordPiece vocabulary, which also holds lower-cased English word pieces).
Licence: the OFA-Sys/Chinese-CLIP code is MIT (MIT-LICENSE.txt); the Hugging Face port in transformers is
Apache-2.0; the model card carries no separate weight licence tag (checked 2026-12, see README.md §5).

Structure and parameter names are those of transformers' ``ChineseCLIPModel`` (``modeling_chinese_clip.py``), the
layout of the checkpoint's ``pytorch_model.bin``:
- image: ``vision_model`` = conv patch embedding without bias + class embedding + learned positions →
  ``pre_layrnorm`` (sic) → pre-norm CLIP layers (quick_gelu) → ``post_layernorm`` of the class token →
  ``visual_projection`` (no bias);
- text: ``text_model`` = BERT embeddings (word + position + token type 0) → BERT layers (gelu, padding mask), no
  pooler → hidden state of ``[CLS]`` → ``text_projection`` (no bias) (``get_text_features``; the original
  ``cn_clip`` ``encode_text`` does the same: ``x[:, 0, :] @ text_projection``).
Both outputs are L2-normalised here (the contract's embedders: cosine similarity = dot product).
Preprocessing (cn_clip ``image_transform``): Resize((224, 224), BICUBIC), ToTensor, Normalize with OpenAI CLIP's
mean/std; text: ``[CLS] + pieces[:context_length - 2] + [SEP]``, context_length 52 (cn_clip ``tokenize``).
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import unicodedata
from typing import Any, Callable, Mapping, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xcomposer7b.layers import BertAttention, BertIntermediate, BertResidualOutput, attention, load_exactly
from xcomposer7b.layers import merge_heads, padding_mask, split_heads
from xcomposer7b.repo_files import config_from_json, config_to_json
from xcomposer7b.vision import IMAGE_MEAN, IMAGE_STD

# Index buffers some exports save (transformers before 4.31 kept position_ids persistent) and others do not.
RECOMPUTED_BUFFERS = ("position_ids", "token_type_ids")
IMAGE_PREFIXES = ("vision_model.", "visual_projection.")
TEXT_PREFIXES = ("text_model.", "text_projection.")
UNUSED_KEYS = frozenset({"logit_scale"})  # the contrastive temperature; retrieval only ranks by dot product


@dataclasses.dataclass(frozen=True)
class ClipConfig:
    image_size: int = 224
    patch_size: int = 16
    vision_width: int = 768
    vision_layers: int = 12
    vision_heads: int = 12
    vision_intermediate: int = 3072
    vision_eps: float = 1e-5
    vocab_size: int = 21128
    text_hidden: int = 768
    text_layers: int = 12
    text_heads: int = 12
    text_intermediate: int = 3072
    text_max_positions: int = 512
    type_vocab_size: int = 2
    text_eps: float = 1e-12
    pad_token_id: int = 0
    projection_dim: int = 512
    max_text_tokens: int = 52
    image_mean: tuple[float, float, float] = IMAGE_MEAN
    image_std: tuple[float, float, float] = IMAGE_STD

    @staticmethod
    def base() -> "ClipConfig":
        """chinese-clip-vit-base-patch16 (cn_clip model_configs ViT-B-16.json + RoBERTa-wwm-ext-base-chinese.json)."""
        return ClipConfig()

    @staticmethod
    def tiny(vocab_size: int) -> "ClipConfig":
        return ClipConfig(
            image_size=32,
            patch_size=8,
            vision_width=32,
            vision_layers=2,
            vision_heads=4,
            vision_intermediate=64,
            vocab_size=vocab_size,
            text_hidden=32,
            text_layers=2,
            text_heads=4,
            text_intermediate=64,
            text_max_positions=64,
            projection_dim=16,
            max_text_tokens=16,
        )

    @staticmethod
    def from_hf_config(values: Mapping[str, Any], max_text_tokens: int = 52) -> "ClipConfig":
        """From the checkpoint's ``config.json``; absent fields take transformers' ChineseCLIP*Config defaults."""
        text, vision = dict(values.get("text_config") or {}), dict(values.get("vision_config") or {})
        for part, act in ((text, "gelu"), (vision, "quick_gelu")):
            if part.get("hidden_act", act) != act:
                raise ValueError(f"unsupported hidden_act {part['hidden_act']!r} (this port implements {act})")
        return ClipConfig(
            image_size=vision.get("image_size", 224),
            patch_size=vision.get("patch_size", 32),
            vision_width=vision.get("hidden_size", 768),
            vision_layers=vision.get("num_hidden_layers", 12),
            vision_heads=vision.get("num_attention_heads", 12),
            vision_intermediate=vision.get("intermediate_size", 3072),
            vision_eps=vision.get("layer_norm_eps", 1e-5),
            vocab_size=text.get("vocab_size", 30522),
            text_hidden=text.get("hidden_size", 768),
            text_layers=text.get("num_hidden_layers", 12),
            text_heads=text.get("num_attention_heads", 12),
            text_intermediate=text.get("intermediate_size", 3072),
            text_max_positions=text.get("max_position_embeddings", 512),
            type_vocab_size=text.get("type_vocab_size", 2),
            text_eps=text.get("layer_norm_eps", 1e-12),
            pad_token_id=text.get("pad_token_id", 0),
            projection_dim=values.get("projection_dim", 512),
            max_text_tokens=max_text_tokens,
        )

    def to_json(self) -> str:
        return config_to_json(self)

    @staticmethod
    def from_json(text: str) -> "ClipConfig":
        return config_from_json(ClipConfig, text)


# ---- image tower ------------------------------------------------------------------------------------------------


def quick_gelu(x: Tensor) -> Tensor:
    return x * torch.sigmoid(1.702 * x)


class ClipVisionEmbeddings(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        width, patch = config.vision_width, config.patch_size
        self.image_size = config.image_size
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.patch_embedding = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((config.image_size // patch) ** 2 + 1, width)

    def forward(self, pixels: Tensor) -> Tensor:
        if not torch.jit.is_tracing() and pixels.shape[-2:] != (self.image_size, self.image_size):
            raise ValueError(f"expected {self.image_size}x{self.image_size} pixels, got {tuple(pixels.shape[-2:])}")
        patches = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.to(patches.dtype).expand(patches.shape[0], 1, -1)
        return torch.cat((cls, patches), dim=1) + self.position_embedding.weight


class ClipAttention(nn.Module):
    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.k_proj, self.v_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.q_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x: Tensor) -> Tensor:
        q, k, v = (split_heads(p(x), self.heads) for p in (self.q_proj, self.k_proj, self.v_proj))
        return self.out_proj(merge_heads(attention(q, k, v)))


class ClipMlp(nn.Module):
    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(quick_gelu(self.fc1(x)))


class ClipEncoderLayer(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.self_attn = ClipAttention(config.vision_width, config.vision_heads)
        self.layer_norm1 = nn.LayerNorm(config.vision_width, eps=config.vision_eps)
        self.mlp = ClipMlp(config.vision_width, config.vision_intermediate)
        self.layer_norm2 = nn.LayerNorm(config.vision_width, eps=config.vision_eps)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class ClipVisionEncoder(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.layers = nn.ModuleList(ClipEncoderLayer(config) for _ in range(config.vision_layers))


class ClipVisionTransformer(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.embeddings = ClipVisionEmbeddings(config)
        self.pre_layrnorm = nn.LayerNorm(config.vision_width, eps=config.vision_eps)
        self.encoder = ClipVisionEncoder(config)
        self.post_layernorm = nn.LayerNorm(config.vision_width, eps=config.vision_eps)

    def forward(self, pixels: Tensor) -> Tensor:
        x = self.pre_layrnorm(self.embeddings(pixels))
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x[:, 0])


class ImageTower(nn.Module):
    """``pixels [B,3,S,S]`` (CLIP-normalised) → L2-normalised ``[B, projection_dim]``."""

    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.config = config
        self.vision_model = ClipVisionTransformer(config)
        self.visual_projection = nn.Linear(config.vision_width, config.projection_dim, bias=False)

    def forward(self, pixels: Tensor) -> Tensor:
        return F.normalize(self.visual_projection(self.vision_model(pixels)).float(), dim=-1)


# ---- text tower -------------------------------------------------------------------------------------------------


class BertEmbeddings(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        hidden = config.text_hidden
        self.word_embeddings = nn.Embedding(config.vocab_size, hidden, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.text_max_positions, hidden)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=config.text_eps)

    def forward(self, input_ids: Tensor) -> Tensor:
        positions = self.position_embeddings.weight[: input_ids.shape[1]]
        # Every text is one segment: token type 0 throughout, as get_text_features uses by default.
        return self.LayerNorm(self.word_embeddings(input_ids) + positions + self.token_type_embeddings.weight[0])


class BertLayer(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.attention = BertAttention(config.text_hidden, config.text_heads, config.text_eps)
        self.intermediate = BertIntermediate(config.text_hidden, config.text_intermediate)
        self.output = BertResidualOutput(config.text_intermediate, config.text_hidden, config.text_eps)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        x = self.attention(x, mask=mask)
        return self.output(self.intermediate(x), x)


class BertEncoder(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(config) for _ in range(config.text_layers))


class BertTextModel(nn.Module):
    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        x = self.embeddings(input_ids)
        mask = padding_mask(attention_mask, x.dtype)
        for layer in self.encoder.layer:
            x = layer(x, mask)
        return x


class TextTower(nn.Module):
    """``input_ids``/``attention_mask [B,T]`` → L2-normalised ``[B, projection_dim]`` from the ``[CLS]`` state."""

    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        self.config = config
        self.text_model = BertTextModel(config)
        self.text_projection = nn.Linear(config.text_hidden, config.projection_dim, bias=False)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        cls = self.text_model(input_ids, attention_mask)[:, 0]
        return F.normalize(self.text_projection(cls).float(), dim=-1)


def split_checkpoint(state: Mapping[str, Tensor]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """The image and text towers' tensors; any key that belongs to neither (nor is known unused) is an error."""
    image = {k: v for k, v in state.items() if k.startswith(IMAGE_PREFIXES)}
    text = {k: v for k, v in state.items() if k.startswith(TEXT_PREFIXES)}
    stray = sorted(set(state) - image.keys() - text.keys() - UNUSED_KEYS)
    if stray:
        raise ValueError(f"not a Chinese-CLIP checkpoint in the transformers layout: unknown keys {stray[:8]}")
    return image, text


def load_tower(tower: nn.Module, state: Mapping[str, Tensor], what: str) -> nn.Module:
    load_exactly(tower, state, what, recomputed_buffers=RECOMPUTED_BUFFERS)
    return tower


# ---- BERT WordPiece tokenizer -----------------------------------------------------------------------------------


def _is_cjk(cp: int) -> bool:
    """The CJK Unified Ideographs blocks BERT splits into single characters (BasicTokenizer._is_chinese_char)."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True  # every non-alphanumeric ASCII character counts, e.g. "^", "$", "`"
    return unicodedata.category(char).startswith("P")


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


class WordPieceTokenizer:
    """BERT uncased tokenizer (lower case, CJK split, accents stripped) + WordPiece (200 chars a word, as cn_clip)."""

    def __init__(self, vocab: Sequence[str], max_chars_per_word: int = 200) -> None:
        self.pieces = list(vocab)
        self.ids = {piece: index for index, piece in enumerate(self.pieces)}
        for special in ("[PAD]", "[UNK]", "[CLS]", "[SEP]"):
            if special not in self.ids:
                raise ValueError(f"vocabulary lacks {special}")
        self.pad_id, self.unk_id = self.ids["[PAD]"], self.ids["[UNK]"]
        self.cls_id, self.sep_id = self.ids["[CLS]"], self.ids["[SEP]"]
        self.max_chars_per_word = max_chars_per_word

    @staticmethod
    def from_file(path: pathlib.Path) -> "WordPieceTokenizer":
        """``vocab.txt``: one piece per line, the line number is the id."""
        return WordPieceTokenizer(path.read_text(encoding="utf-8").rstrip("\n").split("\n"))

    def basic_tokens(self, text: str) -> list[str]:
        spaced = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            if _is_whitespace(char):
                spaced.append(" ")
            elif _is_cjk(cp):
                spaced.append(f" {char} ")
            else:
                spaced.append(char)
        tokens = []
        for word in "".join(spaced).split():
            word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
            tokens += self._split_punctuation(word)
        return tokens

    @staticmethod
    def _split_punctuation(word: str) -> list[str]:
        parts: list[str] = []
        current = ""
        for char in word:
            if _is_punctuation(char):
                parts += [current, char] if current else [char]
                current = ""
            else:
                current += char
        return parts + [current] if current else parts

    def wordpieces(self, word: str) -> list[int]:
        """Greedy longest match first; a word with any unmatched remainder becomes one ``[UNK]``."""
        if len(word) > self.max_chars_per_word:
            return [self.unk_id]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    ids.append(self.ids[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk_id]
            start = end
        return ids

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """``[CLS] + pieces[:max_tokens - 2] + [SEP]`` as cn_clip's ``tokenize`` builds it."""
        pieces = [i for word in self.basic_tokens(text) for i in self.wordpieces(word)]
        return [self.cls_id] + pieces[: max_tokens - 2] + [self.sep_id]

    def batch(self, texts: Sequence[str], max_tokens: int) -> tuple[Tensor, Tensor]:
        """Right-padded ``input_ids`` and ``attention_mask`` (1 = token, 0 = ``[PAD]``), as long as the longest."""
        encoded = [self.encode(text, max_tokens) for text in texts]
        width = max(len(ids) for ids in encoded)
        input_ids = torch.full((len(encoded), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, ids in enumerate(encoded):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            mask[row, : len(ids)] = 1
        return input_ids, mask


def random_checkpoint(config: ClipConfig, seed: int = 0, with_index_buffers: bool = True) -> dict[str, Tensor]:
    """A state dict in ChineseCLIPModel's layout with random values (tests); optionally with the saved buffers."""
    generator = torch.Generator().manual_seed(seed)
    state: dict[str, Tensor] = {"logit_scale": torch.tensor(2.6592)}
    for tower in (ImageTower(config), TextTower(config)):
        for name, tensor in tower.state_dict().items():
            value = torch.randn(tensor.shape, generator=generator) * 0.05
            state[name] = value + 1.0 if "norm" in name.lower() and name.endswith("weight") else value
    if with_index_buffers:
        state["text_model.embeddings.position_ids"] = torch.arange(config.text_max_positions)[None]
        state["vision_model.embeddings.position_ids"] = torch.arange((config.image_size // config.patch_size) ** 2 + 1)[
            None
        ]
    return state


def read_checkpoint_dir(
    checkpoint_dir: pathlib.Path, max_text_tokens: int = 52
) -> tuple[ClipConfig, dict[str, Tensor]]:
    """``config.json`` + ``pytorch_model.bin`` of a Hugging Face Chinese-CLIP download."""
    from xcomposer7b.repo_files import load_weights

    config = ClipConfig.from_hf_config(json.loads((checkpoint_dir / "config.json").read_text("utf-8")), max_text_tokens)
    weights = checkpoint_dir / "pytorch_model.bin"
    if not weights.is_file():
        raise FileNotFoundError(f"{weights} not found (a Hugging Face download of a Chinese-CLIP model is expected)")
    return config, load_weights(weights)


def write_embedders(
    checkpoint_dir: pathlib.Path,
    out_repo: pathlib.Path,
    progress: Callable[[str], None],
    kind: str = "KIND_GPU",
    max_text_tokens: int = 52,
) -> list[pathlib.Path]:
    """Write ``image_embedder/`` and ``text_embedder/`` into ``out_repo`` from a Chinese-CLIP checkpoint folder."""
    from xcomposer7b.clip_convert import write_embedder_folders

    return write_embedder_folders(pathlib.Path(checkpoint_dir), pathlib.Path(out_repo), progress, kind, max_text_tokens)


def encode_texts(
    tokenizer: WordPieceTokenizer,
    tower: TextTower,
    texts: Sequence[str],
    max_tokens: Optional[int] = None,
    device: Optional[torch.device] = None,
) -> Tensor:
    """Tokenize (truncating to ``max_tokens``, by default the tower's context length) and embed a batch of texts."""
    input_ids, mask = tokenizer.batch(texts, max_tokens or tower.config.max_text_tokens)
    return tower(input_ids.to(device or "cpu"), mask.to(device or "cpu"))
