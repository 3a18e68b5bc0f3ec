"""Training-only robustness tasks (issue 15): the prompts real clients send rather than the layouts the model was
first trained on. A system message before the first turn (generic assistant prompts, the seed's meta instruction,
long ones, Chinese ones, empty), phrasing variants of the user text (US spelling, synonyms, punctuation, case,
extra whitespace, polite framing), questions without an image answered "there is no image" in the question's
language, and the tasks measured weakest (position and yes/no binding with several shapes, lettered choice over
colours and positions, images-first multi-image).

None of these is in tasks.TASKS, so the held-out stream (eval/heldout.jsonl) is unchanged; the held-out robustness
slices (benchmark_sets.py) use system prompts and polite frames that do not occur here."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tasks
from scenes import random_scene
from tasks import IMG, LETTERS, TEMPLATE, Sample, Segments

# Training system prompts. The held-out slices draw from benchmark_sets.SYSTEM_PROMPTS, which share none of these.
SYSTEM_PROMPTS: list[str] = [
    "",
    "You are a helpful, respectful and honest assistant.",
    "You are ChatGPT, a large language model. Answer as concisely as possible.",
    "You are a friendly assistant. Think carefully and answer the user's question.",
    "Respond in the same language as the user. Use Markdown only when it helps.",
    "You are an expert image analyst. Look at the picture closely before you answer. Give precise, factual "
    "answers about the objects, their colours, shapes, sizes and positions. Do not make things up; if something "
    "cannot be seen, say so. Keep the answer to one short sentence unless the user asks for more.",
    # The seed's meta instruction (shared reference, production-path.md).
    "meta instruction\nYou are an AI assistant whose name is 浦语.\n- 浦语 is a conversational language model that is "
    "developed by Shanghai AI Laboratory (上海人工智能实验室). It is designed to be helpful, honest, and harmless.\n"
    "- 浦语 can understand and communicate fluently in the language chosen by the user such as English and 中文.\n"
    "conversation\n",
    "你是一个有用的人工智能助手，请用简洁、准确的语言回答用户的问题。",
    "你是一个视觉助手。请仔细观察图片，然后回答。",
    "System: be brief.\n",
    "Current date: 2026-12-04. You are a multimodal assistant that can see images.",
]
POLITE_EN: list[str] = ["Please tell me: {q}", "Could you tell me this? {q}", "Hi! {q}", "{q} Thanks!",
                        "Quick question. {q}", "{q} Please answer briefly.", "Hey, {q}"]
POLITE_ZH: list[str] = ["请问{q}", "{q}谢谢。", "麻烦告诉我：{q}", "你好，{q}", "{q}请简短回答。"]
SYNONYMS_EN: list[tuple[str, str]] = [
    ("What colour is the ", "What is the colour of the "), ("What colour is the ", "Which colour is the "),
    ("How many shapes are there?", "How many shapes are in the image?"),
    ("How many shapes are there?", "How many shapes can you see?"),
    ("Where is the ", "Where's the "), ("Where is the ", "Where can I find the "),
    ("Is there ", "Do you see "), ("What shape is ", "Which shape is "),
    ("Describe the image.", "Describe the picture."), ("Which image shows ", "Which picture shows "),
]
SYNONYMS_ZH: list[tuple[str, str]] = [("图中", "图片里"), ("图中", "这张图中"), ("在哪里？", "在什么位置？"),
                                      ("是什么颜色？", "是什么颜色的？"), ("描述这张图片。", "请描述一下这张图片。")]
NO_IMAGE: dict[str, str] = {"en": tasks.TEXT_QA["en"][5][1], "zh": tasks.TEXT_QA["zh"][5][1]}
# Tasks whose prompts the wrapper varies: the conversational ones a chat client reaches.
WRAPPED: list[str] = ["vqa", "caption", "choice", "multi_image", "multiturn", "text_only", "option_lookup"]


def with_system(segs: Segments, system: str) -> Segments:
    """The conversation with `system` before its first turn, as the services render a system message."""
    first, target = segs[0]
    assert first.startswith(TEMPLATE["system"] + TEMPLATE["user_prefix"])
    return [(system + first[len(TEMPLATE["system"]):], target)] + list(segs[1:])


def _protect(text: str, fn: Callable[[str], str]) -> str:
    """Applies `fn` to the text between image placeholders, leaving the placeholders intact."""
    return IMG.join(fn(part) for part in text.split(IMG))


def vary_question(rng: np.random.Generator, text: str, lang: str, lettered: bool) -> str:
    """One user text rephrased: synonyms, US spelling, punctuation, case, whitespace, polite framing (each drawn
    independently). Lettered prompts keep their option lines' case, since the letter is the answer. Leading images
    stay first, as the services place them."""
    n_head = 0
    while text.startswith(IMG * (n_head + 1)):
        n_head += 1
    head, text = IMG * n_head, text[len(IMG) * n_head:]
    if rng.random() < 0.5:
        pairs = SYNONYMS_ZH if lang == "zh" else SYNONYMS_EN
        usable = [p for p in pairs if p[0] in text]
        if usable:
            old, new = usable[rng.integers(len(usable))]
            text = text.replace(old, new, 1)
    if lang == "en" and rng.random() < 0.5:
        text = _protect(text, lambda s: s.replace("colour", "color"))
    r = rng.random()
    if r < 0.15:
        text = text.replace("?", "？") if lang == "en" else text.replace("？", "?")
    elif r < 0.3:
        text = text if lettered else text.replace("?", "").replace("？", "")
    elif r < 0.4:
        text = text.replace("?", "??").replace("？", "？？")
    if lang == "en" and not lettered:
        r = rng.random()
        if r < 0.2:
            text = _protect(text, str.lower)
        elif r < 0.3:
            text = _protect(text, str.upper)
    r = rng.random()
    if r < 0.15:
        text = "  " + text
    elif r < 0.3:
        text = text + " \n"
    elif r < 0.4:
        text = _protect(text, lambda s: s.replace(" ", "  "))
    if rng.random() < 0.3:
        frames = POLITE_ZH if lang == "zh" else POLITE_EN
        text = frames[rng.integers(len(frames))].format(q=text)
    return head + text


def vary_turns(rng: np.random.Generator, segs: Segments, lang: str, lettered: bool) -> Segments:
    """Rephrases the user text of every turn in the conversation."""
    out = []
    prefix, suffix = TEMPLATE["user_prefix"], TEMPLATE["user_suffix"]
    for text, target in segs:
        if not target and prefix in text and suffix in text:
            start = text.index(prefix) + len(prefix)
            end = text.index(suffix, start)
            text = text[:start] + vary_question(rng, text[start:end], lang, lettered) + text[end:]
        out.append((text, target))
    return out


def task_robust(rng: np.random.Generator, lang: str) -> Sample:
    """A conversational task's sample with a system message (60 %) and/or rephrased user text (60 %)."""
    task = WRAPPED[rng.integers(len(WRAPPED))]
    segs, images, meta = tasks.sample(rng, task, lang)
    if rng.random() < 0.6:
        segs = vary_turns(rng, segs, lang, task in ("choice", "multi_image", "option_lookup"))
    if rng.random() < 0.6:
        segs = with_system(segs, SYSTEM_PROMPTS[rng.integers(len(SYSTEM_PROMPTS))])
    return segs, images, dict(meta, base=task)


