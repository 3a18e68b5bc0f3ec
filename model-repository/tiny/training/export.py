"""Exports trained weights to ONNX (opset 17) and writes the Triton layout under model-repository/tiny/:
config.pbtxt per model (protobuf text format of inference-client's model_config.proto), graphs, tokenizer, and the
held-out evaluation set and retrieval gallery (other seeds than training). Run with Debian's torch 1.13:
/usr/bin/python3 train.py export --weights DIR"""
from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np
import onnx
import torch
from google.protobuf import text_format

import model_config_pb2 as pb
import models
import scenes
import tasks
from hparams import GALLERY_SEED, HELDOUT_SEED, MEAN, MODEL, STD, Sizes
from models import build_models
from tokenizer import Tokenizer
from weights import load_weights

OPSET = 17
BATCHING_DELAY_US = 2000

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ config.pbtxt
def model_input(name: str, dtype: int, dims: Sequence[int], optional: bool = False) -> pb.ModelInput:
    return pb.ModelInput(name=name, data_type=dtype, dims=dims, optional=optional)


def model_output(name: str, dtype: int, dims: Sequence[int]) -> pb.ModelOutput:
    return pb.ModelOutput(name=name, data_type=dtype, dims=dims)


def model_config(name: str, backend: str, max_batch: int, inputs: Sequence[pb.ModelInput],
                 outputs: Sequence[pb.ModelOutput], params: Mapping[str, object],
                 decoupled: bool = False) -> pb.ModelConfig:
    """One CPU instance; dynamic batching for batched models, a decoupled transaction policy for streaming ones."""
    config = pb.ModelConfig(name=name, backend=backend, max_batch_size=max_batch, input=inputs, output=outputs,
                            instance_group=[pb.ModelInstanceGroup(count=1, kind=pb.ModelInstanceGroup.KIND_CPU)])
    if max_batch > 0:
        config.dynamic_batching.max_queue_delay_microseconds = BATCHING_DELAY_US
    if decoupled:
        config.model_transaction_policy.decoupled = True
    for key, value in params.items():
        config.parameters[key].string_value = str(value)
    return config


def vision_params() -> dict[str, object]:
    """How the serving side prepares pixels, the same as data.to_pixels."""
    return {"image_size": scenes.IMAGE_SIZE, "resize_mode": "bicubic",
            "image_mean": ",".join(str(v) for v in MEAN), "image_std": ",".join(str(v) for v in STD)}


def llm_params(sizes: Sizes) -> dict[str, object]:
    params = {
        "context_length": sizes.context, "default_max_tokens": 256, "image_placeholder": tasks.IMG,
        "image_tokens": sizes.image_tokens, "hidden_size": sizes.hidden, "tokenizer": "tokenizer.json",
        "stop_strings": json.dumps([tasks.STOP, "</s>"]),
    }
    params.update({f"chat_template.{k}": v for k, v in tasks.TEMPLATE.items()})
    params["chat_template.image_position"] = "before_text"
    params.update({f"composition.{k}": v for k, v in tasks.COMPOSITION.items()})
    # The model's own advice to composition-service: on the tiny gallery retrieval's first candidate is an exact match
    # more often than the model's pick (docs/composition-pipeline.md, "Measured"), so it is the better default; a
    # request can still ask for selection.
    params["composition.select_by_default"] = "false"
    return params


