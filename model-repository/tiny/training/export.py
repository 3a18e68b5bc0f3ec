"""Exports trained weights to ONNX (opset 17) and writes the Triton layout under model-repository/tiny/:
config.pbtxt per model, graphs, tokenizer, and the held-out evaluation set and retrieval gallery (other seeds
than training). Run with Debian's torch 1.13: /usr/bin/python3 train.py export --weights DIR"""
import json
import os
import shutil

import numpy as np
import onnx
import torch

import models
import scenes
import tasks
import train
from tokenizer import Tokenizer

OPSET = 17


def pbtxt_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def parameters(params):
    return "\n".join(f"parameters {{ key: {pbtxt_string(k)} value: {{ string_value: {pbtxt_string(str(v))} }} }}"
                     for k, v in params.items())


def tensor(name, dtype, dims, optional=False):
    opt = " optional: true" if optional else ""
    return f"  {{ name: \"{name}\" data_type: {dtype} dims: [ {', '.join(str(d) for d in dims)} ]{opt} }}"


def write_config(path, name, backend, max_batch, inputs, outputs, params, extra=""):
    text = (f"name: \"{name}\"\nbackend: \"{backend}\"\nmax_batch_size: {max_batch}\n"
            f"input [\n{(',' + chr(10)).join(inputs)}\n]\n"
            f"output [\n{(',' + chr(10)).join(outputs)}\n]\n"
            f"instance_group [ {{ count: 1 kind: KIND_CPU }} ]\n{extra}{parameters(params)}\n")
    with open(path, "w") as f:
        f.write(text)


VISION_PARAMS = {"image_size": scenes.IMAGE_SIZE, "resize_mode": "bicubic",
                 "image_mean": ",".join(str(v) for v in train.MEAN), "image_std": ",".join(str(v) for v in train.STD)}


def export_graph(module, args, path, input_names, output_names, dynamic_axes):
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True)
    module.eval()
    onnx.checker.check_model(onnx.load(path), full_check=True)


