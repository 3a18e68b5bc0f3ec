"""Scaled-down stand-ins of the released files: a SentencePiece tokenizer with the template's special pieces and a
random checkpoint in the real layout (internlm_model.* shards + index json, lora_A/lora_B, rotary buffers, vision
names), so conversion and serving run on CPU exactly as on the real download."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import random

import torch

from xcomposer7b import facts
from xcomposer7b.checkpoint import INDEX_FILE
from xcomposer7b.internlm import InternLMConfig, InternLMForCausalLM
from xcomposer7b.vision import VisionConfig, random_checkpoint

_WORDS = (
    "the a cat dog sits on mat red blue image picture shows what is in this photo answer question city river "
    "mountain tree people walking street night day light color small large two three"
).split()
_HANZI = "图片中有一只猫坐在垫子上红色蓝色城市河流山树人们走街道夜晚白天光颜色小大两三文章标题根据给定写"
TINY_VOCAB = 400
LORA_R = 4
LORA_ALPHA = 8


def train_tokenizer(directory: pathlib.Path) -> pathlib.Path:
    import sentencepiece

    rng = random.Random(7)
    lines = []
    for _ in range(400):
        lines.append(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 12))))
        lines.append("".join(rng.choice(_HANZI) for _ in range(rng.randint(4, 16))))
    corpus = directory / "corpus.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prefix = directory / "tokenizer"
    sentencepiece.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=TINY_VOCAB,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        user_defined_symbols=[facts.EOH_TOKEN, facts.EOA_TOKEN],
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def decoder_config() -> InternLMConfig:
    return InternLMConfig.tiny(vocab_size=TINY_VOCAB)


def random_decoder(config: InternLMConfig, seed: int = 0) -> InternLMForCausalLM:
    torch.manual_seed(seed)
    model = InternLMForCausalLM(config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("layernorm.weight") or name.endswith("norm.weight"):
                parameter.uniform_(0.8, 1.2)
            else:
                parameter.normal_(0.0, 0.08 if "embed" not in name else 0.5)
    return model.eval()


def lora_tensors(model: InternLMForCausalLM, seed: int = 1) -> dict[str, torch.Tensor]:
    """lora_A [r, in] and lora_B [out, r] (non-zero B, as after training) for every LoRA target of every layer."""
    generator = torch.Generator().manual_seed(seed)
    tensors = {}
    for index, layer in enumerate(model.model.layers):
        for target in facts.LORA_TARGETS:
            linear = layer.get_submodule(target)
            name = f"model.layers.{index}.{target}"
            a = torch.randn(LORA_R, linear.in_features, generator=generator) * 0.1
            b = torch.randn(linear.out_features, LORA_R, generator=generator) * 0.1
            tensors[f"{name}.lora_A.weight"], tensors[f"{name}.lora_B.weight"] = a, b
    return tensors


def vision_tensors(hidden: int) -> tuple[dict[str, torch.Tensor], int]:
    """The vision side in the checkpoint's names (scaled-down EVA ViT + Q-Former + projection + flags), random values."""
    config = dataclasses.replace(VisionConfig.tiny(), llm_hidden=hidden)
    return random_checkpoint(config, seed=3), config.image_tokens


def reference_greedy(model: InternLMForCausalLM, embeds: torch.Tensor, steps: int, stop_ids) -> list[int]:
    """Greedy decoding that recomputes the whole sequence at every step (no KV cache)."""
    ids = []
    for _ in range(steps):
        logits, _ = model(embeds)
        token = int(logits[0].float().argmax())
        ids.append(token)
        if token in stop_ids:
            break
        embeds = torch.cat([embeds, model.embed(torch.tensor([[token]]))], dim=1)
    return ids


def write_checkpoint(directory: pathlib.Path, tokenizer: pathlib.Path, shards: int = 3) -> dict:
    """A random internlm-xcomposer-7b-shaped download; returns the pieces the tests compare against."""
    directory.mkdir(parents=True, exist_ok=True)
    config = decoder_config()
    model = random_decoder(config)
    base = {f"internlm_model.{k}": v for k, v in model.state_dict().items()}
    for index in range(config.num_hidden_layers):
        inv_freq = model.model.layers[index].self_attn.rotary.inv_freq
        base[f"internlm_model.model.layers.{index}.self_attn.rotary_emb.inv_freq"] = inv_freq.clone()
    lora = lora_tensors(model)
    base.update({f"internlm_model.{k}": v for k, v in lora.items()})
    vision, image_tokens = vision_tensors(config.hidden_size)
    base.update(vision)
    names = sorted(base)
    weight_map = {}
    for number in range(shards):
        shard = f"pytorch_model-{number + 1:05d}-of-{shards:05d}.bin"
        # fp16 like the release; index buffers (the Q-Former's position_ids) keep their integer dtype.
        part = {n: base[n].to(torch.float16) if base[n].is_floating_point() else base[n] for n in names[number::shards]}
        torch.save(part, directory / shard)
        weight_map.update({n: shard for n in part})
    total = sum(t.numel() * 2 for t in base.values())
    (directory / INDEX_FILE).write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}))
    hf = config.to_hf_config() | {
        "architectures": ["InternLMXComposerForCausalLM"],
        "model_type": "InternLMXComposer",
        "intern_converted_llm": True,
        "kqvo_bias": True,
        "num_query_token": image_tokens - 2,
        "internlm_lora": {"lora_r": LORA_R, "lora_alpha": LORA_ALPHA, "lora_dropout": 0.05, "learn_param": ["q", "v", "ffn"]},
    }
    (directory / "config.json").write_text(json.dumps(hf, indent=2))
    (directory / "tokenizer.model").write_bytes(tokenizer.read_bytes())
    vision_fp16 = {n: t.to(torch.float16) if t.is_floating_point() else t for n, t in vision.items()}
    return {"config": config, "model": model, "lora": lora, "image_tokens": image_tokens, "vision": vision_fp16}
