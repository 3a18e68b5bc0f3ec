"""Test harness around the stand-in: the ``args`` Triton gives ``initialize`` and loading a model.py by path.

Triton hands ``initialize`` the model configuration as JSON (``args["model_config"]``), with ``parameters`` as a
map ``{key: {"string_value": ...}}``; ``config_pbtxt_to_dict`` turns the repository's text-format config into that
shape so the model.py files read the same config.pbtxt the server would.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import sys
from types import ModuleType
from typing import Any

from tests.pb_stub import triton_python_backend_utils

_REPEATED = {"input", "output", "instance_group", "dims", "parameters", "gpus"}
_TOKEN = re.compile(r'\s*(?:(#[^\n]*)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_.]*)|(-?\d+(?:\.\d+)?)|([{}\[\]:,]))')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}


def _tokens(text: str) -> list[tuple[str, Any]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"config.pbtxt: cannot read at offset {pos}: {text[pos:pos + 30]!r}")
        pos = match.end()
        comment, string, ident, number, punct = match.groups()
        if string is not None:
            out.append(("str", re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), string[1:-1])))
        elif ident is not None:
            out.append(("value", {"true": True, "false": False}.get(ident, ident)))
        elif number is not None:
            out.append(("value", float(number) if "." in number else int(number)))
        elif punct is not None:
            out.append(("punct", punct))
    return out


def _parse_message(tokens: list, i: int, end: str | None) -> tuple[dict, int]:
    message: dict[str, Any] = {}
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "punct" and value == end:
            return message, i + 1
        if kind == "punct" and value == ",":
            i += 1
            continue
        name = value
        i += 1
        if tokens[i] == ("punct", ":"):
            i += 1
        parsed, i = _parse_value(tokens, i)
        values = parsed if isinstance(parsed, list) else [parsed]
        if name in _REPEATED:
            message.setdefault(name, []).extend(values)
        else:
            message[name] = parsed
    if end is not None:
        raise ValueError("config.pbtxt: unbalanced braces")
    return message, i


def _parse_value(tokens: list, i: int) -> tuple[Any, int]:
    kind, value = tokens[i]
    if kind == "punct" and value == "{":
        return _parse_message(tokens, i + 1, "}")
    if kind == "punct" and value == "[":
        items, i = [], i + 1
        while tokens[i] != ("punct", "]"):
            if tokens[i] == ("punct", ","):
                i += 1
                continue
            item, i = _parse_value(tokens, i)
            items.append(item)
        return items, i + 1
    return value, i + 1


def config_pbtxt_to_dict(text: str) -> dict:
    message, _ = _parse_message(_tokens(text), 0, None)
    if "parameters" in message:
        message["parameters"] = {p["key"]: p["value"] for p in message["parameters"]}
    return message


def model_args(model_dir: pathlib.Path, version: str = "1") -> dict[str, str]:
    config = config_pbtxt_to_dict((model_dir / "config.pbtxt").read_text(encoding="utf-8"))
    return {
        "model_config": json.dumps(config),
        "model_name": config.get("name", model_dir.name),
        "model_repository": str(model_dir),
        "model_version": version,
        "model_instance_kind": "CPU",
        "model_instance_name": f"{model_dir.name}_0",
        "model_instance_device_id": "0",
    }


def load_model_module(model_dir: pathlib.Path, version: str = "1") -> ModuleType:
    """Import ``<model_dir>/<version>/model.py`` as Triton does, with the stand-in installed."""
    triton_python_backend_utils.install()
    path = model_dir / version / "model.py"
    name = f"triton_model_{model_dir.name}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
