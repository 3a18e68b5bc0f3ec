import json
import os
import tempfile
import unittest

import numpy as np

import export
import scenes
from tests import TINY_REPO

EVAL = os.path.join(TINY_REPO, "eval")


def png_bytes(pixels: np.ndarray) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scene.png")
        scenes.write_png(path, pixels)
        with open(path, "rb") as f:
            return f.read()


def committed(name: str) -> bytes:
    with open(os.path.join(EVAL, name), "rb") as f:
        return f.read()


class SceneDeterminismTests(unittest.TestCase):
    def test_the_same_seed_gives_the_same_scene_and_pixels(self):
        for seed in range(5):
            a = scenes.random_scene(np.random.default_rng(seed))
            b = scenes.random_scene(np.random.default_rng(seed))
            self.assertEqual(a, b)
            np.testing.assert_array_equal(scenes.render(a), scenes.render(b))

    def test_another_seed_gives_another_scene(self):
        a = scenes.random_scene(np.random.default_rng(1), n_objects=3)
        b = scenes.random_scene(np.random.default_rng(2), n_objects=3)
        self.assertNotEqual(a.caption("en"), b.caption("en"))
        self.assertFalse(np.array_equal(scenes.render(a), scenes.render(b)))

    def test_rendering_is_a_function_of_the_scene(self):
        scene = scenes.random_scene(np.random.default_rng(9), n_objects=2)
        first = scenes.render(scene)
        np.random.default_rng(0).random(100)  # other draws between renders change nothing
        self.assertEqual(first.shape, (scenes.IMAGE_SIZE, scenes.IMAGE_SIZE, 3))
        self.assertEqual(first.dtype, np.uint8)
        np.testing.assert_array_equal(scenes.render(scene), first)

    def test_cell_labels_mark_each_object_in_its_cell(self):
        scene = scenes.Scene([scenes.Obj("star", "blue", "large", 4)], (230, 230, 230), 5)
        shape, colour, size = scenes.cell_labels(scene)
        self.assertEqual(shape.tolist(), [0, 0, 0, 0, scenes.SHAPES.index("star") + 1, 0, 0, 0, 0])
        self.assertEqual(colour[4], scenes.COLOURS.index("blue") + 1)
        self.assertEqual(size[4], scenes.SIZES.index("large") + 1)
        self.assertEqual(scene.caption("en"), "A large blue star in the center.")
        self.assertEqual(scene.caption("zh"), "中间有一个大的蓝色星形。")


class CommittedEvaluationDataTests(unittest.TestCase):
    """The held-out set and the gallery are committed; their seeds must still produce them exactly."""

    def assert_same_records(self, jsonl, records, png_every):
        with open(os.path.join(EVAL, jsonl), encoding="utf-8") as f:
            lines = f.read().splitlines()
        produced = list(records)
        self.assertEqual(len(produced), len(lines))
        for n, ((record, scene_list), line) in enumerate(zip(produced, lines)):
            self.assertEqual(json.dumps(record, ensure_ascii=False), line)
            if n % png_every == 0:
                names = record["images"] if "images" in record else [record["image"]]
                for name, scene in zip(names, scene_list, strict=True):
                    self.assertEqual(png_bytes(scenes.render(scene)), committed(name), name)

    def test_heldout_records_and_images_match_the_committed_ones(self):
        self.assert_same_records("heldout.jsonl", export.heldout_records(), png_every=40)

    def test_gallery_records_and_images_match_the_committed_ones(self):
        self.assert_same_records("gallery.jsonl", ((r, [s]) for r, s in export.gallery_records()), png_every=25)


if __name__ == "__main__":
    unittest.main()
