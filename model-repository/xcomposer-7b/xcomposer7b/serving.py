"""The unary, batched python-backend models (vision_encoder, image_embedder, text_embedder).

Triton's dynamic batcher hands ``execute`` several requests at once; each carries ``[b_i, ...]`` of the one input.
They are validated one by one (a bad request gets its own error response and does not fail the others), concatenated,
run in one forward pass and split back. Only runs inside Triton (``triton_python_backend_utils``) or with the test
stand-in installed. python_backend API: shared/reference/production-path.md §2 and triton.md §4c.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any, Optional

import numpy as np
import torch
import triton_python_backend_utils as pb_utils


def string_parameters(model_config: dict) -> dict[str, str]:
    return {key: value["string_value"] for key, value in model_config.get("parameters", {}).items()}


def instance_device(args: dict) -> torch.device:
    """The GPU Triton placed this instance on (``KIND_GPU``), else the CPU."""
    if args.get("model_instance_kind") == "GPU" and torch.cuda.is_available():
        return torch.device("cuda", int(args.get("model_instance_device_id", "0")))
    return torch.device("cpu")


class BatchedModel:
    """Subclasses set the tensor names and implement ``load`` and ``run`` (numpy batch in, numpy batch out)."""

    input_name: str
    output_name: str

    def initialize(self, args: dict) -> None:
        self.model_config = json.loads(args["model_config"])
        self.parameters = string_parameters(self.model_config)
        self.version_dir = pathlib.Path(args["model_repository"]) / args["model_version"]
        self.device = instance_device(args)
        declared = next(i for i in self.model_config["input"] if i["name"] == self.input_name)
        self.item_dims = tuple(int(d) for d in declared["dims"])
        self.max_batch_size = int(self.model_config.get("max_batch_size", 0))
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    def run(self, batch: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def check(self, array: np.ndarray) -> Optional[str]:
        """Shape check against config.pbtxt (Triton checks too; this keeps one bad request from failing a batch)."""
        if array.ndim != len(self.item_dims) + 1 or tuple(array.shape[1:]) != self.item_dims:
            return (
                f"{self.input_name}: expected shape [B, {', '.join(map(str, self.item_dims))}], got {list(array.shape)}"
            )
        if array.shape[0] == 0:
            return f"{self.input_name}: empty batch"
        return None

    def execute(self, requests: list) -> list:
        responses: list[Any] = [None] * len(requests)
        arrays, owners = [], []
        for index, request in enumerate(requests):
            tensor = pb_utils.get_input_tensor_by_name(request, self.input_name)
            problem = f"missing input '{self.input_name}'" if tensor is None else self.check(tensor.as_numpy())
            if problem is not None:
                responses[index] = _error(problem, pb_utils.TritonError.INVALID_ARG)
            else:
                arrays.append(tensor.as_numpy())
                owners.append(index)
        if arrays:
            self._answer(arrays, owners, responses)
        return responses

    def _answer(self, arrays: list[np.ndarray], owners: list[int], responses: list) -> None:
        try:
            output = self.run(np.concatenate(arrays, axis=0))
        except Exception as failure:  # one failing forward pass answers its requests with the reason, fast
            for index in owners:
                responses[index] = _error(f"{type(failure).__name__}: {failure}", pb_utils.TritonError.INTERNAL)
            return
        start = 0
        for array, index in zip(arrays, owners):
            part = np.ascontiguousarray(output[start : start + array.shape[0]])
            start += array.shape[0]
            responses[index] = pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor(self.output_name, part)])

    def finalize(self) -> None:
        self.module = None


def _error(message: str, code: int) -> Any:
    return pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(message, code))


def autocast(device: torch.device):
    """fp16 autocast on CUDA (as the seed's ``maybe_autocast``: matmuls in fp16, norms/softmax in fp32); off on CPU."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.float16)
    return torch.autocast("cpu", enabled=False)


class VisionEncoderModel(BatchedModel):
    """``pixel_values [B,3,224,224]`` → ``image_embeds [B,66,4096]``: fp16 weights on GPU, FP32 on the wire."""

    input_name = "pixel_values"
    output_name = "image_embeds"

    def load(self) -> None:
        from xcomposer7b.repo_files import load_weights
        from xcomposer7b.vision import VisionConfig, VisionEncoder

        config = VisionConfig.from_json((self.version_dir / self.parameters["vision_config"]).read_text("utf-8"))
        module = VisionEncoder(config)
        module.load_checkpoint(load_weights(self.version_dir / self.parameters["weights"]))
        dtype = torch.float16 if self.device.type == "cuda" else torch.float32
        self.module = module.to(device=self.device, dtype=dtype).eval()
        self.input_dtype = dtype

    def run(self, batch: np.ndarray) -> np.ndarray:
        pixels = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)).to(self.device, self.input_dtype)
        with torch.inference_mode(), autocast(self.device):
            embeds = self.module(pixels)
        return embeds.float().cpu().numpy()


class _TowerModel(BatchedModel):
    def load_tower(self, tower_class: type) -> torch.nn.Module:
        from xcomposer7b.clip import ClipConfig, load_tower
        from xcomposer7b.repo_files import load_weights

        self.clip_config = ClipConfig.from_json((self.version_dir / self.parameters["clip_config"]).read_text("utf-8"))
        tower = load_tower(
            tower_class(self.clip_config), load_weights(self.version_dir / self.parameters["weights"]), self.output_name
        )
        self.compute_dtype = torch.float16 if self.device.type == "cuda" else torch.float32
        return tower.to(device=self.device, dtype=self.compute_dtype).eval()


class ImageEmbedderModel(_TowerModel):
    """``pixel_values [B,3,224,224]`` → L2-normalised ``embedding [B,512]`` (Chinese-CLIP image tower)."""

    input_name = "pixel_values"
    output_name = "embedding"

    def load(self) -> None:
        from xcomposer7b.clip import ImageTower

        self.module = self.load_tower(ImageTower)

    def run(self, batch: np.ndarray) -> np.ndarray:
        pixels = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)).to(self.device, self.compute_dtype)
        with torch.inference_mode(), autocast(self.device):
            return self.module(pixels).float().cpu().numpy()


class TextEmbedderModel(_TowerModel):
    """``text [B,1]`` (UTF-8 bytes, English or Chinese) → L2-normalised ``embedding [B,512]`` (text tower)."""

    input_name = "text"
    output_name = "embedding"

    def load(self) -> None:
        from xcomposer7b.clip import TextTower, WordPieceTokenizer

        self.module = self.load_tower(TextTower)
        self.tokenizer = WordPieceTokenizer.from_file(self.version_dir / self.parameters["tokenizer"])
        self.max_text_tokens = int(self.parameters["max_text_tokens"])

    def run(self, batch: np.ndarray) -> np.ndarray:
        from xcomposer7b.clip import encode_texts

        texts = [_text(item) for item in batch.reshape(-1)]
        with torch.inference_mode(), autocast(self.device):
            return (
                encode_texts(self.tokenizer, self.module, texts, self.max_text_tokens, self.device)
                .float()
                .cpu()
                .numpy()
            )


def _text(item: Any) -> str:
    """BYTES elements arrive as ``bytes`` (invalid UTF-8 is replaced, not refused: a caption is still searchable)."""
    return item.decode("utf-8", errors="replace") if isinstance(item, bytes) else str(item)
