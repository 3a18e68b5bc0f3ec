"""Triton python backend entry of ``vision_encoder``; the code is in the ``xcomposer7b`` package."""

from xcomposer7b.serving import VisionEncoderModel as TritonPythonModel  # noqa: F401
