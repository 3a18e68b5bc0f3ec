"""Setting ``parameters`` entries of a Triton text-format config.pbtxt (the converter fills the llm config)."""

from __future__ import annotations

import re


def quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def set_parameter(text: str, key: str, value: str) -> str:
    """Replace the string_value of ``key`` or append a new parameters entry."""
    entry = f"parameters {{ key: {quote(key)} value: {{ string_value: {quote(value)} }} }}"
    pattern = re.compile(r'parameters \{ key: "' + re.escape(key) + r'" value: \{ string_value: "(?:[^"\\]|\\.)*" \} \}')
    if pattern.search(text):
        return pattern.sub(lambda _: entry, text, count=1)
    return text.rstrip("\n") + "\n" + entry + "\n"
