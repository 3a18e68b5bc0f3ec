"""THE conversion command: a downloaded internlm/internlm-xcomposer-7b (or -4bit) → a ready Triton repository.

    python3 -m xcomposer7b.convert CKPT_DIR OUT_REPO [--dtype float16] [--max-shard-gb 4] [--force]

Writes ``OUT_REPO/llm`` (config.pbtxt, 1/model.py, 1/tokenizer.model, 1/decoder/ = the LoRA-merged decoder as a plain
InternLM/LLaMA-with-bias checkpoint, 1/xcomposer7b/ = this package), ``OUT_REPO/vision_encoder`` through
``xcomposer7b.vision_convert.write_vision_encoder`` and ``OUT_REPO/manifest.json`` (sha256 and size of every file).
A second run with the same checkpoint and options checks the manifest and does nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import pathlib
import shutil
import sys
import time
from typing import Optional

import torch

from xcomposer7b import clip, facts, lora, pbtxt
from xcomposer7b.checkpoint import (
    Checkpoint,
    CheckpointError,
    Progress,
    is_gptq_state,
    load_state,
    open_checkpoint,
    split_state,
)
from xcomposer7b.internlm import InternLMConfig, InternLMForCausalLM
from xcomposer7b.tokenizer import Tokenizer
from xcomposer7b.vision_convert import write_vision_encoder

CONVERTER_VERSION = 1
PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
SOURCE_REPO = PACKAGE_DIR.parent
MANIFEST = "manifest.json"
DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


@dataclasses.dataclass(frozen=True)
class Options:
    dtype: str = "float16"
    max_shard_bytes: int = 4 * 10**9
    embedder_checkpoint: Optional[pathlib.Path] = None


def sha256_of(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(checkpoint: Checkpoint, options: Options) -> str:
    """What the output depends on: the checkpoint's files (name, size, mtime), the options, the converter."""
    files = sorted(p for p in checkpoint.directory.iterdir() if p.is_file())
    described = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    payload = json.dumps([CONVERTER_VERSION, described, dataclasses.asdict(options)], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def up_to_date(out: pathlib.Path, expected: str, progress: Progress) -> bool:
    manifest_file = out / MANIFEST
    if not manifest_file.is_file():
        return False
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if manifest.get("source_fingerprint") != expected:
        progress("manifest is from another checkpoint or other options: converting again")
        return False
    for relative, entry in manifest["files"].items():
        path = out / relative
        if not path.is_file() or path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
            progress(f"{relative} differs from the manifest: converting again")
            return False
    return True


def write_manifest(out: pathlib.Path, source: str) -> pathlib.Path:
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST and "__pycache__" not in p.parts):
        files[path.relative_to(out).as_posix()] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
    manifest = {"converter_version": CONVERTER_VERSION, "source_fingerprint": source, "files": files}
    target = out / MANIFEST
    atomic_write_text(target, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return target


def atomic_write_text(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def save_tensors(path: pathlib.Path, tensors: dict[str, torch.Tensor]) -> None:
    partial = path.with_name(path.name + ".partial")
    torch.save({k: v.contiguous() for k, v in tensors.items()}, partial)
    os.replace(partial, path)


def merged_decoder(decoder: dict[str, torch.Tensor], checkpoint: Checkpoint, progress: Progress) -> dict:
    pairs = lora.lora_modules(decoder)
    scale = checkpoint.lora_scale
    if pairs and scale is None:
        raise CheckpointError("the decoder carries lora_A/lora_B tensors but config.json names no internlm_lora")
    if not pairs:
        progress("decoder: no LoRA tensors (already merged)")
        return decoder
    progress(f"decoder: merging {len(pairs)} LoRA pairs, W += B·A · {scale:g}")
    return lora.merge_lora(decoder, scale)


def check_decoder_layout(decoder: dict[str, torch.Tensor], config: InternLMConfig) -> None:
    """Same names as InternLMForCausalLM (built at a toy width: names depend only on the layer count and bias)."""
    shape_only = dataclasses.replace(config, vocab_size=8, hidden_size=8, intermediate_size=8, num_attention_heads=2)
    expected = set(InternLMForCausalLM(shape_only).state_dict())
    missing, extra = sorted(expected - set(decoder)), sorted(set(decoder) - expected)
    if missing or extra:
        raise CheckpointError(f"decoder names differ from the InternLM layout: missing {missing[:4]}, extra {extra[:4]}")
    embed = decoder["model.embed_tokens.weight"].shape
    if tuple(embed) != (config.vocab_size, config.hidden_size):
        raise CheckpointError(f"embed_tokens is {tuple(embed)}, config says ({config.vocab_size}, {config.hidden_size})")


def write_decoder_shards(decoder: dict, target: pathlib.Path, max_bytes: int, progress: Progress) -> list[pathlib.Path]:
    target.mkdir(parents=True, exist_ok=True)
    groups: list[dict] = [{}]
    size = 0
    for name in sorted(decoder):
        tensor_bytes = decoder[name].numel() * decoder[name].element_size()
        if groups[-1] and size + tensor_bytes > max_bytes:
            groups.append({})
            size = 0
        groups[-1][name] = decoder[name]
        size += tensor_bytes
    weight_map, written = {}, []
    for number, group in enumerate(groups, start=1):
        shard = target / f"pytorch_model-{number:05d}-of-{len(groups):05d}.bin"
        progress(f"writing decoder shard {number}/{len(groups)}: {shard.name}")
        save_tensors(shard, group)
        weight_map.update({name: shard.name for name in group})
        written.append(shard)
    total = sum(t.numel() * t.element_size() for t in decoder.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    atomic_write_text(target / "pytorch_model.bin.index.json", json.dumps(index, indent=2) + "\n")
    return written


def check_tokenizer(path: pathlib.Path, config: InternLMConfig, progress: Progress) -> None:
    tokenizer = Tokenizer(path)
    if tokenizer.vocab_size != config.vocab_size:
        raise CheckpointError(f"tokenizer has {tokenizer.vocab_size} pieces, the decoder {config.vocab_size}")
    ids = (tokenizer.piece_id(facts.EOH_TOKEN), tokenizer.piece_id(facts.EOA_TOKEN))
    if config.vocab_size == facts.VOCAB_SIZE and ids != facts.STOP_IDS:
        raise CheckpointError(f"eoh/eoa are {ids} in this tokenizer.model, the released one has {facts.STOP_IDS}")
    progress(f"tokenizer: {tokenizer.vocab_size} pieces, eoh/eoa ids {ids}")


def llm_config_text(config: InternLMConfig, image_tokens: int, engine: str) -> str:
    text = (SOURCE_REPO / "llm" / "config.pbtxt").read_text(encoding="utf-8")
    values = {
        "context_length": str(config.max_position_embeddings),
        "hidden_size": str(config.hidden_size),
        "image_tokens": str(image_tokens),
        "engine": engine,
    }
    for key, value in values.items():
        text = pbtxt.set_parameter(text, key, value)
    # The input dims of image_embeds follow the same numbers.
    return text.replace(
        f"dims: [ -1, {facts.IMAGE_TOKENS}, {facts.HIDDEN_SIZE} ]", f"dims: [ -1, {image_tokens}, {config.hidden_size} ]"
    )


def image_tokens_of(vision: dict[str, torch.Tensor]) -> int:
    queries = vision.get("query_tokens")
    return facts.IMAGE_TOKENS if queries is None else int(queries.shape[1]) + 2


def write_llm(out: pathlib.Path, checkpoint: Checkpoint, split, options: Options, progress: Progress) -> None:
    config = InternLMConfig.from_hf_config(checkpoint.config)
    version = out / "llm" / "1"
    decoder_dir = version / "decoder"
    check_tokenizer(checkpoint.tokenizer_file, config, progress)
    if checkpoint.is_gptq or is_gptq_state(split.decoder):
        engine = write_gptq_decoder(split.decoder, checkpoint, decoder_dir, options, progress)
    else:
        decoder = merged_decoder(split.decoder, checkpoint, progress)
        check_decoder_layout(decoder, config)
        dtype = DTYPES[options.dtype]
        decoder = {name: tensor.to(dtype) for name, tensor in decoder.items()}
        write_decoder_shards(decoder, decoder_dir, options.max_shard_bytes, progress)
        engine = "auto"
    hf_config = config.to_hf_config() | {"torch_dtype": options.dtype}
    atomic_write_text(decoder_dir / "config.json", json.dumps(hf_config, indent=2) + "\n")
    for target in (version / "tokenizer.model", decoder_dir / "tokenizer.model"):
        shutil.copyfile(checkpoint.tokenizer_file, target)
    atomic_write_text(out / "llm" / "config.pbtxt", llm_config_text(config, image_tokens_of(split.vision), engine))
    shutil.copyfile(SOURCE_REPO / "llm" / "1" / "model.py", version / "model.py")
    copy_package(version / "xcomposer7b")


def write_gptq_decoder(decoder, checkpoint: Checkpoint, target: pathlib.Path, options: Options, progress) -> str:
    """The -4bit decoder is merged and GPTQ-packed: kept packed (renamed to the plain layout) for vLLM's GPTQ loader.

    Not run here: no GPTQ kernels on CPU and no vLLM. The torch engine refuses such a decoder at load time.
    """
    progress(
        "decoder: GPTQ 4-bit checkpoint (already merged). Kept packed for vLLM (--quantization gptq); "
        "the torch reference engine cannot run it, so this repository needs vLLM (engine=vllm)"
    )
    write_decoder_shards(decoder, target, options.max_shard_bytes, progress)
    atomic_write_text(target / "quantize_config.json", json.dumps(checkpoint.quantize_config or {}, indent=2) + "\n")
    return "vllm"


def copy_package(target: pathlib.Path) -> None:
    """Triton imports model.py from the version folder; it finds this package next to it."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(PACKAGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def write_vision(out: pathlib.Path, vision: dict, progress: Progress) -> None:
    if not vision:
        raise CheckpointError("no vision tensors (visual_encoder.*, Qformer.*, ...): the image side cannot be written")
    written = write_vision_encoder(vision, out / "vision_encoder", progress)
    progress(f"vision_encoder: {len(written)} files")


def write_embedders(out: pathlib.Path, embedder_checkpoint: Optional[pathlib.Path], progress: Progress) -> None:
    if embedder_checkpoint is None:
        return
    clip.write_embedders(embedder_checkpoint, out, progress)


def convert(ckpt_dir: pathlib.Path, out: pathlib.Path, options: Options, force: bool, progress: Progress) -> bool:
    """Returns False when the output was already up to date."""
    checkpoint = open_checkpoint(ckpt_dir)
    source = fingerprint(checkpoint, options)
    if not force and up_to_date(out, source, progress):
        progress(f"{out} is up to date with {ckpt_dir} (manifest checked); nothing to do")
        return False
    (out / MANIFEST).unlink(missing_ok=True)
    started = time.monotonic()
    split = split_state(load_state(checkpoint, progress))
    progress(f"state: {len(split.decoder)} decoder, {len(split.vision)} vision, {len(split.other)} other tensors")
    if split.other:
        progress(f"ignored tensors (neither decoder nor vision): {sorted(split.other)[:5]}")
    write_llm(out, checkpoint, split, options, progress)
    write_vision(out, split.vision, progress)
    write_embedders(out, options.embedder_checkpoint, progress)
    manifest = write_manifest(out, source)
    progress(f"done in {time.monotonic() - started:.1f} s; checksums in {manifest}")
    return True


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m xcomposer7b.convert", description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", type=pathlib.Path, help="downloaded internlm-xcomposer-7b or -4bit folder")
    parser.add_argument("out", type=pathlib.Path, help="Triton model repository to write")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float16", help="decoder weight dtype")
    parser.add_argument("--max-shard-gb", type=float, default=4.0, help="decoder shard size limit")
    parser.add_argument("--embedder-checkpoint", type=pathlib.Path, help="CLIP-family pair for the gallery")
    parser.add_argument("--force", action="store_true", help="convert even when the manifest says up to date")
    args = parser.parse_args(argv)
    options = Options(args.dtype, int(args.max_shard_gb * 1e9), args.embedder_checkpoint)
    try:
        convert(args.checkpoint, args.out, options, args.force, lambda line: print(line, flush=True))
    except CheckpointError as error:
        print(f"cannot convert: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
