"""TorchEngine at the scaled-down config against straightforward references that recompute the whole sequence at
every step (no KV cache), plus streaming, stop strings, cancellation and the context limit."""

import math
import pathlib
import tempfile
import unittest

import torch

from tests import llm_fixtures as fx
from xcomposer7b import facts
from xcomposer7b.engine import ContextLengthExceeded, Finished, InvalidRequest, SamplingParams, TextDelta, TorchEngine
from xcomposer7b.tokenizer import Tokenizer

TEXT = facts.USER_PREFIX + "a cat sits on the mat" + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX
PROMPT = facts.USER_PREFIX + "<ImageHere>what is in this photo" + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX


def run(engine, params, prompt=PROMPT, images=None, is_cancelled=lambda: False):
    events = list(engine.generate(prompt, images, params, is_cancelled))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    finals = [e for e in events if isinstance(e, Finished)]
    assert len(finals) == 1 and isinstance(events[-1], Finished)
    return deltas, finals[0]


def full_logits(model, embeds):
    logits, _ = model(embeds)  # no cache: the whole sequence every time
    return logits[0].float()


def reference_greedy(engine, embeds, steps):
    return fx.reference_greedy(engine.model, embeds, steps, engine.stop_ids)


def reference_beam(engine, embeds, steps, width, length_penalty):
    """Plain-list beam search with the same rules as HF's (early_stopping False), recomputing every hypothesis."""
    live, done = [(0.0, [])], []
    for step in range(steps):
        candidates = []
        for score, tokens in live:
            seq = torch.cat([embeds, engine.model.embed(torch.tensor([tokens], dtype=torch.long))], dim=1) if tokens else embeds
            logprobs = torch.log_softmax(full_logits(engine.model, seq), -1)
            candidates += [(score + float(lp), tokens + [t]) for t, lp in enumerate(logprobs)]
        candidates.sort(key=lambda c: -c[0])
        next_live = []
        for rank, (score, tokens) in enumerate(candidates[: 2 * width]):
            if tokens[-1] in engine.stop_ids:
                if rank < width:
                    done.append((score / max(len(tokens) - 1, 1) ** length_penalty, tokens))
            elif len(next_live) < width:
                next_live.append((score, tokens))
        done = sorted(done, key=lambda d: -d[0])[:width]
        live = next_live
        if len(done) == width and done[-1][0] >= max(s for s, _ in live) / len(live[0][1]) ** length_penalty:
            break
        if step + 1 == steps:
            break
    done += [(s / len(t) ** length_penalty, t) for s, t in live]
    return max(done, key=lambda d: d[0])[1]


class TorchEngineTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.tokenizer = Tokenizer(fx.train_tokenizer(pathlib.Path(cls.tmp.name)))
        cls.config = fx.decoder_config()
        cls.model = fx.random_decoder(cls.config)
        cls.image = torch.randn(1, 6, cls.config.hidden_size)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def engine(self, stop_strings=(), stop_ids=None, context_length=256):
        tok = self.tokenizer
        ids = [tok.piece_id(facts.EOH_TOKEN), tok.piece_id(facts.EOA_TOKEN), tok.eos_id] if stop_ids is None else stop_ids
        return TorchEngine(self.model, tok, stop_ids=ids, stop_strings=stop_strings, context_length=context_length,
                           image_placeholder=facts.IMAGE_PLACEHOLDER, image_tokens=6)

    def test_prompt_splices_image_rows_at_the_placeholder(self):
        engine = self.engine()
        embeds = engine.embed_prompt(PROMPT, self.image)
        before = self.tokenizer.encode(facts.USER_PREFIX, bos=True)
        after = self.tokenizer.encode("what is in this photo" + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX)
        self.assertEqual(embeds.shape[1], len(before) + 6 + len(after))
        self.assertTrue(torch.equal(embeds[0, len(before) : len(before) + 6], self.image[0]))
        self.assertEqual(before[0], self.tokenizer.bos_id)
        self.assertIn(self.tokenizer.piece_id(facts.EOH_TOKEN), after)

    def test_greedy_equals_full_recompute(self):
        engine = self.engine()
        deltas, final = run(engine, SamplingParams(max_tokens=24), images=self.image)
        with torch.no_grad():
            expected = reference_greedy(engine, engine.embed_prompt(PROMPT, self.image), 24)
        text_ids = expected[:-1] if expected[-1] in engine.stop_ids else expected
        self.assertEqual("".join(deltas) + final.text, self.tokenizer.decode(text_ids))
        self.assertEqual(final.completion_tokens, len(expected))
        self.assertEqual(final.prompt_tokens, engine.embed_prompt(PROMPT, self.image).shape[1])
        self.assertEqual(final.reason, "stop" if expected[-1] in engine.stop_ids else "length")
        self.assertGreater(len(deltas), 1, "greedy output streams in several deltas")

    def test_beam_search_equals_full_recompute_reference(self):
        engine = self.engine()
        for width, penalty in ((3, 1.0), (5, 0.5)):
            with self.subTest(width=width, length_penalty=penalty):
                _, final = run(engine, SamplingParams(max_tokens=8, num_beams=width, length_penalty=penalty), images=self.image)
                with torch.no_grad():
                    expected = reference_beam(engine, engine.embed_prompt(PROMPT, self.image), 8, width, penalty)
                text_ids = expected[:-1] if expected[-1] in engine.stop_ids else expected
                self.assertEqual(final.text, self.tokenizer.decode(text_ids))
                self.assertEqual(final.completion_tokens, len(expected))

    def test_wide_beam_finds_the_most_likely_two_tokens(self):
        engine = self.engine(stop_ids=[])
        vocab = self.config.vocab_size
        params = SamplingParams(max_tokens=2, num_beams=vocab, length_penalty=0.0)
        with torch.no_grad():
            _, final = run(engine, params, prompt="a cat", images=None)
            embeds = engine.embed_prompt("a cat", None)
            first = torch.log_softmax(full_logits(engine.model, embeds), -1)
            rows = torch.cat([embeds.expand(vocab, -1, -1), engine.model.embed(torch.arange(vocab)[:, None])], dim=1)
            second = torch.log_softmax(engine.model(rows)[0].float(), -1)
            best = int((first[:, None] + second).view(-1).argmax())
        self.assertEqual(final.text, self.tokenizer.decode([best // vocab, best % vocab]))

    def test_seeded_sampling_repeats_and_differs_by_seed(self):
        engine = self.engine()
        outputs = {}
        for seed in (1, 1, 2):
            deltas, _ = run(engine, SamplingParams(max_tokens=16, temperature=1.5, top_k=50, top_p=0.95, seed=seed), prompt=TEXT)
            outputs.setdefault(seed, []).append("".join(deltas))
        self.assertEqual(outputs[1][0], outputs[1][1])
        self.assertNotEqual(outputs[1][0], outputs[2][0])

    def test_stop_string_is_cut_and_deltas_match(self):
        plain, _ = run(self.engine(stop_ids=[]), SamplingParams(max_tokens=30), prompt=TEXT)
        text = "".join(plain)
        stop = text[len(text) // 2 : len(text) // 2 + 3]
        self.assertEqual(len(stop), 3)
        deltas, final = run(self.engine(stop_strings=(stop,), stop_ids=[]), SamplingParams(max_tokens=30), prompt=TEXT)
        self.assertEqual("".join(deltas) + final.text, text[: text.index(stop)])
        self.assertEqual(final.reason, "stop")

    def test_cancellation_stops_decoding(self):
        engine = self.engine(stop_ids=[])
        forwards = []
        hook = engine.model.lm_head.register_forward_hook(lambda *_: forwards.append(1))
        checks = []
        try:
            _, final = run(engine, SamplingParams(max_tokens=50), prompt=TEXT, is_cancelled=lambda: checks.append(1) or len(checks) > 3)
        finally:
            hook.remove()
        self.assertEqual(final.reason, "cancelled")
        self.assertEqual(final.completion_tokens, 3)
        self.assertLessEqual(len(forwards), 4)

    def test_context_length(self):
        engine = self.engine(context_length=20)
        with self.assertRaisesRegex(ContextLengthExceeded, r"^context length exceeded: prompt has \d+ tokens"):
            run(engine, SamplingParams(max_tokens=5), images=self.image)
        short = self.engine(stop_ids=[], context_length=engine.embed_prompt("a cat", None).shape[1] + 4)
        _, final = run(short, SamplingParams(max_tokens=50), prompt="a cat")
        self.assertEqual((final.reason, final.completion_tokens), ("length", 4))

    def test_placeholder_count_must_match_images(self):
        with self.assertRaisesRegex(InvalidRequest, "1 <ImageHere> placeholders but image_embeds has 0"):
            run(self.engine(), SamplingParams(max_tokens=2), images=None)


if __name__ == "__main__":
    unittest.main()
