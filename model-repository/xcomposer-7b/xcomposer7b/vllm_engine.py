"""vLLM engine for the llm model: AsyncLLMEngine fed with prompt embeddings (continuous batching, paged KV cache).

NOT RUN in this project: no build machine has vLLM or a GPU. Written against vLLM's documented prompt-embeds input
(``enable_prompt_embeds=True``, prompt ``{"prompt_embeds": Tensor[T, D]}``) and ``AsyncLLMEngine.generate/abort``;
the merged decoder in ``llm/1/decoder`` loads as ``InternLMForCausalLM`` (vLLM's llama.py with ``bias``). The prompt
is spliced here exactly as by the torch engine (same ``layout_prompt``), with the decoder's own ``embed_tokens``.
Beam search is refused with the contract's ``invalid input:`` error (vLLM's sampler has none; a torch fallback would
need a second fp16 copy of the decoder next to vLLM's preallocated KV cache). Serve with engine=torch where the
composition steps' beams matter (README.md §3).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import pathlib
import queue
import threading
from typing import Callable, Iterator, Optional

import torch

from xcomposer7b.engine import (
    BEAMS_UNSUPPORTED,
    Event,
    Finished,
    InvalidRequest,
    SamplingParams,
    TextDelta,
    clip_max_tokens,
    layout_prompt,
)
from xcomposer7b.text_stream import TextStream
from xcomposer7b.tokenizer import Tokenizer

try:
    import vllm
except ImportError:  # the module still imports, so the torch path and tests work without vLLM
    vllm = None

_DONE = object()


class VllmEngine:
    max_concurrent = 64
    beam_search = False

    def __init__(self, decoder_dir: pathlib.Path, tokenizer: Tokenizer, settings, stop_ids: list[int]) -> None:
        if vllm is None:
            raise RuntimeError("engine=vllm but vllm is not importable in this Python environment")
        self.tokenizer, self.settings, self.stop_ids = tokenizer, settings, stop_ids
        self.context_length = settings.context_length
        self.embed_tokens = self._load_embeddings(decoder_dir)
        quantized = (decoder_dir / "quantize_config.json").is_file()
        args = vllm.AsyncEngineArgs(
            model=str(decoder_dir),
            enable_prompt_embeds=True,
            max_model_len=settings.context_length,
            dtype="float16",
            quantization="gptq" if quantized else None,
            skip_tokenizer_init=True,
            tensor_parallel_size=settings.tensor_parallel_size,
        )
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="vllm-loop", daemon=True).start()
        self.engine = vllm.AsyncLLMEngine.from_engine_args(args)
        self.ids = itertools.count()

    @staticmethod
    def _load_embeddings(decoder_dir: pathlib.Path) -> torch.Tensor:
        index = json.loads((decoder_dir / "pytorch_model.bin.index.json").read_text(encoding="utf-8"))
        shard = index["weight_map"]["model.embed_tokens.weight"]
        return torch.load(decoder_dir / shard, map_location="cpu")["model.embed_tokens.weight"]

    def _prompt_embeds(self, prompt: str, image_embeds: Optional[torch.Tensor]) -> torch.Tensor:
        images = 0 if image_embeds is None else image_embeds.shape[0]
        layout = layout_prompt(self.tokenizer, prompt, self.settings.image_placeholder, images, self.settings.image_tokens)
        rows = [self.embed_tokens[list(p.ids)] if p.image is None else image_embeds[p.image].to(self.embed_tokens.dtype)
                for p in layout.parts]
        return torch.cat(rows, dim=0)

    def generate(
        self, prompt: str, image_embeds: Optional[torch.Tensor], params: SamplingParams, is_cancelled: Callable[[], bool]
    ) -> Iterator[Event]:
        params.validate()
        if params.num_beams > 1:
            raise InvalidRequest(BEAMS_UNSUPPORTED)
        embeds = self._prompt_embeds(prompt, image_embeds)
        budget = clip_max_tokens(embeds.shape[0], params.max_tokens, self.context_length)
        if budget == 0:
            yield Finished("length", embeds.shape[0], 0)
            return
        sampling = vllm.SamplingParams(
            max_tokens=budget, temperature=params.temperature, top_p=params.top_p,
            top_k=params.top_k if params.top_k > 0 else -1, repetition_penalty=params.repetition_penalty,
            seed=params.seed, stop_token_ids=self.stop_ids, detokenize=False,
        )
        request_id = f"llm-{next(self.ids)}"
        outputs: queue.Queue = queue.Queue()

        async def pump() -> None:
            try:
                async for output in self.engine.generate({"prompt_embeds": embeds}, sampling, request_id):
                    outputs.put(output)
            except Exception as error:  # handed to the caller's thread
                outputs.put(error)
            finally:
                outputs.put(_DONE)

        asyncio.run_coroutine_threadsafe(pump(), self.loop)
        yield from self._stream(outputs, request_id, embeds.shape[0], params, is_cancelled)

    def _stream(self, outputs, request_id, prompt_tokens, params, is_cancelled) -> Iterator[Event]:
        stream = TextStream(self.tokenizer.decode, self.settings.stop_strings + tuple(params.stop_words))
        ids: list[int] = []
        reason = "length"
        while True:
            if is_cancelled():
                asyncio.run_coroutine_threadsafe(self.engine.abort(request_id), self.loop)
                yield Finished("cancelled", prompt_tokens, len(ids))
                return
            try:
                item = outputs.get(timeout=0.05)
            except queue.Empty:
                continue
            if item is _DONE:
                break
            if isinstance(item, Exception):
                raise item
            completion = item.outputs[0]
            ids = list(completion.token_ids)
            text_ids = ids[:-1] if ids and ids[-1] in self.stop_ids else ids
            delta = stream.push(text_ids)
            if delta:
                yield TextDelta(delta)
            if stream.stopped:
                asyncio.run_coroutine_threadsafe(self.engine.abort(request_id), self.loop)
                reason = "stop"
                break
            if completion.finish_reason is not None:
                reason = "stop" if completion.finish_reason == "stop" else "length"
        yield Finished(reason, prompt_tokens, len(ids), stream.flush())
