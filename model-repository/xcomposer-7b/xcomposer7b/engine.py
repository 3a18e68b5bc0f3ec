"""The llm model's engines behind one small interface, and the torch reference engine.

An engine takes the prompt text with ``<ImageHere>`` placeholders plus one [Q, D] block of image embeddings per
placeholder and yields ``TextDelta``s, then one ``Finished``. ``TorchEngine`` runs ``internlm.InternLMForCausalLM``
with a KV cache: greedy, sampling (seeded) and beam search (the seed's composition steps use 5 beams). The vLLM
engine (vllm_engine.py) has the same interface.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Protocol, Sequence, Union

import torch
import torch.nn.functional as F

from xcomposer7b.internlm import InternLMForCausalLM, reorder_cache
from xcomposer7b.text_stream import TextStream
from xcomposer7b.tokenizer import Tokenizer


# The llm contract (inference-client LlmContract): a refused request's stream error starts with this prefix, unless it
# is a context-length error (its own prefix), so that clients answer 400 instead of 500.
INVALID_INPUT_PREFIX = "invalid input:"
CONTEXT_LENGTH_PREFIX = "context length exceeded:"
# The most beams a request may ask for (LlmContract.MAX_NUM_BEAMS; a 7B beam holds up to 1 GiB of KV cache).
MAX_NUM_BEAMS = 8
# Refusal of an engine without beam search (vLLM): the composition steps' beams need engine=torch.
BEAMS_UNSUPPORTED = "num_beams > 1 is not supported by this llm's engine (vLLM); serve it with engine=torch"


class EngineError(Exception):
    """A request the engine refuses; ``str()`` is the message clients see."""


class InvalidRequest(EngineError):
    def client_message(self) -> str:
        """The stream error text of the contract: the ``invalid input:`` prefix, as the CPU server sends it."""
        message = str(self)
        if message.startswith((INVALID_INPUT_PREFIX, CONTEXT_LENGTH_PREFIX)):
            return message
        return f"{INVALID_INPUT_PREFIX} {message}"


class ContextLengthExceeded(InvalidRequest):
    pass


@dataclass(frozen=True)
class SamplingParams:
    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    repetition_penalty: float = 1.0
    seed: Optional[int] = None
    stop_words: tuple[str, ...] = ()
    num_beams: int = 1
    length_penalty: float = 1.0

    def validate(self, max_num_beams: Optional[int] = MAX_NUM_BEAMS) -> None:
        """The rules of cpu-inference-server's GenerationInput/SamplingSettings/BeamSettings, with their messages.

        ``max_num_beams`` None drops the contract's beam cap (the engines decode any width; the cap is applied where
        requests come in, llm/1/model.py).
        """
        beam_cap = max_num_beams if max_num_beams is not None else math.inf
        beam_rule = "must be >= 1" if max_num_beams is None else f"must be between 1 and {max_num_beams}"
        checks = [
            (self.max_tokens >= 0, f"max_tokens must be >= 0, got {self.max_tokens}"),
            (0 <= self.temperature < math.inf, f"temperature must be >= 0, got {self.temperature}"),
            (0 < self.top_p <= 1, f"top_p must be in (0, 1], got {self.top_p}"),
            (self.top_k >= 0, f"top_k must be >= 0, got {self.top_k}"),
            (0 < self.repetition_penalty < math.inf, f"repetition_penalty must be > 0, got {self.repetition_penalty}"),
            (1 <= self.num_beams <= beam_cap, f"num_beams {beam_rule}, got {self.num_beams}"),
            (math.isfinite(self.length_penalty), f"length_penalty must be a finite number, got {self.length_penalty}"),
            (not (self.num_beams > 1 and self.temperature > 0),
             f"num_beams > 1 needs temperature 0 (beam sampling is not supported), got {self.temperature}"),
        ]
        for ok, message in checks:
            if not ok:
                raise InvalidRequest(message)


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Finished:
    reason: str  # stop | length | cancelled
    prompt_tokens: int
    completion_tokens: int
    text: str = ""  # a last delta, possibly empty


Event = Union[TextDelta, Finished]


class Engine(Protocol):
    context_length: int
    beam_search: bool  # False: requests with num_beams > 1 are refused before they are queued

    def generate(
        self,
        prompt: str,
        image_embeds: Optional[torch.Tensor],
        params: SamplingParams,
        is_cancelled: Callable[[], bool],
    ) -> Iterator[Event]: ...


@dataclass(frozen=True)
class PromptPart:
    """Either token ids or the index of an image block."""

    ids: tuple[int, ...] = ()
    image: Optional[int] = None


@dataclass
class PromptLayout:
    parts: list[PromptPart] = field(default_factory=list)
    image_tokens: int = 0

    @property
    def length(self) -> int:
        return sum(len(p.ids) if p.image is None else self.image_tokens for p in self.parts)


def layout_prompt(
    tokenizer: Tokenizer, prompt: str, placeholder: str, images: int, image_tokens: int
) -> PromptLayout:
    """The seed's splicing: split on the placeholder, BOS + first segment, later segments without BOS."""
    segments = prompt.split(placeholder)
    if len(segments) - 1 != images:
        raise InvalidRequest(
            f"prompt has {len(segments) - 1} {placeholder} placeholders but image_embeds has {images} images"
        )
    layout = PromptLayout(image_tokens=image_tokens)
    for index, segment in enumerate(segments):
        ids = tokenizer.encode(segment, bos=index == 0)
        if ids:
            layout.parts.append(PromptPart(ids=tuple(ids)))
        if index < images:
            layout.parts.append(PromptPart(image=index))
    return layout


