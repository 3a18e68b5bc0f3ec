"""Gallery embedders (Chinese-CLIP): tokenizer on English and Chinese, towers, conversion and the model.py files."""

from __future__ import annotations

import hashlib
import json
import pathlib
import tempfile
import unittest

import numpy as np
import torch

from tests.pb_stub import harness
from tests.pb_stub import triton_python_backend_utils as pb_utils
from xcomposer7b.clip import ClipConfig, ImageTower, TextTower, WordPieceTokenizer, encode_texts, load_tower
from xcomposer7b.clip import random_checkpoint, split_checkpoint, write_embedders
from xcomposer7b.clip_convert import image_embedder_config, text_embedder_config
from xcomposer7b.repo_files import entry_source

ROOT = pathlib.Path(__file__).resolve().parents[1]
VOCAB = ("[PAD] [UNK] [CLS] [SEP] [MASK] the cat ##s dog on a mat cafe red ##dish , . ! 猫 狗 在 上 的 红 色 。 ， ##猫").split()


def tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer(VOCAB)


def towers(seed: int = 0) -> tuple[ImageTower, TextTower]:
    config = ClipConfig.tiny(len(VOCAB))
    image, text = split_checkpoint(random_checkpoint(config, seed))
    return load_tower(ImageTower(config), image, "image").eval(), load_tower(TextTower(config), text, "text").eval()


class GoldenConstantsTests(unittest.TestCase):
    """cn_clip model_configs/ViT-B-16.json + RoBERTa-wwm-ext-base-chinese.json, utils.py tokenize/image_transform."""

    def test_base_sizes_and_preprocessing(self) -> None:
        base = ClipConfig.base()
        self.assertEqual((base.image_size, base.patch_size, base.vision_width, base.vision_layers), (224, 16, 768, 12))
        self.assertEqual(
            (base.vocab_size, base.text_hidden, base.text_layers, base.text_max_positions), (21128, 768, 12, 512)
        )
        self.assertEqual((base.projection_dim, base.max_text_tokens, base.text_eps), (512, 52, 1e-12))
        self.assertEqual(base.image_mean, (0.48145466, 0.4578275, 0.40821073))
        self.assertEqual(base.image_std, (0.26862954, 0.26130258, 0.27577711))

    def test_hf_config_fields_are_read(self) -> None:
        # The released config.json lists only some vision fields; the rest are transformers' defaults.
        read = ClipConfig.from_hf_config(
            {"projection_dim": 512, "text_config": {"vocab_size": 21128}, "vision_config": {"patch_size": 16}}
        )
        self.assertEqual(read, ClipConfig.base())
        with self.assertRaisesRegex(ValueError, "hidden_act"):
            ClipConfig.from_hf_config({"vision_config": {"hidden_act": "gelu"}})

    def test_checkpoint_names_are_transformers_chinese_clip(self) -> None:
        # Names as convert_chinese_clip_original_pytorch_to_hf.py assigns them (transformers repository).
        names = set(random_checkpoint(ClipConfig.tiny(len(VOCAB))))
        for name in (
            "vision_model.embeddings.patch_embedding.weight",
            "vision_model.embeddings.class_embedding",
            "vision_model.embeddings.position_embedding.weight",
            "vision_model.pre_layrnorm.weight",
            "vision_model.post_layernorm.bias",
            "vision_model.encoder.layers.1.self_attn.out_proj.weight",
            "vision_model.encoder.layers.0.mlp.fc1.bias",
            "vision_model.encoder.layers.0.layer_norm2.weight",
            "text_model.embeddings.token_type_embeddings.weight",
            "text_model.encoder.layer.1.attention.self.query.weight",
            "text_model.encoder.layer.0.output.LayerNorm.bias",
            "visual_projection.weight",
            "text_projection.weight",
            "logit_scale",
        ):
            self.assertIn(name, names)
        self.assertNotIn("visual_projection.bias", names)
        self.assertNotIn("vision_model.embeddings.patch_embedding.bias", names)


