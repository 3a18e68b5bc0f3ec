import json
import os
import unittest

import numpy as np

import robust
import tasks
from data import Stage2Data, build_sequence
from hparams import MODEL
from tests import TINY_REPO
from tests.test_tokenizer import committed_tokenizer

SLICES = os.path.join(TINY_REPO, "eval", "benchmarks", "slices.jsonl")


def prompt_of(segs):
    return "".join(t for t, target in segs if not target)


def answer_of(segs):
    return segs[-1][0][:-len(tasks.STOP)]


class RobustTaskTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = committed_tokenizer()

    def draws(self, task, lang, n=40, seed=5):
        rng = np.random.default_rng(seed)
        return [robust.sample(rng, task, lang) for _ in range(n)]

    def test_every_robust_task_gives_conversations_that_fit_the_context(self):
        for task in robust.ROBUST:
            for lang in ("en", "zh"):
                for segs, images, meta in self.draws(task, lang, 20):
                    with self.subTest(task=task, lang=lang):
                        self.assertEqual((meta["task"], meta["lang"]), (task, lang))
                        self.assertTrue(segs[-1][1])
                        self.assertTrue(segs[-1][0].endswith(tasks.STOP))
                        self.assertEqual(prompt_of(segs).count(tasks.IMG), len(images))
                        ids, labels = build_sequence(self.tok, segs)
                        self.assertEqual(ids.count(self.tok.img_id), MODEL.image_tokens * len(images))
                        self.assertLessEqual(len(ids), MODEL.context)
                        targets = [i for i, label in zip(ids, labels) if label != -100]
                        self.assertEqual(self.tok.decode(targets), "".join(t for t, target in segs if target))

    def test_draws_are_deterministic_per_seed(self):
        for task in robust.ROBUST:
            a = [(s, [x.caption("en") for x in im]) for s, im, _ in self.draws(task, "en", 10, seed=9)]
            b = [(s, [x.caption("en") for x in im]) for s, im, _ in self.draws(task, "en", 10, seed=9)]
            c = [(s, [x.caption("en") for x in im]) for s, im, _ in self.draws(task, "en", 10, seed=10)]
            self.assertEqual(a, b, task)
            self.assertNotEqual(a, c, task)

    def test_no_image_answer_is_in_the_questions_language_and_has_no_image(self):
        for lang in ("en", "zh"):
            for segs, images, meta in self.draws("no_image", lang, 60):
                self.assertEqual(images, [])
                self.assertNotIn(tasks.IMG, prompt_of(segs))
                answer = answer_of(segs)
                self.assertEqual(answer, robust.NO_IMAGE[lang])
                self.assertEqual(tasks.has_cjk(answer), lang == "zh")
                question = prompt_of(segs).split(tasks.TEMPLATE["user_prefix"])[1]
                self.assertEqual(tasks.has_cjk(question), lang == "zh", question)
        self.assertRegex(robust.NO_IMAGE["en"], "(?i)no image")
        self.assertIn("没有图片", robust.NO_IMAGE["zh"])

    def test_system_text_comes_first_as_the_services_render_it(self):
        segs = tasks.single_turn(tasks.IMG + "What colour is the star?", "Red.")
        self.assertEqual(prompt_of(robust.with_system(segs, "Be brief.")),
                         "Be brief. <|User|>:<ImageHere>What colour is the star?\n<eoh> <|Bot|>:")
        self.assertEqual(robust.with_system(segs, ""), segs)
        systems = [prompt_of(s).split(tasks.TEMPLATE["user_prefix"])[0] for s, _, _ in self.draws("robust", "en", 80)]
        self.assertGreater(sum(bool(s) for s in systems), 20)
        self.assertLess(sum(bool(s) for s in systems), 75)

    def test_training_system_prompts_are_not_the_held_out_ones(self):
        with open(SLICES, encoding="utf-8") as f:
            held_out = {r["system"] for r in map(json.loads, f) if r.get("system")}
        self.assertTrue(held_out)
        self.assertEqual(held_out & set(robust.SYSTEM_PROMPTS), set())

    def test_rephrasing_keeps_leading_images_and_lettered_option_lines(self):
        rng = np.random.default_rng(3)
        text = tasks.IMG * 3 + "The images are A, B and C in order. Which image shows a red star?"
        for _ in range(100):
            varied = robust.vary_question(rng, text, "en", lettered=True)
            self.assertTrue(varied.startswith(tasks.IMG * 3), varied)
            self.assertEqual(varied.count(tasks.IMG), 3)
        content = "Question: What colour is the star?\nOptions:\nA. red\nB. blue\nAnswer with the option's letter."
        for _ in range(100):
            varied = robust.vary_question(rng, tasks.IMG + content, "en", lettered=True)
            self.assertIn("\nA. red\nB. blue\n", varied.replace("  ", " "))
        us = {robust.vary_question(rng, "What colour is the star?", "en", lettered=False) for _ in range(200)}
        self.assertTrue(any("color" in v for v in us))
        self.assertTrue(any(v != v.strip() for v in us))

    def test_multi_object_questions_have_two_or_three_shapes_and_true_answers(self):
        for lang in ("en", "zh"):
            for segs, images, _ in self.draws("vqa_multi", lang, 60):
                (scene,) = images
                self.assertIn(len(scene.objects), (2, 3))
        # the binding question's answer is the scene's truth, and swapped pairs occur
        rng = np.random.default_rng(4)
        swaps = 0
        for _ in range(200):
            scene = robust.random_scene(rng, n_objects=3)
            q, a = robust.binding_question(rng, scene, "en")
            words = q.rstrip("?").split()
            colour, shape = words[-2], words[-1]
            present = any(o.colour == colour and o.shape == shape for o in scene.objects)
            self.assertEqual(a, "Yes." if present else "No.")
            swaps += (not present and any(o.colour == colour for o in scene.objects)
                      and any(o.shape == shape for o in scene.objects))
        self.assertGreater(swaps, 40)

    def test_hard_choice_letter_names_the_true_option(self):
        for segs, images, meta in self.draws("choice_hard", "en", 60):
            letter = answer_of(segs)[0]
            lines = dict(line.split(". ", 1) for line in prompt_of(segs).split("\n") if line[:2] in
                         ("A.", "B.", "C.", "D."))
            truth = images[0]
            value = lines[letter]
            if meta["kind"] == "colour":
                self.assertIn(value, {o.colour for o in truth.objects})
            else:
                self.assertEqual(meta["kind"], "position")
                self.assertIn(value, {tasks.POSITIONS[o.cell] for o in truth.objects})

    def test_images_first_multi_image_puts_every_image_before_the_text(self):
        for lang in ("en", "zh"):
            for segs, images, _ in self.draws("multi_image_first", lang, 30):
                content = prompt_of(segs).split(tasks.TEMPLATE["user_prefix"])[1]
                self.assertTrue(content.startswith(tasks.IMG * len(images)))
                self.assertEqual(content.count(tasks.IMG), len(images))

    def test_finetune_mixture_covers_every_task_and_streams_batches(self):
        self.assertLessEqual(set(robust.ROBUST) | set(tasks.TASKS), set(robust.FINETUNE_WEIGHTS))
        name, ids, labels, images = next(iter(Stage2Data(self.tok, 3, seed=5, weights={"robust": 1.0})))
        self.assertEqual(name, "robust")
        self.assertEqual(ids.shape, labels.shape)

    def test_held_out_stream_is_unchanged_by_the_robust_tasks(self):
        self.assertEqual(set(robust.ROBUST) & (set(tasks.TASKS) | set(tasks.TRAINING_ONLY)), set())


if __name__ == "__main__":
    unittest.main()
