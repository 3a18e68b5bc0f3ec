"""Minimal stand-in of Triton's ``triton_python_backend_utils`` for driving model.py files on CPU.

Only the API the repository's model.py files use is here, with the real names and call shapes (python_backend
README): Tensor, InferenceResponse, TritonError, get_input_tensor_by_name, get_output_tensor_by_name,
TRITONSERVER_RESPONSE_COMPLETE_FINAL, the decoupled response sender with is_cancelled, and
using_decoupled_model_transaction_policy. ``InferenceRequest`` here plays the *incoming* request Triton hands to
``execute`` (the real module's class of that name is for BLS calls); tests build it and read what the sender got.
Install it for a test with ``install()`` (puts it into sys.modules under the real module name).
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Optional

import numpy as np

TRITONSERVER_RESPONSE_COMPLETE_FINAL = 1


class TritonError(Exception):
    UNKNOWN = 0
    INTERNAL = 1
    NOT_FOUND = 2
    INVALID_ARG = 3
    UNAVAILABLE = 4
    UNSUPPORTED = 5
    ALREADY_EXISTS = 6
    CANCELLED = 7

    def __init__(self, message: str, code: int = INTERNAL) -> None:
        super().__init__(message)
        self._message = message
        self._code = code

    def message(self) -> str:
        return self._message

    def code(self) -> int:
        return self._code


class Tensor:
    def __init__(self, name: str, array: np.ndarray) -> None:
        if not isinstance(array, np.ndarray):
            raise TritonError(f"Tensor {name}: expected a numpy array, got {type(array).__name__}")
        self._name = name
        self._array = array

    def name(self) -> str:
        return self._name

    def as_numpy(self) -> np.ndarray:
        return self._array

    def is_cpu(self) -> bool:
        return True

    def to_dlpack(self) -> Any:
        import torch.utils.dlpack

        return torch.utils.dlpack.to_dlpack(torch.from_numpy(np.ascontiguousarray(self._array)))

    @staticmethod
    def from_dlpack(name: str, capsule: Any) -> "Tensor":
        import torch.utils.dlpack

        return Tensor(name, torch.utils.dlpack.from_dlpack(capsule).cpu().numpy())


class InferenceResponse:
    def __init__(
        self,
        output_tensors: Optional[list[Tensor]] = None,
        error: Optional[TritonError] = None,
        parameters: Optional[dict] = None,
    ) -> None:
        self._outputs = list(output_tensors or [])
        self._error = error
        self._parameters = dict(parameters or {})

    def output_tensors(self) -> list[Tensor]:
        return self._outputs

    def has_error(self) -> bool:
        return self._error is not None

    def error(self) -> Optional[TritonError]:
        return self._error

    def parameters(self) -> dict:
        return self._parameters


class ResponseSender:
    """Records what the model sends; ``cancel()`` plays the client cancelling the stream."""

    def __init__(self) -> None:
        self.sent: list[tuple[Optional[InferenceResponse], int]] = []
        self._cancelled = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self.on_send = None  # optional callback(response, flags), e.g. to cancel after the first delta

    def send(self, response: Optional[InferenceResponse] = None, flags: int = 0) -> None:
        with self._lock:
            if self._closed.is_set():
                raise TritonError("response sender already closed by a final flag")
            if response is None and flags != TRITONSERVER_RESPONSE_COMPLETE_FINAL:
                raise TritonError("a response is required unless the final flag is sent alone")
            self.sent.append((response, flags))
            if flags & TRITONSERVER_RESPONSE_COMPLETE_FINAL:
                self._closed.set()
        if self.on_send is not None:
            self.on_send(response, flags)

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def wait_closed(self, timeout: float) -> bool:
        return self._closed.wait(timeout)

    def responses(self) -> list[InferenceResponse]:
        return [r for r, _ in self.sent if r is not None]


class InferenceRequest:
    """The request Triton passes to ``execute`` (test construction: a list of Tensors and an id)."""

    def __init__(self, inputs: list[Tensor], request_id: str = "", sender: Optional[ResponseSender] = None) -> None:
        self._inputs = list(inputs)
        self._id = request_id
        self._sender = sender or ResponseSender()

    def inputs(self) -> list[Tensor]:
        return self._inputs

    def request_id(self) -> str:
        return self._id

    def get_response_sender(self) -> ResponseSender:
        return self._sender

    def is_cancelled(self) -> bool:
        return self._sender.is_cancelled()


def get_input_tensor_by_name(request: InferenceRequest, name: str) -> Optional[Tensor]:
    for tensor in request.inputs():
        if tensor.name() == name:
            return tensor
    return None


def get_output_tensor_by_name(response: InferenceResponse, name: str) -> Optional[Tensor]:
    for tensor in response.output_tensors():
        if tensor.name() == name:
            return tensor
    return None


def using_decoupled_model_transaction_policy(model_config: dict) -> bool:
    return bool(model_config.get("model_transaction_policy", {}).get("decoupled", False))


def install() -> None:
    """Make ``import triton_python_backend_utils`` resolve to this module."""
    sys.modules["triton_python_backend_utils"] = sys.modules[__name__]
