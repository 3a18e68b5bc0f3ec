"""Weights as NumPy shards (`weights-<n>.npz`, keys "<module key>.<state-dict key>"), portable across torch
versions, and the state-dict helpers that training, export and import share."""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import numpy as np
import onnx
import torch
from onnx import numpy_helper

SHARD_BYTES = 14 * 1024 * 1024

log = logging.getLogger(__name__)
Models = Mapping[str, torch.nn.Module]


def state_arrays(models: Models) -> dict[str, np.ndarray]:
    """Every state-dict entry of every module as a CPU array (floating point as float32)."""
    return {f"{name}.{k}": v.detach().cpu().float().numpy() if v.is_floating_point() else v.detach().cpu().numpy()
            for name, mod in models.items() for k, v in mod.state_dict().items()}


def state_shapes(models: Models) -> dict[str, tuple[int, ...]]:
    """Every state-dict key of every module and its shape."""
    return {f"{name}.{k}": tuple(v.shape) for name, mod in models.items() for k, v in mod.state_dict().items()}


def save_weights(models: Models, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    arrays = state_arrays(models)
    shard, size, n = {}, 0, 0
    for key in sorted(arrays):
        if shard and size + arrays[key].nbytes > SHARD_BYTES:
            _write_shard(out_dir, n, shard)
            shard, size, n = {}, 0, n + 1
        shard[key] = arrays[key]
        size += arrays[key].nbytes
    _write_shard(out_dir, n, shard)


def _write_shard(out_dir: str, n: int, arrays: dict[str, np.ndarray]) -> None:
    # Written aside and renamed, so that a run killed by a time limit never leaves a half-written shard behind.
    final = os.path.join(out_dir, f"weights-{n}.npz")
    with open(final + ".part", "wb") as f:
        np.savez(f, **arrays)
    os.replace(final + ".part", final)


def read_shards(in_dir: str) -> dict[str, np.ndarray]:
    arrays = {}
    for f in sorted(os.listdir(in_dir)):
        if f.startswith("weights-") and f.endswith(".npz"):
            with np.load(os.path.join(in_dir, f)) as z:
                arrays.update({k: z[k] for k in z.files})
    return arrays


def load_weights(models: Models, in_dir: str) -> list[str]:
    """Loads the shards in `in_dir` into `models`; returns the keys of the modules the folder does not hold."""
    arrays = read_shards(in_dir)
    absent = []
    for name, mod in models.items():
        prefix = name + "."
        state = {k[len(prefix):]: torch.from_numpy(v) for k, v in arrays.items() if k.startswith(prefix)}
        if not state:
            # Stage 2 needs only backbone, sampler and decoder; a folder may hold just those (a size limit on
            # what reaches a GPU machine), and the other modules then keep their initialisation.
            log.info("%s: not in %s, keeps its initialisation", name, in_dir)
            absent.append(name)
            continue
        missing, unexpected = mod.load_state_dict(state, strict=False)
        # Weights from before the relative-position bias keep their zero initialisation; nothing else may differ.
        if unexpected or any(not k.endswith("rel_bias") for k in missing):
            raise ValueError(f"{name}: missing {missing}, unexpected {unexpected}")
    return absent


def as_parameter(array: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    """`array` as a tensor with the dtype and shape of the state-dict entry `like`."""
    return torch.from_numpy(np.array(array, copy=True)).to(like.dtype).reshape(like.shape)


def onnx_initializers(path: str) -> dict[str, np.ndarray]:
    """The initializers of an ONNX graph by name."""
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
