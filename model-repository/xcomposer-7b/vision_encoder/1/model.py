"""Triton python backend entry of ``vision_encoder``; the code is in the ``xcomposer7b`` package."""

import pathlib
import sys

_REPOSITORY_COPY = pathlib.Path(__file__).resolve().parents[2] / "llm" / "1"
if (_REPOSITORY_COPY / "xcomposer7b").is_dir():
    sys.path.insert(0, str(_REPOSITORY_COPY))

from xcomposer7b.serving import VisionEncoderModel as TritonPythonModel  # noqa: E402,F401
