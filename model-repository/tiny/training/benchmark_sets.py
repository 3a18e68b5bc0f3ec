"""Synthetic evaluation sets in the layouts of public benchmarks, drawn from the tiny scene generator, so the
benchmark harness (model-evaluation, io.xcomposer.evaluation.benchmark.BenchmarkCli) can be run end to end on data
whose ground truth is known. Scenes come from their own seed (15), independent of training and of eval/heldout.jsonl.

Writes into OUT (default ../eval/benchmarks):
- mmbench_en.tsv, mmbench_zh.tsv   MMBench / MMBench-CN TSV: index, question, hint, A-D, answer, category,
                                   l2-category, image (base64 PNG)
- mme.tsv                          the flattened MME layout: index, image, question, answer (Yes/No), category
                                   (subtask), image_path; the second question of an image refers to the first row's
                                   index in its image column, as VLMEvalKit's TSVs do
- seed.json + SEED-Bench-image/        SEED-Bench JSON (question_type map, questions with choice_a-d, data_id)
- slices.jsonl                     robustness slices: the model's own phrasing with a system message, US spelling,
                                   no image, 1-3 shapes for position, images-first multi-image, lettered choice;
                                   then (issue 15, item 3) held-out phrasing variants, no image under a system
                                   message, yes/no binding with 2-3 shapes

Usage (Debian's python3 has numpy):
    /usr/bin/python3 benchmark_sets.py                       # the small committed copies
    /usr/bin/python3 benchmark_sets.py --scale 10 --out /tmp/benchmarks   # ten times larger, not committed
"""
import argparse
import base64
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenes import COLOURS, EN_POSITION_PHRASE, SHAPES, random_scene, render, write_png  # noqa: E402
from robust import binding_question  # noqa: E402
from tasks import (IMG, LETTERS, SPACE_VALUES, TEMPLATE, option_text, task_choice, task_multi_image,  # noqa: E402
                   task_vqa, vqa_question)

SEED = 15
MMBENCH_CATEGORIES = {
    "colour": ("attribute_recognition", "finegrained_perception (instance-level)"),
    "shape": ("shape_recognition", "finegrained_perception (instance-level)"),
    "position": ("object_localization", "finegrained_perception (instance-level)"),
    "count": ("object_counting", "coarse_perception"),
}
HINT = {"en": "The picture shows coloured shapes on a light background.", "zh": "图片上是浅色背景上的彩色图形。"}
SEED_DIMENSIONS = ["Scene Understanding", "Instance Identity", "Instance Attributes", "Instance Location",
                   "Instances Counting", "Spatial Relation", "Instance Interaction", "Visual Reasoning",
                   "Text Understanding"]
SEED_KIND_DIMENSION = {"shape": 2, "colour": 3, "position": 4, "count": 5}
SYSTEM_PROMPTS = [
    "You are a helpful assistant.",
    "",
    "You are an AI assistant. Answer the user's questions about images accurately and concisely, in the language "
    "the user writes in. If you are not sure, say so. Keep answers short unless asked for detail.",
    "你是一个乐于助人的助手。",
    "You are a vision-language assistant developed to help people. Be helpful, honest and harmless, and reply in "
    "the user's language, English or Chinese.",
]
NO_IMAGE = "(?i)no image|没有图片|没有图像"
# Held-out phrasing variants (slices added in issue 15, item 3): the families robust.py trains on (case, whitespace,
# punctuation, polite framing, US spelling) with frames that robust.py does not use.
HELDOUT_FRAMES = {"en": ["Can you help me with this: {q}", "I have a question. {q}", "{q} Thank you."],
                  "zh": ["请帮我看看：{q}", "{q}多谢！", "我想问一下，{q}"]}
PHRASINGS = ["frame", "lower", "whitespace", "punctuation", "frame"]


def png_base64(scene):
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        path = f.name
    try:
        write_png(path, render(scene))
        with open(path, "rb") as f:
            return base64.b64encode(f.read()).decode("ascii")
    finally:
        os.remove(path)


def grounded_question(rng, scene, lang, kind):
    """A question with an option space: (question, correct value, space)."""
    for _ in range(50):
        got, q, _, space, correct = vqa_question(rng, scene, lang, kind)
        if space is not None and got == kind:
            return q, correct, space
        scene = random_scene(rng)
    raise RuntimeError("no question of kind " + kind)


def options_for(rng, space, correct, lang, n):
    others = [v for v in SPACE_VALUES[space] if v != correct]
    values = [others[i] for i in rng.choice(len(others), size=n - 1, replace=False)] + [correct]
    values = [values[i] for i in rng.permutation(n)]
    return [option_text(space, v, lang) for v in values], LETTERS[values.index(correct)]


