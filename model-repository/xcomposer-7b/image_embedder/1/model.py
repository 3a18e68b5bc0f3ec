"""Triton python backend entry of ``image_embedder``; the code is in the ``xcomposer7b`` package."""

from xcomposer7b.serving import ImageEmbedderModel as TritonPythonModel  # noqa: F401