def run(weights_dir, repo, eval_data=True):
    with open(os.path.join(weights_dir, "tokenizer.json")) as f:
        tok_json = f.read()
    tok = Tokenizer.from_json(tok_json)
    m = train.build_models(len(tok))
    train.load_weights(m, weights_dir)
    for mod in m.values():
        mod.eval()
    q, d = train.IMAGE_TOKENS, train.HIDDEN

    # vision_encoder
    vdir = os.path.join(repo, "vision_encoder", "1")
    os.makedirs(vdir, exist_ok=True)
    pix = torch.randn(2, 3, scenes.IMAGE_SIZE, scenes.IMAGE_SIZE)
    export_graph(models.VisionEncoder(m["backbone"], m["sampler"]), (pix,), os.path.join(vdir, "model.onnx"),
                 ["pixel_values"], ["image_embeds"], {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    write_config(os.path.join(repo, "vision_encoder", "config.pbtxt"), "vision_encoder", "onnxruntime", 16,
                 [tensor("pixel_values", "TYPE_FP32", [3, scenes.IMAGE_SIZE, scenes.IMAGE_SIZE])],
                 [tensor("image_embeds", "TYPE_FP32", [q, d])],
                 dict(VISION_PARAMS, image_tokens=q, hidden_size=d),
                 "dynamic_batching { max_queue_delay_microseconds: 2000 }\n")

    # image_embedder
    idir = os.path.join(repo, "image_embedder", "1")
    os.makedirs(idir, exist_ok=True)
    export_graph(models.ImageEmbedder(m["backbone"], m["image_head"]), (pix,), os.path.join(idir, "model.onnx"),
                 ["pixel_values"], ["embedding"], {"pixel_values": {0: "batch"}, "embedding": {0: "batch"}})
    write_config(os.path.join(repo, "image_embedder", "config.pbtxt"), "image_embedder", "onnxruntime", 64,
                 [tensor("pixel_values", "TYPE_FP32", [3, scenes.IMAGE_SIZE, scenes.IMAGE_SIZE])],
                 [tensor("embedding", "TYPE_FP32", [train.EMBED_DIM])],
                 dict(VISION_PARAMS, embedding_dim=train.EMBED_DIM),
                 "dynamic_batching { max_queue_delay_microseconds: 2000 }\n")

    # text_embedder
    tdir = os.path.join(repo, "text_embedder", "1")
    os.makedirs(tdir, exist_ok=True)
    ids, mask = train.encode_text_batch(tok, ["A large red circle at the top left.", "左上方有一个大的红色圆形。"])
    export_graph(m["text_encoder"], (torch.from_numpy(ids), torch.from_numpy(mask)), os.path.join(tdir, "model.onnx"),
                 ["input_ids", "attention_mask"], ["embedding"],
                 {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                  "embedding": {0: "batch"}})
    with open(os.path.join(tdir, "tokenizer.json"), "w") as f:
        f.write(tok_json)
    write_config(os.path.join(repo, "text_embedder", "config.pbtxt"), "text_embedder", "onnxruntime", 64,
                 [tensor("text", "TYPE_STRING", [1])], [tensor("embedding", "TYPE_FP32", [train.EMBED_DIM])],
                 {"embedding_dim": train.EMBED_DIM, "tokenizer": "tokenizer.json",
                  "max_text_tokens": train.MAX_TEXT_TOKENS},
                 "dynamic_batching { max_queue_delay_microseconds: 2000 }\n")

    # llm: embed.onnx + model.onnx (KV-cache step graph; prefill is the same graph with an empty past)
    ldir = os.path.join(repo, "llm", "1")
    os.makedirs(ldir, exist_ok=True)
    dec = m["decoder"]
    export_graph(models.Embed(dec), (torch.tensor([[1, 5, 9]]),), os.path.join(ldir, "embed.onnx"),
                 ["input_ids"], ["inputs_embeds"], {"input_ids": {0: "batch", 1: "tokens"},
                                                    "inputs_embeds": {0: "batch", 1: "tokens"}})
    hd = d // dec.heads
    past = torch.randn(dec.n_layers, 1, dec.heads, 3, hd)
    export_graph(dec, (torch.randn(1, 2, d), past, past.clone()), os.path.join(ldir, "model.onnx"),
                 ["inputs_embeds", "past_key", "past_value"], ["logits", "present_key", "present_value"],
                 {"inputs_embeds": {0: "batch", 1: "tokens"}, "past_key": {1: "batch", 3: "past"},
                  "past_value": {1: "batch", 3: "past"}, "logits": {0: "batch"},
                  "present_key": {1: "batch", 3: "total"}, "present_value": {1: "batch", 3: "total"}})
    with open(os.path.join(ldir, "tokenizer.json"), "w") as f:
        f.write(tok_json)
    llm_params = {
        "context_length": train.CONTEXT, "default_max_tokens": 256, "image_placeholder": tasks.IMG,
        "image_tokens": q, "hidden_size": d, "tokenizer": "tokenizer.json",
        "stop_strings": json.dumps([tasks.STOP, "</s>"]),
        "chat_template.system": tasks.TEMPLATE["system"],
        "chat_template.user_prefix": tasks.TEMPLATE["user_prefix"],
        "chat_template.user_suffix": tasks.TEMPLATE["user_suffix"],
        "chat_template.assistant_prefix": tasks.TEMPLATE["assistant_prefix"],
        "chat_template.assistant_suffix": tasks.TEMPLATE["assistant_suffix"],
        "chat_template.image_position": "before_text",
    }
    llm_params.update({f"composition.{k}": v for k, v in tasks.COMPOSITION.items()})
    # The model's own advice to composition-service: on the tiny gallery retrieval's first candidate is an exact match
    # more often than the model's pick (docs/composition-pipeline.md, "Measured"), so it is the better default; a
    # request can still ask for selection.
    llm_params["composition.select_by_default"] = "false"
    write_config(os.path.join(repo, "llm", "config.pbtxt"), "llm", "onnx_decoder", 0,
                 [tensor("text_input", "TYPE_STRING", [1]),
                  tensor("image_embeds", "TYPE_FP32", [-1, q, d], True),
                  tensor("max_tokens", "TYPE_INT32", [1], True),
                  tensor("temperature", "TYPE_FP32", [1], True),
                  tensor("top_p", "TYPE_FP32", [1], True),
                  tensor("top_k", "TYPE_INT32", [1], True),
                  tensor("repetition_penalty", "TYPE_FP32", [1], True),
                  tensor("seed", "TYPE_INT64", [1], True),
                  tensor("stop_words", "TYPE_STRING", [-1], True),
                  tensor("num_beams", "TYPE_INT32", [1], True),
                  tensor("length_penalty", "TYPE_FP32", [1], True)],
                 [tensor("text_output", "TYPE_STRING", [1]), tensor("finish_reason", "TYPE_STRING", [1]),
                  tensor("prompt_tokens", "TYPE_INT32", [1]), tensor("completion_tokens", "TYPE_INT32", [1])],
                 llm_params, "model_transaction_policy { decoupled: true }\n")
    if eval_data:
        write_eval_data(repo)
    print("exported to", repo)


def prompt_of(segs):
    """The llm text_input for a sample: everything before its final answer (earlier answers of a multi-turn
    conversation are history and stay in)."""
    assert segs[-1][1], "a sample ends with its answer"
    return "".join(s for s, _ in segs[:-1])


def gallery_scenes(rng, size):
    """Every one-shape scene (what composition articles describe, so each slot caption has an exact match),
    then random 1-3 shape scenes up to `size`, shuffled."""
    one_shape = [scenes.Scene([scenes.Obj(shape, colour, size_name, cell)], scenes.background_colour(rng),
                              int(rng.integers(1 << 31)))
                 for shape in scenes.SHAPES for colour in scenes.COLOURS for size_name in scenes.SIZES
                 for cell in range(9)]
    rest = [scenes.random_scene(rng, n_objects=int(rng.integers(2, 4))) for _ in range(size - len(one_shape))]
    everything = one_shape + rest
    return [everything[i] for i in rng.permutation(len(everything))]


def write_eval_data(repo, per_cell=100, write_per_cell=20, gallery_size=1000):
    """Held-out questions (seed HELDOUT_SEED) and a retrieval gallery (seed GALLERY_SEED), as PNG + JSONL."""
    out = os.path.join(repo, "eval")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "images"))
    os.makedirs(os.path.join(out, "gallery"))
    rng = np.random.default_rng(train.HELDOUT_SEED)
    with open(os.path.join(out, "heldout.jsonl"), "w") as f:
        n = 0
        for task in tasks.TASKS:
            for lang in ("en", "zh"):
                for _ in range(write_per_cell if task == "write" else per_cell):
                    segs, sc, meta = tasks.sample(rng, task, lang)
                    files = []
                    for j, s in enumerate(sc):
                        name = f"images/{n:05d}-{j}.png"
                        scenes.write_png(os.path.join(out, name), scenes.render(s))
                        files.append(name)
                    record = {"id": n, "task": task, "lang": meta["lang"],
                              "prompt": prompt_of(segs), "images": files,
                              "answer": meta["answer"]}
                    if "truth" in meta:
                        record["truth"] = meta["truth"]
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
                    n += 1
    rng = np.random.default_rng(train.GALLERY_SEED)
    with open(os.path.join(out, "gallery.jsonl"), "w") as f:
        for i, s in enumerate(gallery_scenes(rng, gallery_size)):
            name = f"gallery/{i:05d}.png"
            scenes.write_png(os.path.join(out, name), scenes.render(s))
            f.write(json.dumps({"id": i, "image": name, "caption_en": s.caption("en"), "caption_zh": s.caption("zh"),
                                "truth": s.truth()}, ensure_ascii=False) + "\n")