def mmbench_rows(rng, lang, n):
    kinds = list(MMBENCH_CATEGORIES)
    rows = []
    for index in range(n):
        kind = kinds[index % len(kinds)]
        scene = random_scene(rng)
        q, correct, space = grounded_question(rng, scene, lang, kind)
        n_options = 3 if rng.random() < 0.25 else 4
        options, letter = options_for(rng, space, correct, lang, n_options)
        category, l2 = MMBENCH_CATEGORIES[kind]
        hint = HINT[lang] if rng.random() < 0.2 else ""
        cells = options + [""] * (4 - n_options)
        rows.append([str(index), q, hint, *cells, letter, category, l2, png_base64(scene)])
    return rows


def write_tsv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            assert all("\t" not in c and "\n" not in c for c in row)
            f.write("\t".join(row) + "\n")


def mme_pair(rng, subtask):
    """(scene, yes question, no question) for one MME subtask, in the MME wording ("Please answer yes or no.")."""
    scene = random_scene(rng)
    objs = scene.objects
    unique = [o for o in objs if sum(p.shape == o.shape and p.colour == o.colour for p in objs) == 1]
    o = unique[rng.integers(len(unique))] if unique else objs[0]
    if subtask == "existence":
        present = {(p.colour, p.shape) for p in objs}
        absent = [(c, s) for c in COLOURS for s in SHAPES if (c, s) not in present]
        c, s = absent[rng.integers(len(absent))]
        yes, no = f"Is there a {o.colour} {o.shape} in the image?", f"Is there a {c} {s} in the image?"
    elif subtask == "count":
        wrong = [k for k in (1, 2, 3) if k != len(objs)]
        k = wrong[rng.integers(len(wrong))]
        yes, no = (f"Are there {len(objs)} shapes in the image?" if len(objs) > 1 else "Is there one shape in the image?",
                   f"Are there {k} shapes in the image?" if k > 1 else "Is there one shape in the image?")
    elif subtask == "position":
        other = [c for c in range(9) if c != o.cell][rng.integers(8)]
        yes = f"Is the {o.colour} {o.shape} {EN_POSITION_PHRASE[o.cell]}?"
        no = f"Is the {o.colour} {o.shape} {EN_POSITION_PHRASE[other]}?"
    else:
        same_shape = [p for p in objs if p.shape == o.shape]
        c = [x for x in COLOURS if x not in {p.colour for p in same_shape}][rng.integers(6 - len(same_shape))]
        where = EN_POSITION_PHRASE[o.cell]
        yes, no = f"Is the {o.shape} {where} {o.colour}?", f"Is the {o.shape} {where} {c}?"
    suffix = " Please answer yes or no."
    return scene, yes + suffix, no + suffix


def mme_rows(rng, per_subtask):
    rows = []
    for subtask in ("existence", "count", "position", "color"):
        for k in range(per_subtask):
            scene, yes, no = mme_pair(rng, subtask)
            first = len(rows)
            path = f"{subtask}/{k:04d}.png"
            rows.append([str(first), png_base64(scene), yes, "Yes", subtask, path])
            rows.append([str(first + 1), str(first), no, "No", subtask, path])
    return rows