def task_no_image(rng: np.random.Generator, lang: str) -> Sample:
    """A question about an image that was not sent: the answer says so in the question's language."""
    if rng.random() < 0.2:
        q = tasks.CAPTION_QUESTIONS[lang][rng.integers(len(tasks.CAPTION_QUESTIONS[lang]))]
    else:
        _, q, _, _, _ = tasks.vqa_question(rng, random_scene(rng), lang)
    if rng.random() < 0.4:
        q = vary_question(rng, q, lang, lettered=False)
    segs = tasks.single_turn(q, NO_IMAGE[lang])
    if rng.random() < 0.4:
        segs = with_system(segs, SYSTEM_PROMPTS[rng.integers(len(SYSTEM_PROMPTS))])
    return segs, [], {"answer": NO_IMAGE[lang]}


def binding_question(rng: np.random.Generator, scene, lang: str) -> tuple[str, str]:
    """A yes/no question whose "no" case mixes the colour of one shape with the shape of another (the binding
    error measured on the held-out set), when the scene allows it."""
    objs = scene.objects
    present = {(o.colour, o.shape) for o in objs}
    swaps = [(a.colour, b.shape) for a in objs for b in objs if (a.colour, b.shape) not in present]
    if rng.random() < 0.5 or not swaps:
        o = objs[rng.integers(len(objs))]
        colour, shape = o.colour, o.shape
    else:
        colour, shape = swaps[rng.integers(len(swaps))]
    yes = (colour, shape) in present
    if lang == "zh":
        return f"图中有{tasks.ZH_COLOUR[colour]}{tasks.ZH_SHAPE[shape]}吗？", "有。" if yes else "没有。"
    return f"Is there {tasks.a_or_an(colour)} {colour} {shape}?", "Yes." if yes else "No."


