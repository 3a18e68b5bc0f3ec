import os
import unittest

from data import build_tokenizer
from tests import TINY_REPO
from tokenizer import Tokenizer


def committed_tokenizer() -> Tokenizer:
    with open(os.path.join(TINY_REPO, "llm", "1", "tokenizer.json"), encoding="utf-8") as f:
        return Tokenizer.from_json(f.read())


class TokenizerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = committed_tokenizer()

    def assert_round_trip(self, text):
        self.assertEqual(self.tok.decode(self.tok.encode(text)), text)

    def byte_tokens(self, ids):
        return [i for i in ids if self.tok.byte_offset <= i < self.tok.byte_offset + 256]

    def test_english_round_trip_uses_whole_words(self):
        text = "A large red circle at the top left and a small blue star in the center."
        ids = self.tok.encode(text)
        self.assert_round_trip(text)
        self.assertEqual(self.byte_tokens(ids), [])
        self.assertEqual(ids[:3], [self.tok.index["A"], self.tok.index[" large"], self.tok.index[" red"]])

    def test_chinese_round_trip_is_one_token_per_character(self):
        text = "左上方有一个大的红色圆形，中间有一个小的蓝色星形。"
        ids = self.tok.encode(text)
        self.assert_round_trip(text)
        self.assertEqual(len(ids), len(text))
        self.assertEqual(self.byte_tokens(ids), [])

    def test_unknown_text_falls_back_to_utf8_bytes(self):
        text = "Zebras 🦓 naïve Ωmega 鲸"
        self.assert_round_trip(text)
        for piece in ("Zebras", "🦓", "Ω", "鲸"):
            self.assertNotIn(piece, self.tok.index)
            self.assertEqual(self.tok.encode(piece), [self.tok.byte_offset + b for b in piece.encode("utf-8")])

    def test_specials_are_single_tokens(self):
        text = " <|User|>:<ImageHere>Describe.\n<eoh> <|Bot|>:"
        ids = self.tok.encode(text)
        self.assert_round_trip(text)
        for special in ("<|User|>", "<ImageHere>", "<eoh>", "<|Bot|>"):
            self.assertIn(self.tok.index[special], ids)

    def test_json_round_trip_keeps_every_piece(self):
        again = Tokenizer.from_json(self.tok.to_json())
        self.assertEqual(again.pieces, self.tok.pieces)
        self.assertEqual(len(again), 611)

    def test_the_seeded_corpus_builds_the_committed_tokenizer(self):
        self.assertEqual(build_tokenizer().to_json(), self.tok.to_json())


if __name__ == "__main__":
    unittest.main()
