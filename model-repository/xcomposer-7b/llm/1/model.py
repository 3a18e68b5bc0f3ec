"""Triton python backend (decoupled) for the llm contract of docs/model-contract.md, on InternLM-XComposer-7B.

Each request: the prompt with <ImageHere> placeholders + image_embeds [N,Q,D] → streamed ``text_output`` deltas,
then one final response with ``finish_reason``, ``prompt_tokens`` and ``completion_tokens`` (flag
TRITONSERVER_RESPONSE_COMPLETE_FINAL). Decoding stops when the client cancels (``is_cancelled`` of the response
sender). Requests run on worker threads so ``execute`` returns at once; the torch engine runs one at a time.
"""

import json
import pathlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import triton_python_backend_utils as pb_utils

_HERE = pathlib.Path(__file__).resolve().parent
if (_HERE / "xcomposer7b").is_dir():
    sys.path.insert(0, str(_HERE))

import torch  # noqa: E402

from xcomposer7b.engine import BEAMS_UNSUPPORTED, Finished, InvalidRequest, SamplingParams  # noqa: E402
from xcomposer7b.llm_runtime import LlmSettings, build_engine  # noqa: E402

_SCALARS = {
    "max_tokens": int,
    "temperature": float,
    "top_p": float,
    "top_k": int,
    "repetition_penalty": float,
    "seed": int,
    "num_beams": int,
    "length_penalty": float,
}

# Contract inputs this model declares but does not implement yet (NOT RUN here: no Triton, no GPU). vLLM has both
# natively (SamplingParams.presence_penalty/frequency_penalty/logprobs); until they are wired through the engines a
# request that sets them is refused with the contract's invalid-input prefix instead of being answered without them.
_UNIMPLEMENTED = ("presence_penalty", "frequency_penalty", "logprobs")


def _strings(tensor):
    values = tensor.as_numpy().reshape(-1)
    try:
        return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
    except UnicodeDecodeError as error:
        raise InvalidRequest(f"{tensor.name()} is not valid UTF-8: {error}") from None


def _bytes_tensor(name, text):
    return pb_utils.Tensor(name, np.array([text.encode("utf-8")], dtype=np.object_))


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        if not pb_utils.using_decoupled_model_transaction_policy(config):
            raise pb_utils.TritonError("the llm model must be decoupled (model_transaction_policy { decoupled: true })")
        parameters = {key: value["string_value"] for key, value in config.get("parameters", {}).items()}
        self.settings = LlmSettings.from_parameters(parameters)
        version_dir = pathlib.Path(args["model_repository"]) / args["model_version"]
        gpu = args.get("model_instance_kind") == "GPU" and torch.cuda.is_available()
        device = torch.device(f"cuda:{args.get('model_instance_device_id', '0')}" if gpu else "cpu")
        self.engine = build_engine(version_dir, self.settings, device)
        workers = getattr(self.engine, "max_concurrent", 1)
        self.workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm")
        self.stopping = threading.Event()

    def execute(self, requests):
        for request in requests:
            sender = request.get_response_sender()
            try:
                prompt, embeds, params = self._read(request)
            except InvalidRequest as error:
                self._fail(sender, error.client_message(), pb_utils.TritonError.INVALID_ARG)
                continue
            self.workers.submit(self._generate, sender, prompt, embeds, params)
        return None

    def finalize(self):
        self.stopping.set()
        self.workers.shutdown(wait=True)

    def _read(self, request):
        text = pb_utils.get_input_tensor_by_name(request, "text_input")
        if text is None:
            raise InvalidRequest("text_input is required")
        values = {}
        for name, kind in _SCALARS.items():
            tensor = pb_utils.get_input_tensor_by_name(request, name)
            if tensor is not None:
                values[name] = kind(tensor.as_numpy().reshape(-1)[0])
        for name in _UNIMPLEMENTED:
            tensor = pb_utils.get_input_tensor_by_name(request, name)
            if tensor is not None and (name == "logprobs" or float(tensor.as_numpy().reshape(-1)[0]) != 0):
                raise InvalidRequest(f"{name} is not supported by this llm yet")
        values.setdefault("max_tokens", self.settings.default_max_tokens)
        stop = pb_utils.get_input_tensor_by_name(request, "stop_words")
        if stop is not None:
            values["stop_words"] = tuple(_strings(stop))
        params = SamplingParams(**values)
        params.validate()  # with the contract's MAX_NUM_BEAMS
        if params.num_beams > 1 and not self.engine.beam_search:
            raise InvalidRequest(BEAMS_UNSUPPORTED)
        embeds = pb_utils.get_input_tensor_by_name(request, "image_embeds")
        if embeds is not None:
            embeds = torch.from_numpy(np.ascontiguousarray(embeds.as_numpy(), dtype=np.float32))
        return _strings(text)[0], embeds, params

    def _generate(self, sender, prompt, embeds, params):
        cancelled = lambda: sender.is_cancelled() or self.stopping.is_set()  # noqa: E731
        try:
            for event in self.engine.generate(prompt, embeds, params, cancelled):
                if isinstance(event, Finished):
                    sender.send(self._final(event), flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
                    return
                sender.send(pb_utils.InferenceResponse(output_tensors=[_bytes_tensor("text_output", event.text)]))
            self._fail(sender, "generation ended without a final response", pb_utils.TritonError.INTERNAL)
        except InvalidRequest as error:
            self._fail(sender, error.client_message(), pb_utils.TritonError.INVALID_ARG)
        except Exception as error:  # a failed generation must still close its stream
            self._fail(sender, f"generation failed: {error}", pb_utils.TritonError.INTERNAL)

    @staticmethod
    def _final(event):
        return pb_utils.InferenceResponse(
            output_tensors=[
                _bytes_tensor("text_output", event.text),
                _bytes_tensor("finish_reason", event.reason),
                pb_utils.Tensor("prompt_tokens", np.array([event.prompt_tokens], dtype=np.int32)),
                pb_utils.Tensor("completion_tokens", np.array([event.completion_tokens], dtype=np.int32)),
            ]
        )

    @staticmethod
    def _fail(sender, message, code):
        error = pb_utils.TritonError(message, code)
        sender.send(pb_utils.InferenceResponse(error=error), flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