class TokenizerTests(unittest.TestCase):
    def pieces(self, text: str) -> list[str]:
        return [VOCAB[i] for i in tokenizer().encode(text, 64)]

    def test_english_is_lower_cased_split_on_punctuation_and_wordpieced(self) -> None:
        self.assertEqual(
            self.pieces("The CATS, on a mat!"),
            ["[CLS]", "the", "cat", "##s", ",", "on", "a", "mat", "!", "[SEP]"],
        )
        self.assertEqual(self.pieces("reddish Café"), ["[CLS]", "red", "##dish", "cafe", "[SEP]"])
        self.assertEqual(self.pieces("zebra cats"), ["[CLS]", "[UNK]", "cat", "##s", "[SEP]"])

    def test_chinese_characters_are_single_tokens(self) -> None:
        self.assertEqual(
            self.pieces("红色的猫在垫子上。"), ["[CLS]", "红", "色", "的", "猫", "在", "[UNK]", "[UNK]", "上", "。", "[SEP]"]
        )
        self.assertEqual(self.pieces("a猫\x00\tdog"), ["[CLS]", "a", "猫", "dog", "[SEP]"])

    def test_truncation_and_padding(self) -> None:
        self.assertEqual(len(tokenizer().encode("cat " * 30, 8)), 8)
        ids, mask = tokenizer().batch(["猫", "the red cat on a mat"], 52)
        self.assertEqual(ids.shape, mask.shape)
        self.assertEqual(mask.sum(dim=1).tolist(), [3, 8])
        self.assertEqual(ids[0, 3:].tolist(), [0] * 5)

    def test_vocabulary_needs_the_special_pieces(self) -> None:
        with self.assertRaisesRegex(ValueError, r"\[SEP\]"):
            WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "a"])


class TowerTests(unittest.TestCase):
    def setUp(self) -> None:
        torch.manual_seed(0)
        self.image, self.text = towers()

    def test_image_embeddings_are_unit_vectors_and_batch_consistent(self) -> None:
        pixels = torch.randn(3, 3, 32, 32)
        with torch.no_grad():
            batched = self.image(pixels)
            singles = torch.cat([self.image(pixels[i : i + 1]) for i in range(3)])
        self.assertEqual(tuple(batched.shape), (3, 16))
        torch.testing.assert_close(batched.norm(dim=-1), torch.ones(3))
        torch.testing.assert_close(batched, singles, rtol=1e-5, atol=1e-6)

    def test_padding_does_not_change_a_text_embedding(self) -> None:
        texts = ["猫", "the red cat on a mat", "红色的狗"]
        with torch.no_grad():
            batched = encode_texts(tokenizer(), self.text, texts)
            singles = torch.cat([encode_texts(tokenizer(), self.text, [t]) for t in texts])
        torch.testing.assert_close(batched.norm(dim=-1), torch.ones(3))
        torch.testing.assert_close(batched, singles, rtol=1e-5, atol=1e-5)
        self.assertLess(float(batched[0] @ batched[1]), 0.9999, "different texts, different embeddings")

    def test_stray_keys_are_refused(self) -> None:
        state = random_checkpoint(ClipConfig.tiny(len(VOCAB)))
        with self.assertRaisesRegex(ValueError, "unknown keys.*bert.pooler"):
            split_checkpoint({**state, "bert.pooler.dense.weight": torch.zeros(1)})
        image, text = split_checkpoint({**state, "text_model.pooler.dense.weight": torch.zeros(1)})
        with self.assertRaisesRegex(ValueError, "unexpected.*pooler"):
            load_tower(TextTower(ClipConfig.tiny(len(VOCAB))), text, "text")