def model_configs(sizes: Sizes = MODEL) -> dict[str, pb.ModelConfig]:
    """The Triton config of every exported model, by model (folder) name."""
    pixels = model_input("pixel_values", pb.TYPE_FP32, [3, scenes.IMAGE_SIZE, scenes.IMAGE_SIZE])
    embedding = model_output("embedding", pb.TYPE_FP32, [sizes.embed_dim])
    optional_inputs = [("image_embeds", pb.TYPE_FP32, [-1, sizes.image_tokens, sizes.hidden]),
                       ("max_tokens", pb.TYPE_INT32, [1]), ("temperature", pb.TYPE_FP32, [1]),
                       ("top_p", pb.TYPE_FP32, [1]), ("top_k", pb.TYPE_INT32, [1]),
                       ("repetition_penalty", pb.TYPE_FP32, [1]), ("seed", pb.TYPE_INT64, [1]),
                       ("stop_words", pb.TYPE_STRING, [-1]), ("num_beams", pb.TYPE_INT32, [1]),
                       ("length_penalty", pb.TYPE_FP32, [1]), ("presence_penalty", pb.TYPE_FP32, [1]),
                       ("frequency_penalty", pb.TYPE_FP32, [1]), ("logprobs", pb.TYPE_INT32, [1])]
    # Per response: the text and counts, then (when logprobs were asked for) each new token's bytes and log
    # probability and the top alternatives of each (docs/model-contract.md).
    llm_outputs = [("text_output", pb.TYPE_STRING, [1]), ("finish_reason", pb.TYPE_STRING, [1]),
                   ("prompt_tokens", pb.TYPE_INT32, [1]), ("completion_tokens", pb.TYPE_INT32, [1]),
                   ("token_bytes", pb.TYPE_STRING, [-1]), ("token_logprobs", pb.TYPE_FP32, [-1]),
                   ("top_token_bytes", pb.TYPE_STRING, [-1, -1]), ("top_logprobs", pb.TYPE_FP32, [-1, -1])]
    return {
        "vision_encoder": model_config(
            "vision_encoder", "onnxruntime", 16, [pixels],
            [model_output("image_embeds", pb.TYPE_FP32, [sizes.image_tokens, sizes.hidden])],
            dict(vision_params(), image_tokens=sizes.image_tokens, hidden_size=sizes.hidden)),
        "image_embedder": model_config(
            "image_embedder", "onnxruntime", 64, [pixels], [embedding],
            dict(vision_params(), embedding_dim=sizes.embed_dim)),
        "text_embedder": model_config(
            "text_embedder", "onnxruntime", 64, [model_input("text", pb.TYPE_STRING, [1])], [embedding],
            {"embedding_dim": sizes.embed_dim, "tokenizer": "tokenizer.json",
             "max_text_tokens": sizes.max_text_tokens}),
        "llm": model_config(
            "llm", "onnx_decoder", 0,
            [model_input("text_input", pb.TYPE_STRING, [1])]
            + [model_input(name, dtype, dims, optional=True) for name, dtype, dims in optional_inputs],
            [model_output(name, dtype, dims) for name, dtype, dims in llm_outputs],
            llm_params(sizes), decoupled=True),
    }


def write_configs(repo: str, sizes: Sizes = MODEL) -> None:
    for name, config in model_configs(sizes).items():
        os.makedirs(os.path.join(repo, name), exist_ok=True)
        with open(os.path.join(repo, name, "config.pbtxt"), "w", encoding="utf-8") as f:
            f.write(text_format.MessageToString(config, as_utf8=True))


def read_config(path: str) -> pb.ModelConfig:
    """Parses a config.pbtxt with the messages cpu-inference-server parses it into (stricter: an unknown field is an
    error here, where the server skips it)."""
    with open(path, encoding="utf-8") as f:
        return text_format.Parse(f.read(), pb.ModelConfig())


# ------------------------------------------------------------------ graphs
def export_graph(module: torch.nn.Module, args: tuple, path: str, input_names: list[str], output_names: list[str],
                 dynamic_axes: dict[str, dict[int, str]]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True)
    module.eval()
    onnx.checker.check_model(onnx.load(path), full_check=True)


