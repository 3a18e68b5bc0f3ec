"""Recovers training weights from the committed ONNX graphs, so that a later run can continue stage 2 from exactly
the model that is served, with no weight files in the repository:

    /usr/bin/python3 train.py import --out DIR      # then: train.py train --init DIR ...

Named initializers map straight to parameters. The others are what the exporter rewrote: MatMul weights (a Linear's
weight, transposed) and Conv weights with a folded batch norm; the consuming node's scope name ("/layers.0/qkv/MatMul")
says which module they belong to. A folded batch norm comes back as an identity norm whose bias carries the folded
shift, which computes the same function in eval mode (stage 2 keeps the backbone frozen in eval mode). The per-cell
heads of stage 1 are not exported and keep their initialisation. `verify` re-exports the recovered weights and checks
that every initializer of every graph matches the committed one."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Mapping

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import export
from hparams import MODEL, Sizes
from models import build_models
from tokenizer import Tokenizer
from weights import as_parameter, onnx_initializers, save_weights, state_shapes

log = logging.getLogger(__name__)
Models = Mapping[str, torch.nn.Module]

# graph file -> how the exported module's attribute names map to models.build_models() keys
GRAPHS = {
    "vision_encoder/1/model.onnx": {"backbone": "backbone", "sampler": "sampler"},
    "image_embedder/1/model.onnx": {"backbone": "backbone", "head": "image_head"},
    "text_embedder/1/model.onnx": {"": "text_encoder"},
    "llm/1/embed.onnx": {"tok": "decoder.tok"},
    "llm/1/model.onnx": {"": "decoder"},
}


def module_path(node_name: str) -> str:
    """'/layers.0/mlp/mlp.0/MatMul' -> 'layers.0.mlp.0'."""
    path = []
    for seg in node_name.strip("/").split("/")[:-1]:
        if path and seg.startswith(path[-1] + "."):
            path[-1] = seg
        else:
            path.append(seg)
    return ".".join(path)


def resolve(path: str, shape: tuple[int, ...], keys: Mapping[str, tuple[int, ...]]) -> str:
    """The parameter key that a scope path names. Scopes follow call sites, so a module used through an attribute
    of its parent ("a = self.attn; a.qkv(x)") appears without that attribute ("layers.0.qkv" for
    "layers.0.attn.qkv"): the key whose segments hold the path's segments in order, with the same last segment and
    shape, is the one."""
    want = path.split(".")
    found = []
    for key, key_shape in keys.items():
        segs = key.split(".")
        if segs[-1] != want[-1] or tuple(key_shape) != tuple(shape):
            continue
        it = iter(segs)
        if all(w in it for w in want):
            found.append(key)
    if len(found) != 1:
        raise ValueError(f"{path}: {len(found)} parameters match")
    return found[0]


def qualify(name: str, prefixes: Mapping[str, str]) -> str:
    head = name.split(".", 1)[0]
    if head in prefixes:
        return prefixes[head] + name[len(head):]
    return prefixes[""] + "." + name


def recover(repo: str, keys: Mapping[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """Committed value per parameter key; `keys` maps every parameter key of models.build_models() to its shape."""
    state = {}

    def put(path, value):
        state[resolve(path, value.shape, keys)] = value

    for rel, prefixes in GRAPHS.items():
        graph = onnx.load(os.path.join(repo, rel)).graph
        inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        consumers = {}
        for node in graph.node:
            for slot, name in enumerate(node.input):
                consumers.setdefault(name, []).append((node, slot))
        for name, value in inits.items():
            if not name.startswith("onnx::"):
                put(qualify(name, prefixes), value)
                continue
            node, slot = consumers[name][0]
            module = qualify(module_path(node.name), prefixes)
            if node.op_type == "MatMul" and slot == 1:
                put(module + ".weight", value.T)
            elif node.op_type == "Conv":
                folded = module.startswith("backbone.")  # conv_bn: Sequential(conv, norm, relu), norm folded in
                norm = module[:-1] + "1"
                if slot == 1:
                    put(module + ".weight", value)
                elif not folded:
                    put(module + ".bias", value)
                else:
                    put(norm + ".weight", np.ones_like(value))
                    put(norm + ".bias", value)
                    put(norm + ".running_mean", np.zeros_like(value))
                    put(norm + ".running_var", np.ones_like(value))
            else:
                raise ValueError(f"{rel}: no rule for {name} consumed by {node.op_type} {node.name}")
    return state


def load_into(models: Models, state: Mapping[str, np.ndarray]) -> None:
    for key, module in models.items():
        own = module.state_dict()
        for k in own:
            full = f"{key}.{k}"
            if full in state:
                own[k] = as_parameter(state[full], own[k])
            elif k.endswith("num_batches_tracked") or key == "cell_heads" or k == "head.weight":
                continue  # bookkeeping, stage-1-only heads, and the decoder head tied to the token embedding
            else:
                raise ValueError(f"no committed value for {full}")
        module.load_state_dict(own)


def fold_identity_norms(models: Models) -> None:
    # running_var = 1 - eps makes the exported scale 1/sqrt(var + eps) exactly 1 in float32.
    for module in models["backbone"].modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_var.fill_(1.0 - module.eps)


def run(repo: str, out: str, sizes: Sizes = MODEL) -> None:
    """Weights of the graphs in `repo` (a model of `sizes`) as shards plus tokenizer in `out`, checked by `verify`."""
    with open(os.path.join(repo, "llm", "1", "tokenizer.json")) as f:
        tok_json = f.read()
    models = build_models(len(Tokenizer.from_json(tok_json)), sizes)
    load_into(models, recover(repo, state_shapes(models)))
    fold_identity_norms(models)
    save_weights(models, out)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        f.write(tok_json)
    verify(repo, out, sizes)


def verify(repo: str, weights_dir: str, sizes: Sizes = MODEL) -> None:
    """Re-exports the weights in `weights_dir`; every initializer of every graph must equal the one in `repo`."""
    scratch = tempfile.mkdtemp()
    try:
        export.run(weights_dir, scratch, eval_data=False, sizes=sizes)
        for rel in GRAPHS:
            ours = onnx_initializers(os.path.join(scratch, rel))
            committed = onnx_initializers(os.path.join(repo, rel))
            if ours.keys() != committed.keys():
                raise ValueError(f"{rel}: re-export has other initializers")
            worst = max(float(np.max(np.abs(ours[k] - committed[k]), initial=0)) for k in ours)
            if worst > 1e-6:
                raise ValueError(f"{rel}: re-export differs by up to {worst}")
            log.info("%s: %d initializers match (max difference %.1e)", rel, len(ours), worst)
    finally:
        shutil.rmtree(scratch)
