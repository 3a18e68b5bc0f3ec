"""Write the ``vision_encoder`` Triton model folder from the checkpoint's vision tensors (+ optional ONNX export).

Called by ``xcomposer7b.convert`` with the checkpoint keys that ``vision.is_vision_key`` selects, names unchanged.
Output (python backend, docs/model-contract.md):

    vision_encoder/config.pbtxt                 tensors + self-describing parameters
    vision_encoder/1/model.py                   thin entry into xcomposer7b.serving
    vision_encoder/1/vision_encoder.pt          the vision tensors in fp16, checkpoint names
    vision_encoder/1/vision_config.json         VisionConfig the weights belong to
    vision_encoder/onnx/model.onnx(+.data)      only with onnx=True: graph + external data (fp32 graph > 2 GB)
"""

from __future__ import annotations

import pathlib
import tempfile
from typing import Callable, Mapping, Optional

import torch

from xcomposer7b.repo_files import entry_source, half_precision, model_config_pbtxt, torch_save_bytes
from xcomposer7b.repo_files import write_bytes_atomically, write_text_atomically
from xcomposer7b.vision import VisionConfig, VisionEncoder, preprocessing_parameters

WEIGHTS_FILE = "vision_encoder.pt"
CONFIG_FILE = "vision_config.json"
MAX_BATCH_SIZE = 32  # the composition's selection step sends up to N earlier images + 4 candidates at once


def vision_encoder_config(config: VisionConfig, kind: str = "KIND_GPU") -> str:
    """The ``config.pbtxt`` text; the repository's committed vision_encoder/config.pbtxt is this for ``full()``."""
    return model_config_pbtxt(
        name="vision_encoder",
        comment=(
            "EVA ViT-g/14 + Q-Former + projection + start/end flags of InternLM-XComposer-7B (python backend, torch).\n"
            "fp16 weights and compute on GPU; FP32 tensors on the wire (docs/model-contract.md).\n"
            "Written by xcomposer7b.vision_convert.vision_encoder_config; regenerate rather than edit."
        ),
        max_batch_size=MAX_BATCH_SIZE,
        inputs=[("pixel_values", "TYPE_FP32", (3, config.image_size, config.image_size))],
        outputs=[("image_embeds", "TYPE_FP32", (config.image_tokens, config.llm_hidden))],
        kind=kind,
        max_queue_delay_microseconds=5000,
        parameters={
            **preprocessing_parameters(config.image_size, config.image_mean, config.image_std),
            "image_tokens": str(config.image_tokens),
            "hidden_size": str(config.llm_hidden),
            "weights": WEIGHTS_FILE,
            "vision_config": CONFIG_FILE,
        },
    )


def write_vision_encoder(
    vision_state: Mapping[str, torch.Tensor],
    out_dir: pathlib.Path,
    progress: Callable[[str], None],
    config: Optional[VisionConfig] = None,
    kind: str = "KIND_GPU",
    onnx: bool = False,
) -> list[pathlib.Path]:
    """Check ``vision_state`` against the model strictly, then write the folder; returns the files written.

    ``config`` defaults to the sizes the tensors imply (``VisionConfig.from_state``: the released 7B sizes for a
    real checkpoint).
    Re-running with the same tensors rewrites nothing (byte-identical files are left alone).
    """
    config = config or VisionConfig.from_state(vision_state)
    out_dir = pathlib.Path(out_dir)
    progress(f"vision_encoder: checking {len(vision_state)} tensors against the model")
    model = VisionEncoder(config)
    model.load_checkpoint(vision_state)
    version = out_dir / "1"
    progress(f"vision_encoder: writing {version / WEIGHTS_FILE} (fp16)")
    written = [write_bytes_atomically(version / WEIGHTS_FILE, torch_save_bytes(half_precision(vision_state)))]
    written.append(write_text_atomically(version / CONFIG_FILE, config.to_json() + "\n"))
    written.append(write_text_atomically(version / "model.py", entry_source("vision_encoder", "VisionEncoderModel")))
    written.append(write_text_atomically(out_dir / "config.pbtxt", vision_encoder_config(config, kind)))
    if onnx:
        written += export_onnx(model.eval(), out_dir / "onnx", progress)
    return written


def export_onnx(model: VisionEncoder, onnx_dir: pathlib.Path, progress: Callable[[str], None]) -> list[pathlib.Path]:
    """fp32 ONNX graph with every initializer in ``model.onnx.data`` (protobuf caps one file at 2 GB).

    Input ``pixel_values [B,3,S,S]`` → output ``image_embeds [B,Q,D]``, batch dimension dynamic, opset 17 (the
    first with LayerNormalization). For onnxruntime or TensorRT (trtexec) in place of the python backend.
    """
    import onnx

    size = model.config.image_size
    progress(f"vision_encoder: exporting ONNX to {onnx_dir}")
    onnx_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=onnx_dir) as scratch:
        raw = pathlib.Path(scratch) / "model.onnx"
        with torch.no_grad():
            torch.onnx.export(
                model.float(),
                (torch.zeros(1, 3, size, size),),
                str(raw),
                input_names=["pixel_values"],
                output_names=["image_embeds"],
                dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
                opset_version=17,
                do_constant_folding=True,
            )
        graph = onnx.load(str(raw))  # also reads the per-tensor files torch writes for graphs over 2 GB
        target = onnx_dir / "model.onnx"
        (onnx_dir / "model.onnx.data").unlink(missing_ok=True)
        onnx.save_model(
            graph,
            str(target),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location="model.onnx.data",
            size_threshold=0,
        )
    onnx.checker.check_model(str(target))
    return [target, onnx_dir / "model.onnx.data"]