def task_vqa_multi(rng: np.random.Generator, lang: str) -> Sample:
    """Position, colour-at-a-position and yes/no binding questions about scenes of two or three shapes."""
    scene = random_scene(rng, n_objects=int(rng.integers(2, 4)))
    r = rng.random()
    if r < 0.35:
        q, a = binding_question(rng, scene, lang)
    else:
        kind = "position" if r < 0.8 else "colour"
        _, q, a, _, _ = tasks.vqa_question(rng, scene, lang, kind)
    return tasks.single_turn(IMG + q, a), [scene], {"answer": a}


def task_choice_hard(rng: np.random.Generator, lang: str) -> Sample:
    """Lettered choice over colour and position options (the kinds at chance on the held-out set), often about
    scenes of several shapes."""
    scene = random_scene(rng, n_objects=int(rng.integers(1, 4)))
    for _ in range(20):
        kind, q, _, space, correct = tasks.vqa_question(rng, scene, lang, ["colour", "position"][rng.integers(2)])
        if space is not None:
            break
    others = [v for v in tasks.SPACE_VALUES[space] if v != correct]
    n = 4 if rng.random() < 0.8 else 3
    values = [others[i] for i in rng.choice(len(others), size=n - 1, replace=False)] + [correct]
    values = [values[i] for i in rng.permutation(n)]
    letter = LETTERS[values.index(correct)]
    lines = "\n".join(f"{LETTERS[i]}. {tasks.option_text(space, v, lang)}" for i, v in enumerate(values))
    if lang == "zh":
        content = f"问题：{q}\n选项：\n{lines}\n请直接回答选项字母。"
    else:
        content = f"Question: {q}\nOptions:\n{lines}\nAnswer with the option's letter."
    return tasks.single_turn(IMG + content, letter + "."), [scene], {"answer": letter + ".", "kind": kind}


def task_multi_image_first(rng: np.random.Generator, lang: str) -> Sample:
    """Multi-image choice with every image before the text ("The images are A, B and C in order. Which ...")."""
    while True:
        segs, images, meta = tasks.task_multi_image(rng, lang)
        if "A." + IMG not in segs[0][0]:
            return segs, images, meta


ROBUST: dict[str, Callable[[np.random.Generator, str], Sample]] = {
    "robust": task_robust,
    "no_image": task_no_image,
    "vqa_multi": task_vqa_multi,
    "choice_hard": task_choice_hard,
    "multi_image_first": task_multi_image_first,
}
# The fine-tune's mixture: the robustness tasks plus every original task as replay, so old skills are kept.
FINETUNE_WEIGHTS: dict[str, float] = {
    "robust": 0.24, "no_image": 0.06, "vqa_multi": 0.12, "choice_hard": 0.07, "multi_image_first": 0.07,
    "caption": 0.07, "vqa": 0.07, "choice": 0.04, "multi_image": 0.04, "multiturn": 0.04, "text_only": 0.02,
    "write": 0.03, "spot": 0.02, "slot_caption": 0.03, "select": 0.05, "option_lookup": 0.01,
    "choice_turns": 0.01, "multi_image_turns": 0.01,
}


def sample(rng: np.random.Generator, task: str, lang: str | None = None) -> Sample:
    """tasks.sample, extended by the robustness tasks."""
    if task not in ROBUST:
        return tasks.sample(rng, task, lang)
    lang = lang or ("en" if rng.random() < 0.5 else "zh")
    segs, images, meta = ROBUST[task](rng, lang)
    return segs, images, dict(meta, task=task, lang=lang)