def seed_set(rng, n, out):
    image_dir = os.path.join(out, "SEED-Bench-image")  # the published layout
    os.makedirs(image_dir, exist_ok=True)
    kinds = list(SEED_KIND_DIMENSION)
    questions = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        scene = random_scene(rng)
        q, correct, space = grounded_question(rng, scene, "en", kind)
        options, letter = options_for(rng, space, correct, "en", 4)
        name = f"{i:05d}.png"
        write_png(os.path.join(image_dir, name), render(scene))
        questions.append({"answer": letter, "choice_a": options[0], "choice_b": options[1], "choice_c": options[2],
                          "choice_d": options[3], "data_id": name, "data_type": "image", "question": q,
                          "question_id": f"{i:05d}", "question_type_id": SEED_KIND_DIMENSION[kind]})
    doc = {"question_type": {d: k + 1 for k, d in enumerate(SEED_DIMENSIONS)}, "questions": questions}
    with open(os.path.join(out, "seed.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)


def user_content(segs):
    """The user text of a single-turn sample, without the template and the image placeholders."""
    text = segs[0][0]
    start = text.index(TEMPLATE["user_prefix"]) + len(TEMPLATE["user_prefix"])
    return text[start:text.index(TEMPLATE["user_suffix"])].replace(IMG, "")


def slice_record(name, lang, question, scenes, answer, match, system=None):
    record = {"slice": name, "lang": lang, "question": question, "images": [png_base64(s) for s in scenes],
              "answer": answer, "match": match}
    if system is not None:
        record["system"] = system
    return record


def slices(rng, n):
    records = []
    for lang in ("en", "zh"):
        for _ in range(n):
            segs, scenes, meta = task_vqa(rng, lang)
            q = user_content(segs)
            records.append(slice_record("vqa", lang, q, scenes, meta["answer"], "exact"))
            system = SYSTEM_PROMPTS[rng.integers(len(SYSTEM_PROMPTS))]
            records.append(slice_record("vqa+system", lang, q, scenes, meta["answer"], "exact", system))
            segs, _, _ = task_vqa(rng, lang)
            records.append(slice_record("no-image", lang, user_content(segs), [], NO_IMAGE, "pattern"))
        for shapes in (1, 2, 3):
            for _ in range(n):
                scene = random_scene(rng, n_objects=shapes)
                kind, q, a, _, _ = vqa_question(rng, scene, lang, "position")
                while kind != "position":  # a scene with two identical shapes falls back to a colour question
                    scene = random_scene(rng, n_objects=shapes)
                    kind, q, a, _, _ = vqa_question(rng, scene, lang, "position")
                records.append(slice_record(f"position-{shapes}-shapes", lang, q, [scene], a, "exact"))
        for _ in range(n):
            segs, scenes, meta = task_multi_image(rng, lang)
            while "A." + IMG in segs[0][0]:
                segs, scenes, meta = task_multi_image(rng, lang)
            records.append(slice_record("multi-image-images-first", lang, user_content(segs), scenes,
                                        meta["answer"], "letter"))
            segs, scenes, meta = task_choice(rng, lang)
            records.append(slice_record("lettered-choice", lang, user_content(segs), scenes, meta["answer"], "letter"))
    for _ in range(n):
        scene = random_scene(rng)
        q, correct, _ = grounded_question(rng, scene, "en", "colour")
        a = correct[0].upper() + correct[1:] + "."
        records.append(slice_record("colour-uk", "en", q, [scene], a, "exact"))
        records.append(slice_record("color-us", "en", q.replace("colour", "color"), [scene], a, "exact"))
    for i, r in enumerate(records):
        r["index"] = i
    return records


def rephrase(rng, q, lang):
    """One held-out phrasing variant of a question: (variant name, text)."""
    variant = PHRASINGS[rng.integers(len(PHRASINGS))]
    if variant == "frame":
        frames = HELDOUT_FRAMES[lang]
        return variant, frames[rng.integers(len(frames))].format(q=q)
    if variant == "lower" and lang == "en":
        return variant, q.lower().replace("colour", "color")
    if variant == "punctuation":
        return variant, q.replace("?", "").replace("？", "?")
    return "whitespace", "  " + q.replace(" ", "  ") + " \n"


def robustness_slices(rng, n):
    """Slices added after slices() (their own seed, appended, so the earlier records stay as they were): phrasing
    variants next to the same questions as asked in training, no-image questions under a system message, and
    yes/no binding questions about two or three shapes."""
    records = []
    for lang in ("en", "zh"):
        for _ in range(n):
            segs, scenes, meta = task_vqa(rng, lang)
            q = user_content(segs)
            records.append(slice_record("vqa-2", lang, q, scenes, meta["answer"], "exact"))
            variant, varied = rephrase(rng, q, lang)
            records.append(dict(slice_record("vqa+phrasing", lang, varied, scenes, meta["answer"], "exact"),
                                variant=variant))
            segs, _, _ = task_vqa(rng, lang)
            system = SYSTEM_PROMPTS[rng.integers(len(SYSTEM_PROMPTS))]
            records.append(slice_record("no-image+system", lang, user_content(segs), [], NO_IMAGE, "pattern", system))
            scene = random_scene(rng, n_objects=int(rng.integers(2, 4)))
            q, a = binding_question(rng, scene, lang)
            records.append(slice_record("yes-no-binding", lang, q, [scene], a, "exact"))
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval",
                                                      "benchmarks"))
    parser.add_argument("--scale", type=int, default=1, help="multiplies every set's size")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    header = ["index", "question", "hint", "A", "B", "C", "D", "answer", "category", "l2-category", "image"]
    for k, lang in enumerate(("en", "zh")):
        rows = mmbench_rows(np.random.default_rng([SEED, 1, k]), lang, 240 * args.scale)
        write_tsv(os.path.join(args.out, f"mmbench_{lang}.tsv"), header, rows)
    write_tsv(os.path.join(args.out, "mme.tsv"), ["index", "image", "question", "answer", "category", "image_path"],
              mme_rows(np.random.default_rng([SEED, 2]), 36 * args.scale))
    seed_set(np.random.default_rng([SEED, 3]), 240 * args.scale, args.out)
    with open(os.path.join(args.out, "slices.jsonl"), "w", encoding="utf-8") as f:
        records = slices(np.random.default_rng([SEED, 4]), 20 * args.scale)
        for r in robustness_slices(np.random.default_rng([SEED, 5]), 20 * args.scale):
            records.append(dict(r, index=len(records)))
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
