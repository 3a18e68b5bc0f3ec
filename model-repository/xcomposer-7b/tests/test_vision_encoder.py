"""Vision encoder: checkpoint layout, output shape/flags, batching, conversion and the python-backend model.py."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

from tests.pb_stub import harness
from tests.pb_stub import triton_python_backend_utils as pb_utils
from xcomposer7b.repo_files import entry_source, load_weights
from xcomposer7b.vision import IMAGE_MEAN, IMAGE_SIZE, IMAGE_STD, RESIZE_MODE, VisionConfig, VisionEncoder
from xcomposer7b.vision import is_vision_key, random_checkpoint
from xcomposer7b.vision_convert import export_onnx, vision_encoder_config, write_vision_encoder

ROOT = pathlib.Path(__file__).resolve().parents[1]
RELEASED_KEYS = ROOT / "tests" / "data" / "xcomposer_7b_vision_keys.txt"


def tiny_encoder(seed: int = 0) -> VisionEncoder:
    model = VisionEncoder(VisionConfig.tiny()).eval()
    model.load_checkpoint(random_checkpoint(VisionConfig.tiny(), seed))
    return model


class GoldenConstantsTests(unittest.TestCase):
    """Values from shared/reference/production-path.md §1 (seed's create_eva_vit_g, vis_processor, config.json)."""

    def test_preprocessing_is_the_seeds(self) -> None:
        self.assertEqual(IMAGE_SIZE, 224)
        self.assertEqual(RESIZE_MODE, "bicubic")
        self.assertEqual(IMAGE_MEAN, (0.48145466, 0.4578275, 0.40821073))
        self.assertEqual(IMAGE_STD, (0.26862954, 0.26130258, 0.27577711))

    def test_full_sizes_are_the_seeds(self) -> None:
        full = VisionConfig.full()
        self.assertEqual((full.patch_size, full.vit_width, full.vit_depth, full.vit_heads), (14, 1408, 39, 16))
        self.assertEqual(full.vit_mlp_hidden, 6144)
        self.assertEqual((full.vit_eps, full.ln_vision_eps), (1e-6, 1e-5))
        self.assertEqual((full.qformer_hidden, full.qformer_layers, full.cross_attention_freq), (768, 12, 2))
        self.assertEqual((full.num_query_tokens, full.image_tokens, full.llm_hidden), (64, 66, 4096))
        self.assertEqual(full.num_patches + 1, 257)


class CheckpointLayoutTests(unittest.TestCase):
    def test_full_structure_has_exactly_the_released_vision_keys(self) -> None:
        # Key names depend on depths and layer kinds only, so small widths keep the test light.
        narrow = dataclasses.replace(
            VisionConfig.full(),
            image_size=28,
            vit_width=8,
            vit_heads=2,
            vit_mlp_hidden=8,
            qformer_hidden=8,
            qformer_heads=2,
            qformer_intermediate=8,
            num_query_tokens=2,
            llm_hidden=8,
        )
        released = {line for line in RELEASED_KEYS.read_text().splitlines() if line and not line.startswith("#")}
        self.assertEqual(set(VisionEncoder(narrow).state_dict()), released)
        self.assertTrue(all(is_vision_key(k) for k in released))
        self.assertFalse(is_vision_key("internlm_model.model.embed_tokens.weight"))

    def test_tiny_checkpoint_loads_strictly(self) -> None:
        state = random_checkpoint(VisionConfig.tiny())
        model = VisionEncoder(VisionConfig.tiny())
        model.load_checkpoint(state)
        self.assertTrue(torch.equal(model.flag_image_end, state["flag_image_end"]))
        with self.assertRaisesRegex(ValueError, "unexpected .*internlm_model"):
            model.load_checkpoint({**state, "internlm_model.lm_head.weight": torch.zeros(1)})
        model.load_checkpoint({k: v for k, v in state.items() if not k.endswith("position_ids")})
        del state["Qformer.bert.encoder.layer.2.crossattention.self.key.weight"]
        with self.assertRaisesRegex(ValueError, "missing .*layer.2.crossattention"):
            model.load_checkpoint(state)

    def test_sizes_are_read_back_from_the_tensors(self) -> None:
        for config in (VisionConfig.tiny(), dataclasses.replace(VisionConfig.tiny(), vit_depth=3, llm_hidden=12)):
            self.assertEqual(VisionConfig.from_state(random_checkpoint(config)), config)
        released_widths = dataclasses.replace(
            VisionConfig.full(), vit_depth=1, vit_mlp_hidden=8, qformer_layers=3, qformer_intermediate=8, llm_hidden=8
        )
        self.assertEqual(VisionConfig.from_state(VisionEncoder(released_widths).state_dict()), released_widths)

    def test_cross_attention_sits_in_every_second_layer(self) -> None:
        layers = tiny_encoder().Qformer.bert.encoder.layer
        self.assertEqual([layer.crossattention is not None for layer in layers], [True, False, True])


class ForwardTests(unittest.TestCase):
    def setUp(self) -> None:
        torch.manual_seed(1)
        self.model = tiny_encoder()
        self.pixels = torch.randn(3, 3, 28, 28)

    def test_shape_and_flags(self) -> None:
        with torch.no_grad():
            out = self.model(self.pixels)
        self.assertEqual(tuple(out.shape), (3, 66, VisionConfig.tiny().llm_hidden))
        for row in out:
            self.assertTrue(torch.equal(row[0], self.model.flag_image_start[0, 0]))
            self.assertTrue(torch.equal(row[65], self.model.flag_image_end[0, 0]))
        self.assertGreater((out[0, 1:-1] - out[1, 1:-1]).abs().max().item(), 1e-4, "queries must see the image")

    def test_batch_of_three_equals_three_singles(self) -> None:
        with torch.no_grad():
            batched = self.model(self.pixels)
            singles = torch.cat([self.model(self.pixels[i : i + 1]) for i in range(3)])
        torch.testing.assert_close(batched, singles, rtol=1e-5, atol=1e-6)

    def test_eva_attention_gives_the_key_no_bias(self) -> None:
        attn = self.model.visual_encoder.blocks[0].attn
        x = torch.randn(2, 5, 32)
        wq, wk, wv = attn.qkv.weight.chunk(3)
        split = lambda t: t.view(2, 5, 4, 8).transpose(1, 2)  # noqa: E731
        q, k, v = split(x @ wq.T + attn.q_bias), split(x @ wk.T), split(x @ wv.T + attn.v_bias)
        weights = (q @ k.transpose(-1, -2) / 8**0.5).softmax(-1)
        expected = attn.proj((weights @ v).transpose(1, 2).reshape(2, 5, 32))
        with torch.no_grad():
            torch.testing.assert_close(attn(x), expected, rtol=1e-5, atol=1e-6)

    def test_wrong_image_size_is_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, "expected 28x28"):
            self.model(torch.zeros(1, 3, 32, 32))


