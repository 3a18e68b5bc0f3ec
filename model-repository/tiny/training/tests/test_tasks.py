import itertools
import unittest

import numpy as np

import scenes
import tasks
from data import Stage1Data, Stage2Data, build_sequence
from hparams import MODEL
from tests.test_tokenizer import committed_tokenizer

EVERY_TASK = sorted(tasks.TASKS) + sorted(tasks.TRAINING_ONLY)


class TaskShapeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = committed_tokenizer()

    def samples(self):
        rng = np.random.default_rng(11)
        for task, lang in itertools.product(EVERY_TASK, ("en", "zh")):
            for _ in range(3):
                yield task, lang, tasks.sample(rng, task, lang)

    def test_every_sample_is_a_conversation_that_ends_with_its_answer(self):
        for task, lang, (segs, scene_list, meta) in self.samples():
            with self.subTest(task=task, lang=lang):
                self.assertEqual((meta["task"], meta["lang"]), (task, lang))
                self.assertTrue(all(isinstance(t, str) and isinstance(target, bool) for t, target in segs))
                text, is_target = segs[-1]
                self.assertTrue(is_target)
                self.assertTrue(text.endswith(tasks.STOP))
                self.assertEqual(text, meta["answer"] + tasks.STOP if task != "slot_caption"
                                 else meta["answer"] + '"' + tasks.STOP)
                prompt = "".join(t for t, _ in segs)
                self.assertEqual(prompt.count(tasks.IMG), len(scene_list))
                self.assertTrue(all(isinstance(s, scenes.Scene) for s in scene_list))

    def test_sequences_expand_each_image_and_label_only_the_targets(self):
        for task, lang, (segs, scene_list, _) in self.samples():
            with self.subTest(task=task, lang=lang):
                ids, labels = build_sequence(self.tok, segs)
                self.assertEqual(len(ids), len(labels))
                self.assertEqual(ids[0], self.tok.bos_id)
                self.assertEqual(ids.count(self.tok.img_id), MODEL.image_tokens * len(scene_list))
                self.assertNotIn(self.tok.index[tasks.IMG], ids)
                targets = [i for i, label in zip(ids, labels) if label != -100]
                self.assertEqual([label for label in labels if label != -100], targets)
                self.assertEqual(self.tok.decode(targets), "".join(t for t, target in segs if target))

    def test_stage2_batches_pad_one_task_and_carry_its_images(self):
        for task in ("caption", "multi_image", "text_only", "select"):
            with self.subTest(task=task):
                name, ids, labels, images = next(iter(Stage2Data(self.tok, 3, seed=5, weights={task: 1.0})))
                self.assertEqual(name, task)
                self.assertEqual(ids.shape, labels.shape)
                self.assertEqual(ids.shape[0], 3)
                self.assertLessEqual(ids.shape[1], MODEL.context)
                self.assertEqual(int((ids == self.tok.img_id).sum()), MODEL.image_tokens * images.shape[0])
                self.assertEqual(images.shape[1:], (scenes.IMAGE_SIZE, scenes.IMAGE_SIZE, 3))
                self.assertEqual(images.dtype, np.uint8)
                self.assertTrue(((labels == -100) | (labels == ids)).all())

    def test_stage1_batches_hold_images_captions_and_cell_labels(self):
        images, ids, mask, cells = next(iter(Stage1Data(self.tok, 4, seed=3)))
        self.assertEqual(images.shape, (4, scenes.IMAGE_SIZE, scenes.IMAGE_SIZE, 3))
        self.assertEqual(ids.shape, mask.shape)
        self.assertEqual(ids.shape[0], 4)
        self.assertLessEqual(ids.shape[1], MODEL.max_text_tokens)
        self.assertEqual(cells.shape, (4, 3, 9))
        self.assertTrue((ids[mask == 0] == self.tok.pad_id).all())


if __name__ == "__main__":
    unittest.main()