def clip_max_tokens(prompt_tokens: int, requested: int, context_length: int) -> int:
    if prompt_tokens > context_length:
        raise ContextLengthExceeded(
            f"{CONTEXT_LENGTH_PREFIX} prompt has {prompt_tokens} tokens, context_length is {context_length}"
        )
    return min(requested, context_length - prompt_tokens)


def penalize(scores: torch.Tensor, generated: Sequence[int], penalty: float) -> torch.Tensor:
    """HF/CTRL repetition penalty over the generated ids: divide positive scores, multiply negative ones."""
    if penalty == 1.0 or not generated:
        return scores
    ids = torch.tensor(sorted(set(generated)), device=scores.device)
    picked = scores.index_select(-1, ids)
    scores = scores.clone()
    scores[..., ids] = torch.where(picked > 0, picked / penalty, picked * penalty)
    return scores


def pick_token(logits: torch.Tensor, generated: Sequence[int], params: SamplingParams, rng) -> int:
    """Next id from last-position logits [V]: greedy at temperature 0, else top-k / top-p sampling."""
    scores = penalize(logits.float(), generated, params.repetition_penalty)
    if params.temperature <= 0:
        return int(scores.argmax())
    scores = scores / params.temperature
    if 0 < params.top_k < scores.shape[-1]:
        kth = scores.topk(params.top_k).values[-1]
        scores = scores.masked_fill(scores < kth, float("-inf"))
    if params.top_p < 1.0:
        ordered, order = scores.sort(descending=True)
        cumulative = ordered.softmax(-1).cumsum(-1)
        drop = cumulative - ordered.softmax(-1) >= params.top_p  # keep the smallest set reaching top_p
        scores = scores.clone()
        scores[order[drop]] = float("-inf")
    probs = scores.softmax(-1)
    return int(torch.multinomial(probs, 1, generator=rng))


@dataclass
class _Beam:
    score: float
    tokens: list[int]


