import os
import shutil
import tempfile
import unittest
import warnings

import numpy as np
import torch
from torch.nn.utils.fusion import fuse_conv_bn_weights

import export
import import_onnx
from hparams import MODEL, Sizes
from models import build_models
from tests import TINY_REPO
from tokenizer import Tokenizer
from weights import onnx_initializers, read_shards, save_weights, state_arrays

# A model with every part of the committed one (folded batch norms, tied head, relative-position bias, two-layer
# sampler queries) at a size that exports in seconds.
TINY = Sizes(image_queries=4, hidden=32, context=48, embed_dim=16, max_text_tokens=16, decoder_layers=2,
             decoder_heads=4, backbone_width=24, sampler_dim=16, sampler_blocks=1, text_dim=16, text_layers=1)


def random_tiny_models(vocab: int) -> dict[str, torch.nn.Module]:
    """Every parameter and batch-norm statistic drawn at random, so no two entries are equal by initialisation."""
    torch.manual_seed(7)
    m = build_models(vocab, TINY)
    with torch.no_grad():
        for mod in m.values():
            for p in mod.parameters():
                p.normal_(0, 0.2)
            for bn in (x for x in mod.modules() if isinstance(x, torch.nn.BatchNorm2d)):
                bn.running_mean.normal_(0, 0.2)
                bn.running_var.uniform_(0.5, 2.0)
    return m


class ExportImportRoundTripTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp()
        cls.tok = Tokenizer.build(["A large red circle at the top left.", "左上方有一个大的红色圆形。"])
        cls.models = random_tiny_models(len(cls.tok))
        trained, cls.repo, cls.imported = (os.path.join(cls.scratch, d) for d in ("trained", "repo", "imported"))
        save_weights(cls.models, trained)
        with open(os.path.join(trained, "tokenizer.json"), "w") as f:
            f.write(cls.tok.to_json())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch 1.13's exporter warns about prim::Constant shape inference
            export.run(trained, cls.repo, eval_data=False, sizes=TINY)
            # import recovers the weights and re-exports them: it raises unless every initializer comes back equal
            import_onnx.run(cls.repo, cls.imported, sizes=TINY)
        cls.original = state_arrays(cls.models)
        cls.recovered = read_shards(cls.imported)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch)

    def test_the_export_writes_every_graph_config_and_tokenizer(self):
        for rel in list(import_onnx.GRAPHS) + [f"{m}/config.pbtxt" for m in export.model_configs()] + [
                "llm/1/tokenizer.json", "text_embedder/1/tokenizer.json"]:
            self.assertTrue(os.path.isfile(os.path.join(self.repo, rel)), rel)
        self.assertEqual(export.read_config(os.path.join(self.repo, "llm", "config.pbtxt")).parameters[
            "image_tokens"].string_value, str(TINY.image_tokens))

    def test_unfolded_weights_come_back_bit_for_bit(self):
        keys = [k for k in self.original if not k.startswith(("backbone.", "cell_heads."))
                and not k.endswith("num_batches_tracked")]
        self.assertGreater(len(keys), 50)
        for key in keys:
            with self.subTest(key=key):
                np.testing.assert_array_equal(self.recovered[key], self.original[key])

    def test_backbone_comes_back_with_its_batch_norms_folded_into_the_convolutions(self):
        net = self.models["backbone"].net
        for i, block in enumerate(net):
            conv, norm = block[0], block[1]
            want_w, want_b = fuse_conv_bn_weights(conv.weight, conv.bias, norm.running_mean, norm.running_var,
                                                  norm.eps, norm.weight, norm.bias)
            with self.subTest(block=i):
                np.testing.assert_allclose(self.recovered[f"backbone.net.{i}.0.weight"], want_w.detach().numpy(),
                                           rtol=1e-6, atol=1e-7)
                np.testing.assert_allclose(self.recovered[f"backbone.net.{i}.1.bias"], want_b.detach().numpy(),
                                           rtol=1e-6, atol=1e-7)
                np.testing.assert_array_equal(self.recovered[f"backbone.net.{i}.1.weight"], 1.0)

    def test_recovered_backbone_computes_what_the_original_does(self):
        again = build_models(len(self.tok), TINY)
        import_onnx.load_into(again, {k: v for k, v in self.recovered.items() if not k.startswith("cell_heads.")})
        pixels = torch.randn(2, 3, 64, 64)
        with torch.no_grad():
            want = self.models["backbone"].eval()(pixels)
            got = again["backbone"].eval()(pixels)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-5)


class CommittedGraphsTests(unittest.TestCase):
    def test_the_committed_graphs_import_and_reexport_unchanged(self):
        with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import_onnx.run(TINY_REPO, out)  # raises unless the re-export equals every committed initializer
            recovered = read_shards(out)
        (embedding,) = onnx_initializers(os.path.join(TINY_REPO, "llm", "1", "embed.onnx")).values()
        np.testing.assert_array_equal(recovered["decoder.tok.weight"], embedding)
        self.assertEqual(recovered["decoder.tok.weight"].shape, (611, MODEL.hidden))


class TinyModelShapeTests(unittest.TestCase):
    def test_modules_produce_the_shapes_the_configs_publish(self):
        m = build_models(40, TINY)
        for mod in m.values():
            mod.eval()
        with torch.no_grad():
            grid = m["backbone"](torch.randn(3, 3, 64, 64))
            self.assertEqual(tuple(m["sampler"](grid).shape), (3, TINY.image_tokens, TINY.hidden))
            self.assertEqual(tuple(m["image_head"](grid).shape), (3, TINY.embed_dim))
            ids = torch.randint(0, 40, (3, 5))
            self.assertEqual(tuple(m["text_encoder"](ids, torch.ones_like(ids)).shape), (3, TINY.embed_dim))
            dec = m["decoder"]
            pk, pv = dec.empty_past(1, "cpu")
            logits, pk, pv = dec(dec.tok(torch.tensor([[1, 2, 3]])), pk, pv)
            logits, pk, pv = dec(dec.tok(torch.tensor([[4]])), pk, pv)
        self.assertEqual(tuple(logits.shape), (1, 40))
        head_dim = TINY.hidden // TINY.decoder_heads
        self.assertEqual(tuple(pk.shape), (TINY.decoder_layers, 1, TINY.decoder_heads, 4, head_dim))  # 3 + 1 positions


if __name__ == "__main__":
    unittest.main()


class EvalDataTests(unittest.TestCase):
    def test_writing_the_eval_data_keeps_the_benchmark_sets_and_replaces_its_own_files(self):
        with tempfile.TemporaryDirectory() as repo:
            benchmarks = os.path.join(repo, "eval", "benchmarks")
            os.makedirs(benchmarks)
            os.makedirs(os.path.join(repo, "eval", "images"))
            with open(os.path.join(benchmarks, "slices.jsonl"), "w") as f:
                f.write("{}\n")
            stale = os.path.join(repo, "eval", "images", "stale.png")
            with open(stale, "wb") as f:
                f.write(b"x")
            export.write_eval_data(repo, per_cell=1, write_per_cell=1, gallery_size=432)
            with open(os.path.join(benchmarks, "slices.jsonl")) as f:
                self.assertEqual(f.read(), "{}\n")
            self.assertFalse(os.path.exists(stale))
            with open(os.path.join(repo, "eval", "gallery.jsonl")) as f:
                self.assertEqual(sum(1 for _ in f), 432)