class ConversionAndServingTests(unittest.TestCase):
    def setUp(self) -> None:
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.checkpoint = pathlib.Path(scratch.name) / "chinese-clip"
        self.repo = pathlib.Path(scratch.name) / "repo"
        self.checkpoint.mkdir()
        self.config = ClipConfig.tiny(len(VOCAB))
        hf_config = {
            "projection_dim": 16,
            "text_config": {
                "vocab_size": len(VOCAB),
                "hidden_size": 32,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
                "intermediate_size": 64,
                "max_position_embeddings": 64,
            },
            "vision_config": {
                "hidden_size": 32,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
                "intermediate_size": 64,
                "image_size": 32,
                "patch_size": 8,
            },
        }
        (self.checkpoint / "config.json").write_text(json.dumps(hf_config))
        (self.checkpoint / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
        torch.save(random_checkpoint(self.config, seed=5), self.checkpoint / "pytorch_model.bin")

    def convert(self) -> list[pathlib.Path]:
        return write_embedders(self.checkpoint, self.repo, lambda line: None, kind="KIND_CPU", max_text_tokens=16)

    def served(self, name: str):
        model = harness.load_model_module(self.repo / name).TritonPythonModel()
        model.initialize(harness.model_args(self.repo / name))
        return model

    def test_committed_files_are_what_the_converter_writes(self) -> None:
        self.assertEqual(
            (ROOT / "image_embedder" / "config.pbtxt").read_text(), image_embedder_config(ClipConfig.base())
        )
        self.assertEqual((ROOT / "text_embedder" / "config.pbtxt").read_text(), text_embedder_config(ClipConfig.base()))
        for name, cls in (("image_embedder", "ImageEmbedderModel"), ("text_embedder", "TextEmbedderModel")):
            self.assertEqual((ROOT / name / "1" / "model.py").read_text(), entry_source(name, cls))

    def test_conversion_is_idempotent_and_checks_the_vocabulary(self) -> None:
        files = self.convert()
        digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
        self.assertEqual([hashlib.sha256(p.read_bytes()).hexdigest() for p in self.convert()], digests)
        (self.checkpoint / "vocab.txt").write_text("\n".join(VOCAB[:-1]) + "\n", encoding="utf-8")
        with self.assertRaisesRegex(ValueError, "vocab_size"):
            self.convert()

    def test_text_embedder_model_py_embeds_english_and_chinese(self) -> None:
        self.convert()
        model = self.served("text_embedder")
        texts = [b"the red cat", "红色的猫".encode(), b"\xff dog"]
        requests = [
            pb_utils.InferenceRequest([pb_utils.Tensor("text", np.array([[texts[0]], [texts[1]]], dtype=object))]),
            pb_utils.InferenceRequest([pb_utils.Tensor("text", np.array([[texts[2]]], dtype=object))]),
            pb_utils.InferenceRequest([pb_utils.Tensor("text", np.array([b"no batch dim"], dtype=object))]),
        ]
        responses = model.execute(requests)
        got = np.concatenate([pb_utils.get_output_tensor_by_name(r, "embedding").as_numpy() for r in responses[:2]])
        _, tower = towers_from_repo(self.repo, self.config)
        with torch.no_grad():
            expected = encode_texts(tokenizer(), tower, [t.decode("utf-8", errors="replace") for t in texts]).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, rtol=1e-5)
        self.assertIn("expected shape [B, 1]", responses[2].error().message())

    def test_image_embedder_model_py_embeds_a_batch(self) -> None:
        self.convert()
        model = self.served("image_embedder")
        pixels = np.random.default_rng(1).standard_normal((2, 3, 32, 32)).astype(np.float32)
        [response] = model.execute([pb_utils.InferenceRequest([pb_utils.Tensor("pixel_values", pixels)])])
        got = pb_utils.get_output_tensor_by_name(response, "embedding").as_numpy()
        image, _ = towers_from_repo(self.repo, self.config)
        with torch.no_grad():
            np.testing.assert_allclose(got, image(torch.from_numpy(pixels)).numpy(), rtol=1e-5, atol=1e-6)
        self.assertEqual(got.shape, (2, 16))


def towers_from_repo(repo: pathlib.Path, config: ClipConfig) -> tuple[ImageTower, TextTower]:
    """The written fp16 weights, loaded back in fp32: what the served CPU instance computes with."""
    from xcomposer7b.repo_files import load_weights

    def tower(cls, name, weights):
        state = {
            k: v.float() if v.is_floating_point() else v for k, v in load_weights(repo / name / "1" / weights).items()
        }
        return load_tower(cls(config), state, name).eval()

    return tower(ImageTower, "image_embedder", "image_tower.pt"), tower(TextTower, "text_embedder", "text_tower.pt")


if __name__ == "__main__":
    unittest.main()
