"""Conversion of a random checkpoint in the released layout, then the converted llm/1/model.py driven through the
Triton stand-in: streamed deltas and the contract's final response, errors, cancellation, and the scaled-down
end-to-end image question (through the converted vision_encoder/1/model.py)."""

import contextlib
import io
import json
import pathlib
import re
import tempfile
import unittest

import numpy as np
import torch

from tests import llm_fixtures as fx
from tests.pb_stub import triton_python_backend_utils as pb_utils
from tests.pb_stub.harness import load_model_module, model_args
from xcomposer7b import convert, facts, lora
from xcomposer7b.checkpoint import CheckpointError
from xcomposer7b.engine import SamplingParams
from xcomposer7b.llm_runtime import load_decoder
from xcomposer7b.vision import VisionConfig, VisionEncoder

QUESTION = facts.USER_PREFIX + "<ImageHere>what is in this photo" + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX


def convert_quietly(ckpt, out, force=False) -> tuple[bool, str]:
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        changed = convert.convert(ckpt, out, convert.Options(), force, print)
    return changed, log.getvalue()


def request(inputs: dict, request_id="r1") -> pb_utils.InferenceRequest:
    tensors = []
    for name, value in inputs.items():
        if isinstance(value, str):
            value = np.array([value.encode()], dtype=np.object_)
        tensors.append(pb_utils.Tensor(name, value))
    return pb_utils.InferenceRequest(tensors, request_id)


def text_of(response, name="text_output") -> str:
    return pb_utils.get_output_tensor_by_name(response, name).as_numpy()[0].decode()


LLM_CONTRACT = (pathlib.Path(__file__).resolve().parents[3] / "inference-client/src/main/java/io/xcomposer/inference"
                / "client/contract/LlmContract.java")


def contract_constant(name: str) -> str:
    """A constant of the Java contract, read from its source, so both servers keep one rule."""
    match = re.search(rf"\b{name} = (\"[^\"]*\"|\d+);", LLM_CONTRACT.read_text(encoding="utf-8"))
    if match is None:
        raise AssertionError(f"{name} not found in {LLM_CONTRACT}")
    return match.group(1).strip('"')


def contract_max_beams() -> int:
    return int(contract_constant("MAX_NUM_BEAMS"))


class ConvertedRepositoryTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = pathlib.Path(cls.tmp.name)
        cls.ckpt, cls.out = root / "internlm-xcomposer-7b", root / "repo"
        cls.source = fx.write_checkpoint(cls.ckpt, fx.train_tokenizer(root))
        cls.changed, cls.log = convert_quietly(cls.ckpt, cls.out)
        module = load_model_module(cls.out / "llm")
        cls.model = module.TritonPythonModel()
        cls.model.initialize(model_args(cls.out / "llm"))

    @classmethod
    def tearDownClass(cls):
        cls.model.finalize()
        cls.tmp.cleanup()

    def ask(self, inputs, cancel_after=None):
        req = request(inputs)
        sender = req.get_response_sender()
        if cancel_after is not None:
            sender.on_send = lambda *_: len(sender.sent) >= cancel_after and sender.cancel()
        self.assertIsNone(self.model.execute([req]))
        self.assertTrue(sender.wait_closed(30), "the stream ends with a final flag")
        flags = [f for _, f in sender.sent]
        self.assertEqual(flags[-1], pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
        self.assertEqual(flags.count(pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL), 1)
        return sender.responses()

    def test_conversion_writes_a_loadable_merged_decoder(self):
        self.assertTrue(self.changed)
        self.assertIn("merging 8 LoRA pairs", self.log)
        decoder = load_decoder(self.out / "llm" / "1" / "decoder", torch.device("cpu"))
        base = self.source["model"].state_dict()
        merged = lora.merge_lora(base | self.source["lora"], fx.LORA_ALPHA / fx.LORA_R)
        name = "model.layers.1.mlp.down_proj.weight"
        # The checkpoint is fp16 and so is the output: the merge is computed from the fp16 copies.
        half = lora.merge_lora({k: v.half() for k, v in base.items()} | {k: v.half() for k, v in self.source["lora"].items()},
                               fx.LORA_ALPHA / fx.LORA_R)
        self.assertTrue(torch.equal(decoder.state_dict()[name], half[name].float()))
        # Against the fp32 merge: fp16 storage rounds weights of magnitude < 0.5 by at most 2^-12 ≈ 2.4e-4 (measured
        # 2.1e-4); 1e-3 is four such steps.
        self.assertLess((decoder.state_dict()[name] - merged[name]).abs().max().item(), 1e-3)
        self.assertTrue((self.out / "llm" / "1" / "tokenizer.model").is_file())

    def test_manifest_and_idempotence(self):
        manifest = json.loads((self.out / "manifest.json").read_text())
        for relative, entry in manifest["files"].items():
            self.assertEqual(convert.sha256_of(self.out / relative), entry["sha256"], relative)
        self.assertIn("llm/config.pbtxt", manifest["files"])
        changed, log = convert_quietly(self.ckpt, self.out)
        self.assertFalse(changed)
        self.assertIn("up to date", log)

    def test_converted_config_describes_the_checkpoint(self):
        text = (self.out / "llm" / "config.pbtxt").read_text()
        self.assertIn(f'key: "hidden_size" value: {{ string_value: "{fx.decoder_config().hidden_size}" }}', text)
        self.assertIn(f'key: "image_tokens" value: {{ string_value: "{self.source["image_tokens"]}" }}', text)
        self.assertIn(f'dims: [ -1, {self.source["image_tokens"]}, {fx.decoder_config().hidden_size} ]', text)

    def test_streamed_deltas_and_final_response(self):
        embeds = np.random.default_rng(0).standard_normal((1, self.source["image_tokens"], 64)).astype(np.float32)
        responses = self.ask({"text_input": QUESTION, "image_embeds": embeds, "max_tokens": np.array([12], np.int32)})
        final = responses[-1]
        self.assertIn(text_of(final, "finish_reason"), ("stop", "length"))
        streamed = "".join(text_of(r) for r in responses)
        engine = self.model.engine
        events = list(engine.generate(QUESTION, torch.from_numpy(embeds), SamplingParams(max_tokens=12)))
        self.assertEqual(streamed, "".join(e.text for e in events))
        prompt_tokens = engine.embed_prompt(QUESTION, torch.from_numpy(embeds)).shape[1]
        self.assertEqual(pb_utils.get_output_tensor_by_name(final, "prompt_tokens").as_numpy().tolist(), [prompt_tokens])
        self.assertEqual(pb_utils.get_output_tensor_by_name(final, "completion_tokens").as_numpy().tolist(),
                         [events[-1].completion_tokens])
        for delta in responses[:-1]:
            self.assertIsNone(pb_utils.get_output_tensor_by_name(delta, "finish_reason"))

    def test_beam_search_request(self):
        responses = self.ask({"text_input": "a cat", "max_tokens": np.array([6], np.int32),
                              "num_beams": np.array([3], np.int32), "length_penalty": np.array([1.0], np.float32)})
        expected = list(self.model.engine.generate("a cat", None, SamplingParams(max_tokens=6, num_beams=3)))[-1]
        self.assertEqual(text_of(responses[-1]), expected.text)

    def test_context_length_error(self):
        responses = self.ask({"text_input": "a cat " * 300})
        self.assertTrue(responses[-1].has_error())
        self.assertTrue(responses[-1].error().message().startswith("context length exceeded:"))
        self.assertEqual(responses[-1].error().code(), pb_utils.TritonError.INVALID_ARG)

    def test_bad_inputs_are_invalid_argument(self):
        for inputs in ({"max_tokens": np.array([3], np.int32)},
                       {"text_input": "<ImageHere> two images?"},
                       {"text_input": "a", "top_p": np.array([0.0], np.float32)}):
            with self.subTest(inputs=list(inputs)):
                error = self.ask(inputs)[-1].error()
                self.assertEqual(error.code(), pb_utils.TritonError.INVALID_ARG)

    def test_refused_requests_carry_the_contracts_prefix(self):
        # The CPU server's rules and prefix (cpu-inference-server BeamSettings, LlmContract.invalidInput).
        cases = {
            "no text_input": {"max_tokens": np.array([3], np.int32)},
            "placeholder count": {"text_input": "<ImageHere> two images?"},
            "top_p 0": {"text_input": "a", "top_p": np.array([0.0], np.float32)},
            "num_beams 0": {"text_input": "a", "num_beams": np.array([0], np.int32)},
            "num_beams 9": {"text_input": "a", "num_beams": np.array([contract_max_beams() + 1], np.int32)},
            "beams with sampling": {"text_input": "a", "num_beams": np.array([2], np.int32),
                                    "temperature": np.array([0.7], np.float32)},
            "length_penalty nan": {"text_input": "a", "num_beams": np.array([2], np.int32),
                                   "length_penalty": np.array([np.nan], np.float32)},
            # Declared by the contract, not implemented by this model yet: refused, never silently ignored.
            "logprobs": {"text_input": "a", "logprobs": np.array([0], np.int32)},
            "presence_penalty": {"text_input": "a", "presence_penalty": np.array([0.5], np.float32)},
            "frequency_penalty": {"text_input": "a", "frequency_penalty": np.array([-1.0], np.float32)},
        }
        for case, inputs in cases.items():
            with self.subTest(case):
                error = self.ask(inputs)[-1].error()
                self.assertEqual(error.code(), pb_utils.TritonError.INVALID_ARG)
                self.assertTrue(error.message().startswith(contract_constant("INVALID_INPUT_PREFIX") + " "),
                                error.message())
        beams = self.ask({"text_input": "a", "num_beams": np.array([2], np.int32),
                          "temperature": np.array([0.7], np.float32)})[-1].error().message()
        self.assertIn("temperature 0", beams)

    def test_zero_penalties_are_served(self):
        responses = self.ask({"text_input": "a cat", "max_tokens": np.array([2], np.int32),
                              "presence_penalty": np.array([0.0], np.float32),
                              "frequency_penalty": np.array([0.0], np.float32)})
        self.assertFalse(responses[-1].has_error())

    def test_the_contracts_most_beams_are_served(self):
        responses = self.ask({"text_input": "a cat", "max_tokens": np.array([3], np.int32),
                              "num_beams": np.array([contract_max_beams()], np.int32)})
        self.assertFalse(responses[-1].has_error())
        self.assertIn(text_of(responses[-1], "finish_reason"), ("stop", "length"))

    def test_an_engine_without_beam_search_refuses_beams_before_queueing(self):
        engine = self.model.engine
        engine.beam_search = False  # as VllmEngine, which cannot run here
        try:
            error = self.ask({"text_input": "a cat", "num_beams": np.array([5], np.int32)})[-1].error()
            plain = self.ask({"text_input": "a cat", "max_tokens": np.array([2], np.int32)})[-1]
        finally:
            del engine.beam_search
        self.assertEqual(error.code(), pb_utils.TritonError.INVALID_ARG)
        self.assertTrue(error.message().startswith("invalid input: num_beams > 1 is not supported"), error.message())
        self.assertFalse(plain.has_error())

    def test_cancellation_stops_the_stream(self):
        engine = self.model.engine
        stops = engine.stop_ids
        engine.stop_ids = frozenset()  # decode until cancelled or max_tokens
        try:
            responses = self.ask({"text_input": "a cat", "max_tokens": np.array([200], np.int32)}, cancel_after=2)
        finally:
            engine.stop_ids = stops
        self.assertEqual(text_of(responses[-1], "finish_reason"), "cancelled")
        completion = pb_utils.get_output_tensor_by_name(responses[-1], "completion_tokens").as_numpy()[0]
        self.assertLess(completion, 20)

    def test_end_to_end_image_question(self):
        """Converted vision_encoder/1/model.py → image_embeds → converted llm/1/model.py, against independent references:
        the vision encoder built straight from the checkpoint's vision tensors, the prompt spliced by hand, and greedy
        decoding that recomputes the whole sequence each step."""
        vision_dir = self.out / "vision_encoder"
        vision = load_model_module(vision_dir).TritonPythonModel()
        vision.initialize(model_args(vision_dir))
        size = int(json.loads(model_args(vision_dir)["model_config"])["parameters"]["image_size"]["string_value"])
        pixels = np.random.default_rng(1).random((1, 3, size, size), dtype=np.float32)
        vreq = pb_utils.InferenceRequest([pb_utils.Tensor("pixel_values", pixels)])
        embeds = pb_utils.get_output_tensor_by_name(vision.execute([vreq])[0], "image_embeds").as_numpy()
        vision.finalize()

        reference_vision = VisionEncoder(VisionConfig.from_state(self.source["vision"]))
        reference_vision.load_checkpoint({k: v.float() if v.is_floating_point() else v for k, v in self.source["vision"].items()})
        with torch.inference_mode():
            expected_embeds = reference_vision.eval()(torch.from_numpy(pixels))
        # Same fp16-stored weights, both run in fp32 on the CPU: equal up to kernel summation order.
        self.assertEqual(embeds.shape, (1, self.source["image_tokens"], fx.decoder_config().hidden_size))
        self.assertLess(np.abs(embeds - expected_embeds.numpy()).max(), 1e-5)

        responses = self.ask({"text_input": QUESTION, "image_embeds": embeds, "max_tokens": np.array([10], np.int32)})
        engine = self.model.engine
        tokenizer = engine.tokenizer
        before = tokenizer.encode(facts.USER_PREFIX, bos=True)
        after = tokenizer.encode("what is in this photo" + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX)
        with torch.inference_mode():
            spliced = torch.cat([engine.model.embed(torch.tensor(before)), torch.from_numpy(embeds[0]),
                                 engine.model.embed(torch.tensor(after))]).unsqueeze(0)
            ids = fx.reference_greedy(engine.model, spliced, 10, engine.stop_ids)
        stopped = ids[-1] in engine.stop_ids
        final = responses[-1]
        self.assertGreaterEqual(len(responses), 2, "at least one streamed delta before the final response")
        self.assertEqual("".join(text_of(r) for r in responses), tokenizer.decode(ids[:-1] if stopped else ids))
        self.assertEqual(text_of(final, "finish_reason"), "stop" if stopped else "length")
        self.assertEqual(pb_utils.get_output_tensor_by_name(final, "prompt_tokens").as_numpy().tolist(),
                         [len(before) + self.source["image_tokens"] + len(after)])
        self.assertEqual(pb_utils.get_output_tensor_by_name(final, "completion_tokens").as_numpy().tolist(), [len(ids)])


class ConversionRefusalTests(unittest.TestCase):
    def test_missing_shard_and_not_a_checkpoint(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            fx.write_checkpoint(root / "ckpt", fx.train_tokenizer(root))
            (root / "ckpt" / "pytorch_model-00002-of-00003.bin").unlink()
            with self.assertRaisesRegex(CheckpointError, "shards named in pytorch_model.bin.index.json are missing"):
                convert_quietly(root / "ckpt", root / "out")
            self.assertEqual(convert.main([str(root / "nothing"), str(root / "out")]), 2)

    def test_checkpoint_without_vision_tensors_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            fx.write_checkpoint(root / "ckpt", fx.train_tokenizer(root))
            index_file = root / "ckpt" / "pytorch_model.bin.index.json"
            index = json.loads(index_file.read_text())
            for shard in sorted(set(index["weight_map"].values())):
                state = torch.load(root / "ckpt" / shard)
                torch.save({k: v for k, v in state.items() if k.startswith("internlm_model.")}, root / "ckpt" / shard)
            index["weight_map"] = {k: v for k, v in index["weight_map"].items() if k.startswith("internlm_model.")}
            index_file.write_text(json.dumps(index))
            with self.assertRaisesRegex(CheckpointError, "no vision tensors"):
                convert_quietly(root / "ckpt", root / "out")

    def test_gptq_checkpoint_is_kept_packed_for_vllm(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            fx.write_checkpoint(root / "ckpt", fx.train_tokenizer(root))
            (root / "ckpt" / "quantize_config.json").write_text('{"bits": 4, "group_size": 128}')
            _, log = convert_quietly(root / "ckpt", root / "out")
            self.assertIn("GPTQ 4-bit", log)
            self.assertIn('string_value: "vllm"', (root / "out" / "llm" / "config.pbtxt").read_text())
            self.assertTrue((root / "out" / "llm" / "1" / "decoder" / "quantize_config.json").is_file())


if __name__ == "__main__":
    unittest.main()
