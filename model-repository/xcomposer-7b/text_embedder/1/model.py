"""Triton python backend entry of ``text_embedder``; the code is in the ``xcomposer7b`` package."""

from xcomposer7b.serving import TextEmbedderModel as TritonPythonModel  # noqa: F401
