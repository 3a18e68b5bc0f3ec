"""Writing Triton model folders: atomic, byte-stable files and ``config.pbtxt`` text built from one description."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pathlib
import tempfile
from typing import Any, Mapping, Sequence, TypeVar

import torch

from xcomposer7b.pbtxt import quote


def write_bytes_atomically(path: pathlib.Path, data: bytes) -> pathlib.Path:
    """Write via a temporary file in the same folder and rename, so a crash never leaves a half-written file.

    An existing file with the same bytes is left untouched (re-running a conversion changes nothing).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return path
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_text_atomically(path: pathlib.Path, text: str) -> pathlib.Path:
    return write_bytes_atomically(path, text.encode("utf-8"))


def torch_save_bytes(state: Mapping[str, torch.Tensor]) -> bytes:
    buffer = io.BytesIO()
    torch.save(dict(state), buffer)
    return buffer.getvalue()


def load_weights(path: pathlib.Path) -> dict[str, torch.Tensor]:
    """``torch.load`` restricted to tensors where torch supports it (a weights file is data, not code)."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch without weights_only
        return torch.load(path, map_location="cpu")


def half_precision(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Floating tensors to fp16 (the released weights are fp16 already), index buffers unchanged."""
    return {
        k: (v.detach().to(torch.float16) if v.is_floating_point() else v.detach()).contiguous()
        for k, v in state.items()
    }


def _dims(dims: Sequence[int]) -> str:
    return "[ " + ", ".join(str(d) for d in dims) + " ]"


def model_config_pbtxt(
    *,
    name: str,
    comment: str,
    max_batch_size: int,
    inputs: Sequence[tuple[str, str, Sequence[int]]],
    outputs: Sequence[tuple[str, str, Sequence[int]]],
    kind: str,
    max_queue_delay_microseconds: int,
    parameters: Mapping[str, str],
) -> str:
    """A batched python-backend ``config.pbtxt``; ``inputs``/``outputs`` are ``(name, TYPE_*, dims)``."""
    lines = [f"# {line}" for line in comment.splitlines()]
    lines += [f"name: {quote(name)}", 'backend: "python"', f"max_batch_size: {max_batch_size}"]
    for section, tensors in (("input", inputs), ("output", outputs)):
        entries = [f"  {{ name: {quote(n)} data_type: {t} dims: {_dims(d)} }}" for n, t, d in tensors]
        lines += [f"{section} [", ",\n".join(entries), "]"]
    lines.append(f"instance_group [ {{ count: 1 kind: {kind} }} ]")
    lines.append(f"dynamic_batching {{ max_queue_delay_microseconds: {max_queue_delay_microseconds} }}")
    for key, value in parameters.items():
        lines.append(f"parameters {{ key: {quote(key)} value: {{ string_value: {quote(value)} }} }}")
    return "\n".join(lines) + "\n"


def csv(values: Sequence[float]) -> str:
    return ",".join(repr(float(v)) for v in values)


def entry_source(model_name: str, class_name: str) -> str:
    """The ``<model>/1/model.py`` Triton loads; the code itself is in the ``xcomposer7b`` package.

    The package is found on PYTHONPATH (the project's image) or in the copy ``xcomposer7b.convert`` puts into
    ``llm/1/`` of a converted repository; that copy, written with the weights, is preferred.
    """
    return f'''"""Triton python backend entry of ``{model_name}``; the code is in the ``xcomposer7b`` package."""

import pathlib
import sys

_REPOSITORY_COPY = pathlib.Path(__file__).resolve().parents[2] / "llm" / "1"
if (_REPOSITORY_COPY / "xcomposer7b").is_dir():
    sys.path.insert(0, str(_REPOSITORY_COPY))

from xcomposer7b.serving import {class_name} as TritonPythonModel  # noqa: E402,F401
'''


Config = TypeVar("Config")


def config_to_json(config: Any) -> str:
    return json.dumps(dataclasses.asdict(config), indent=2, sort_keys=True)


def config_from_json(cls: type[Config], text: str) -> Config:
    """The inverse of ``config_to_json`` for a frozen dataclass (JSON lists back to the tuples the fields hold)."""
    values: dict[str, Any] = json.loads(text)
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})