def export_graphs(m: Mapping[str, torch.nn.Module], tok: Tokenizer, repo: str) -> None:
    """Every ONNX graph of the repository layout (<model>/1/*.onnx)."""
    pix = torch.randn(2, 3, scenes.IMAGE_SIZE, scenes.IMAGE_SIZE)
    export_graph(models.VisionEncoder(m["backbone"], m["sampler"]), (pix,),
                 os.path.join(repo, "vision_encoder", "1", "model.onnx"),
                 ["pixel_values"], ["image_embeds"], {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    export_graph(models.ImageEmbedder(m["backbone"], m["image_head"]), (pix,),
                 os.path.join(repo, "image_embedder", "1", "model.onnx"),
                 ["pixel_values"], ["embedding"], {"pixel_values": {0: "batch"}, "embedding": {0: "batch"}})
    text_encoder = m["text_encoder"]
    ids, mask = tok.encode_batch(["A large red circle at the top left.", "左上方有一个大的红色圆形。"],
                                 text_encoder.pos.num_embeddings)
    export_graph(text_encoder, (torch.from_numpy(ids), torch.from_numpy(mask)),
                 os.path.join(repo, "text_embedder", "1", "model.onnx"),
                 ["input_ids", "attention_mask"], ["embedding"],
                 {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                  "embedding": {0: "batch"}})
    # llm: embed.onnx + model.onnx (KV-cache step graph; prefill is the same graph with an empty past)
    dec = m["decoder"]
    export_graph(models.Embed(dec), (torch.tensor([[1, 5, 9]]),), os.path.join(repo, "llm", "1", "embed.onnx"),
                 ["input_ids"], ["inputs_embeds"], {"input_ids": {0: "batch", 1: "tokens"},
                                                    "inputs_embeds": {0: "batch", 1: "tokens"}})
    past = torch.randn(dec.n_layers, 1, dec.heads, 3, dec.dim // dec.heads)
    export_graph(dec, (torch.randn(1, 2, dec.dim), past, past.clone()), os.path.join(repo, "llm", "1", "model.onnx"),
                 ["inputs_embeds", "past_key", "past_value"], ["logits", "present_key", "present_value"],
                 {"inputs_embeds": {0: "batch", 1: "tokens"}, "past_key": {1: "batch", 3: "past"},
                  "past_value": {1: "batch", 3: "past"}, "logits": {0: "batch"},
                  "present_key": {1: "batch", 3: "total"}, "present_value": {1: "batch", 3: "total"}})


def run(weights_dir: str, repo: str, eval_data: bool = True, sizes: Sizes = MODEL) -> None:
    """Graphs, configs and tokenizers of the weights in `weights_dir` (and the evaluation data) into `repo`."""
    with open(os.path.join(weights_dir, "tokenizer.json")) as f:
        tok_json = f.read()
    tok = Tokenizer.from_json(tok_json)
    m = build_models(len(tok), sizes)
    load_weights(m, weights_dir)
    for mod in m.values():
        mod.eval()
    export_graphs(m, tok, repo)
    for model in ("text_embedder", "llm"):
        with open(os.path.join(repo, model, "1", "tokenizer.json"), "w") as f:
            f.write(tok_json)
    write_configs(repo, sizes)
    if eval_data:
        write_eval_data(repo)
    log.info("exported to %s", repo)


# ------------------------------------------------------------------ evaluation data
def prompt_of(segs: tasks.Segments) -> str:
    """The llm text_input for a sample: everything before its final answer (earlier answers of a multi-turn
    conversation are history and stay in)."""
    assert segs[-1][1], "a sample ends with its answer"
    return "".join(s for s, _ in segs[:-1])


def gallery_scenes(rng: np.random.Generator, size: int) -> list[scenes.Scene]:
    """Every one-shape scene (what composition articles describe, so each slot caption has an exact match),
    then random 1-3 shape scenes up to `size`, shuffled."""
    one_shape = [scenes.Scene([scenes.Obj(shape, colour, size_name, cell)], scenes.background_colour(rng),
                              int(rng.integers(1 << 31)))
                 for shape in scenes.SHAPES for colour in scenes.COLOURS for size_name in scenes.SIZES
                 for cell in range(9)]
    rest = [scenes.random_scene(rng, n_objects=int(rng.integers(2, 4))) for _ in range(size - len(one_shape))]
    everything = one_shape + rest
    return [everything[i] for i in rng.permutation(len(everything))]


def write_eval_data(repo: str, per_cell: int = 100, write_per_cell: int = 20, gallery_size: int = 1000) -> None:
    """Held-out questions (seed HELDOUT_SEED) and a retrieval gallery (seed GALLERY_SEED), as PNG + JSONL. Only
    what this writes is replaced: eval/benchmarks (benchmark_sets.py's sets) stays."""
    out = os.path.join(repo, "eval")
    for folder in ("images", "gallery"):
        shutil.rmtree(os.path.join(out, folder), ignore_errors=True)
        os.makedirs(os.path.join(out, folder))
    write_records(out, "heldout.jsonl", heldout_records(per_cell, write_per_cell))
    write_records(out, "gallery.jsonl", ((r, [s]) for r, s in gallery_records(gallery_size)))


def write_records(out: str, jsonl: str, records: Iterable[tuple[dict, list[scenes.Scene]]]) -> None:
    """One JSON line per record and a PNG per scene, at the paths the record names ("images" or "image")."""
    with open(os.path.join(out, jsonl), "w") as f:
        for record, scene_list in records:
            names = record["images"] if "images" in record else [record["image"]]
            for name, scene in zip(names, scene_list, strict=True):
                scenes.write_png(os.path.join(out, name), scenes.render(scene))
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def heldout_records(per_cell: int = 100, write_per_cell: int = 20) -> Iterator[tuple[dict, list[scenes.Scene]]]:
    """The held-out questions in file order, each with the scenes of its images."""
    rng = np.random.default_rng(HELDOUT_SEED)
    n = 0
    for task in tasks.TASKS:
        for lang in ("en", "zh"):
            for _ in range(write_per_cell if task == "write" else per_cell):
                segs, sc, meta = tasks.sample(rng, task, lang)
                record = {"id": n, "task": task, "lang": meta["lang"], "prompt": prompt_of(segs),
                          "images": [f"images/{n:05d}-{j}.png" for j in range(len(sc))], "answer": meta["answer"]}
                if "truth" in meta:
                    record["truth"] = meta["truth"]
                yield record, sc
                n += 1


def gallery_records(size: int = 1000) -> Iterator[tuple[dict, scenes.Scene]]:
    """The retrieval gallery in file order, each record with its scene."""
    rng = np.random.default_rng(GALLERY_SEED)
    for i, s in enumerate(gallery_scenes(rng, size)):
        yield ({"id": i, "image": f"gallery/{i:05d}.png", "caption_en": s.caption("en"), "caption_zh": s.caption("zh"),
                "truth": s.truth()}, s)