class ConversionAndServingTests(unittest.TestCase):
    def setUp(self) -> None:
        self.scratch = tempfile.TemporaryDirectory()
        self.addCleanup(self.scratch.cleanup)
        self.out = pathlib.Path(self.scratch.name) / "vision_encoder"
        self.state = random_checkpoint(VisionConfig.tiny(), seed=3)
        self.log: list[str] = []

    def convert(self) -> list[pathlib.Path]:
        # No config: the sizes come from the tensors, as when xcomposer7b.convert calls it.
        return write_vision_encoder(self.state, self.out, self.log.append, kind="KIND_CPU")

    def test_committed_files_are_what_the_converter_writes(self) -> None:
        committed = ROOT / "vision_encoder"
        self.assertEqual((committed / "config.pbtxt").read_text(), vision_encoder_config(VisionConfig.full()))
        self.assertEqual(
            (committed / "1" / "model.py").read_text(), entry_source("vision_encoder", "VisionEncoderModel")
        )

    def test_conversion_writes_loadable_files_and_is_idempotent(self) -> None:
        files = self.convert()
        digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        mtimes = {p: p.stat().st_mtime_ns for p in files}
        weights = load_weights(self.out / "1" / "vision_encoder.pt")
        self.assertEqual({v.dtype for v in weights.values() if v.is_floating_point()}, {torch.float16})
        VisionEncoder(VisionConfig.tiny()).load_checkpoint(weights)
        self.assertTrue(any("checking" in line for line in self.log))
        self.assertEqual(self.convert(), files)
        self.assertEqual({p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}, digests)
        self.assertEqual({p: p.stat().st_mtime_ns for p in files}, mtimes)

    def test_conversion_without_the_position_ids_buffer(self) -> None:
        # Newer exports drop Qformer.bert.embeddings.position_ids; the sizes must still be read from the tensors.
        full_state = self.state
        self.state = {k: v for k, v in full_state.items() if not k.endswith("position_ids")}
        self.convert()
        converted = VisionEncoder(VisionConfig.tiny())
        converted.load_checkpoint({k: v.float() for k, v in load_weights(self.out / "1" / "vision_encoder.pt").items()})
        reference = VisionEncoder(VisionConfig.tiny())
        reference.load_checkpoint({k: v.half().float() if v.is_floating_point() else v for k, v in full_state.items()})
        pixels = torch.randn(2, 3, 28, 28)
        with torch.no_grad():
            # Same fp16-rounded weights, same fp32 CPU kernels: the buffer's absence changes nothing.
            self.assertTrue(torch.equal(converted.eval()(pixels), reference.eval()(pixels)))

    def test_conversion_refuses_a_foreign_state(self) -> None:
        broken = {k: v for k, v in self.state.items() if not k.startswith("ln_vision")}
        with self.assertRaisesRegex(ValueError, "missing .*ln_vision"):
            self.convert_state(broken)
        self.assertFalse((self.out / "1" / "vision_encoder.pt").exists())

    def convert_state(self, state: dict) -> None:
        write_vision_encoder(state, self.out, self.log.append, config=VisionConfig.tiny(), kind="KIND_CPU")

    def test_model_py_batches_requests_and_answers_bad_ones_alone(self) -> None:
        self.convert()
        model = harness.load_model_module(self.out).TritonPythonModel()
        model.initialize(harness.model_args(self.out))
        rng = np.random.default_rng(0)
        one, two = rng.standard_normal((1, 3, 28, 28), np.float32), rng.standard_normal((2, 3, 28, 28), np.float32)
        requests = [
            pb_utils.InferenceRequest([pb_utils.Tensor("pixel_values", one)]),
            pb_utils.InferenceRequest([pb_utils.Tensor("pixel_values", np.zeros((1, 3, 14, 28), np.float32))]),
            pb_utils.InferenceRequest([pb_utils.Tensor("pixel_values", two)]),
            pb_utils.InferenceRequest([]),
        ]
        responses = model.execute(requests)
        reference = VisionEncoder(VisionConfig.tiny()).eval()
        reference.load_checkpoint(
            {
                k: v.float() if v.is_floating_point() else v
                for k, v in load_weights(self.out / "1" / "vision_encoder.pt").items()
            }
        )
        for response, pixels in ((responses[0], one), (responses[2], two)):
            embeds = pb_utils.get_output_tensor_by_name(response, "image_embeds").as_numpy()
            self.assertEqual((embeds.dtype, embeds.shape), (np.float32, (pixels.shape[0], 66, 16)))
            with torch.no_grad():
                np.testing.assert_allclose(embeds, reference(torch.from_numpy(pixels)).numpy(), rtol=1e-5, atol=1e-6)
        self.assertIn("expected shape [B, 3, 28, 28]", responses[1].error().message())
        self.assertEqual(responses[1].error().code(), pb_utils.TritonError.INVALID_ARG)
        self.assertIn("missing input 'pixel_values'", responses[3].error().message())

    def test_model_py_prefers_the_package_copy_in_the_converted_repository(self) -> None:
        self.convert()
        copy = self.out.parent / "llm" / "1" / "xcomposer7b"
        shutil.copytree(ROOT / "xcomposer7b", copy, ignore=shutil.ignore_patterns("__pycache__"))
        script = (
            f"import sys, pathlib; sys.path.insert(0, {str(ROOT)!r}); from tests.pb_stub import harness; "
            f"harness.load_model_module(pathlib.Path({str(self.out)!r})); import xcomposer7b; print(xcomposer7b.__file__)"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
        self.assertEqual(pathlib.Path(result.stdout.strip()).parent, copy)

    @unittest.skipUnless(importlib.util.find_spec("onnx"), "python3-onnx is not installed")
    def test_onnx_export_with_external_data_passes_the_checker(self) -> None:
        import onnx

        files = export_onnx(tiny_encoder(), self.out / "onnx", self.log.append)
        graph = onnx.load(str(files[0]), load_external_data=False)
        self.assertEqual([i.name for i in graph.graph.input], ["pixel_values"])
        self.assertEqual([o.name for o in graph.graph.output], ["image_embeds"])
        external = [t for t in graph.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
        self.assertEqual(len(external), len(graph.graph.initializer))
        self.assertGreater(files[1].stat().st_size, 4 * sum(p.numel() for p in tiny_encoder().parameters()) // 2)


if __name__ == "__main__":
    unittest.main()