class TorchEngine:
    beam_search = True

    def __init__(
        self,
        model: InternLMForCausalLM,
        tokenizer: Tokenizer,
        *,
        stop_ids: Sequence[int],
        stop_strings: Sequence[str],
        context_length: int,
        image_placeholder: str,
        image_tokens: int,
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.stop_ids = frozenset(stop_ids)
        self.stop_strings = tuple(stop_strings)
        self.context_length = context_length
        self.placeholder = image_placeholder
        self.image_tokens = image_tokens
        weight = model.lm_head.weight
        self.device, self.dtype = weight.device, weight.dtype

    def embed_prompt(self, prompt: str, image_embeds: Optional[torch.Tensor]) -> torch.Tensor:
        """[1, T, D] input embeddings: token embeddings with each image's rows spliced at its placeholder."""
        images = 0 if image_embeds is None else image_embeds.shape[0]
        hidden = self.model.config.hidden_size
        if image_embeds is not None and tuple(image_embeds.shape[1:]) != (self.image_tokens, hidden):
            raise InvalidRequest(
                f"image_embeds must be [N, {self.image_tokens}, {hidden}], got {list(image_embeds.shape)}"
            )
        layout = layout_prompt(self.tokenizer, prompt, self.placeholder, images, self.image_tokens)
        pieces = []
        for part in layout.parts:
            if part.image is None:
                pieces.append(self.model.embed(torch.tensor(part.ids, device=self.device)))
            else:
                pieces.append(image_embeds[part.image].to(self.device, self.dtype))
        return torch.cat(pieces, dim=0).unsqueeze(0)

    def generate(
        self,
        prompt: str,
        image_embeds: Optional[torch.Tensor],
        params: SamplingParams,
        is_cancelled: Callable[[], bool] = lambda: False,
    ) -> Iterator[Event]:
        params.validate(max_num_beams=None)
        with torch.inference_mode():
            embeds = self.embed_prompt(prompt, image_embeds)
            prompt_tokens = embeds.shape[1]
            budget = clip_max_tokens(prompt_tokens, params.max_tokens, self.context_length)
            stream = TextStream(self.tokenizer.decode, self.stop_strings + tuple(params.stop_words))
            if params.num_beams > 1:
                yield from self._beam_search(embeds, budget, params, stream, is_cancelled)
            else:
                yield from self._sample(embeds, budget, params, stream, is_cancelled)

    def _sample(self, embeds, budget, params, stream, is_cancelled) -> Iterator[Event]:
        rng = torch.Generator(device=self.device)
        if params.seed is not None:
            rng.manual_seed(params.seed)
        else:
            rng.seed()
        generated: list[int] = []
        reason = "length"
        if budget > 0:
            logits, cache = self.model(embeds)
        for step in range(budget):
            if is_cancelled():
                reason = "cancelled"
                break
            token = pick_token(logits[0], generated, params, rng)
            generated.append(token)
            if token in self.stop_ids:
                reason = "stop"
                break
            delta = stream.push(generated)
            if delta:
                yield TextDelta(delta)
            if stream.stopped:
                reason = "stop"
                break
            if step + 1 < budget:
                logits, cache = self.model(self.model.embed(torch.tensor([[token]], device=self.device)), cache)
        tail = "" if reason == "cancelled" else stream.flush()
        yield Finished(reason, embeds.shape[1], len(generated), tail)

    def _beam_search(self, embeds, budget, params, stream, is_cancelled) -> Iterator[Event]:
        """HF-style beam search (early_stopping False): hypotheses end on a stop id, scored sum_logprob / len**lp."""
        width = params.num_beams
        done: list[tuple[float, list[int], str]] = []
        beams = [_Beam(0.0, [])]
        if budget > 0:
            logits, cache = self.model(embeds)
        for step in range(budget):
            if is_cancelled():
                yield Finished("cancelled", embeds.shape[1], len(beams[0].tokens))
                return
            logprobs = F.log_softmax(logits.float(), dim=-1)
            candidates = self._beam_candidates(beams, logprobs, params, 2 * width)
            survivors: list[tuple[int, _Beam]] = []
            for rank, (score, row, token) in enumerate(candidates):
                tokens = beams[row].tokens + [token]
                if token in self.stop_ids:
                    if rank < width:
                        done.append((score / max(len(tokens) - 1, 1) ** params.length_penalty, tokens, "stop"))
                elif len(survivors) < width:
                    survivors.append((row, _Beam(score, tokens)))
            done = sorted(done, key=lambda d: -d[0])[:width]
            beams = [beam for _, beam in survivors]
            if not beams:
                break
            best_live = max(b.score for b in beams) / len(beams[0].tokens) ** params.length_penalty
            if len(done) == width and done[-1][0] >= best_live:
                break
            if step + 1 == budget:
                break
            order = torch.tensor([row for row, _ in survivors], device=self.device)
            cache = reorder_cache(cache, order)
            last = torch.tensor([[b.tokens[-1]] for b in beams], device=self.device)
            logits, cache = self.model(self.model.embed(last), cache)
        for beam in beams:
            done.append((beam.score / max(len(beam.tokens), 1) ** params.length_penalty, beam.tokens, "length"))
        _, tokens, reason = max(done, key=lambda d: d[0]) if done else (0.0, [], "length")
        text_ids = tokens[:-1] if reason == "stop" else tokens
        delta = stream.push(text_ids)
        if stream.stopped:
            reason = "stop"
        yield Finished(reason, embeds.shape[1], len(tokens), delta + stream.flush())

    def _beam_candidates(self, beams, logprobs, params, count) -> list[tuple[float, int, int]]:
        rows = []
        for row, beam in enumerate(beams):
            # The seed's HF beam search applies the repetition penalty to the log-probabilities.
            rows.append(penalize(logprobs[row], beam.tokens, params.repetition_penalty) + beam.score)
        scores = torch.stack(rows).view(-1)
        top = scores.topk(min(count, scores.numel()))
        vocab = logprobs.shape[-1]
        return [(float(s), int(i) // vocab, int(i) % vocab) for s, i in zip(top.values, top.indices)]
