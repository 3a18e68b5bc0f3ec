"""Training and evaluation samples for every task the tiny model serves, in English and Chinese, with prompts
shaped like the seed's template (docs/model-contract.md, shared reference xcomposer.md sections 2-3).

A sample is a list of (text, is_target) segments plus the scenes whose images fill the <ImageHere> slots in
order. Prompts use exactly the templates that the llm config.pbtxt publishes, so services build the same
strings at serving time."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scenes import (COLOURS, EN_POSITION_PHRASE, POSITIONS, SHAPES, SIZES, ZH_COLOUR, ZH_POSITION,
                    ZH_SHAPE, ZH_SIZE, Obj, Scene, background_colour, random_scene)

IMG = "<ImageHere>"
TEMPLATE = {
    "system": "",
    "user_prefix": " <|User|>:",
    "user_suffix": "\n<eoh>",
    "assistant_prefix": " <|Bot|>:",
    "assistant_suffix": "<eoa>\n",
}
STOP = "<eoa>"
# Composition prompts: the seed's Chinese prompts (xcomposer.md section 3), used for articles in both languages.
COMPOSITION = {
    "write": "根据给定标题写一个图文并茂，不重复的文章：{title}",
    "spot": "给定文章\"{article}\" 根据上述文章，选择适合插入图像的{count}行 ",
    "spot_answer_prefix": "适合插入图像的行是",
    "caption": "给定文章\"{article}\" {previous}给出适合在<Seg{pos}>后插入的图像对应的标题。",
    "caption_previous": "现在<Seg{pos}>后插入图像对应的标题是\"{caption}\"，",
    "caption_answer_prefix": "标题是\"",
    "select": "根据给定上下文和候选图像，选择合适的配图：{context}\n\n候选图像包括: A.<ImageHere>\nB.<ImageHere>\nC.<ImageHere>\nD.<ImageHere>\n\n",
    "select_answer_prefix": "最合适的图是",
}
LETTERS = "ABCD"

Segments = list[tuple[str, bool]]  # (text, is_target) in order
Sample = tuple[Segments, list[Scene], dict]  # segments, the scenes of the <ImageHere> slots, metadata
Theme = tuple[str | None, str | None]  # (colour, shape), either may be None


def user_turn(content: str) -> str:
    return TEMPLATE["user_prefix"] + content + TEMPLATE["user_suffix"] + TEMPLATE["assistant_prefix"]


def single_turn(content: str, answer: str, answer_prefix: str = "") -> Segments:
    return [(TEMPLATE["system"] + user_turn(content) + answer_prefix, False), (answer + STOP, True)]


def cap(s: str) -> str:
    return s[0].upper() + s[1:]


def plural(shape: str) -> str:
    return shape + "s"


# ---------------------------------------------------------------- single-image questions
def vqa_question(rng: np.random.Generator, scene: Scene, lang: str,
                 kind: str | None = None) -> tuple[str, str, str, str | None, str | None]:
    """Returns (kind, question, answer, options-space, correct option) for one grounded question."""
    objs = scene.objects
    kinds = ["colour", "shape", "count", "position", "yesno", "size"]
    kind = kind or kinds[rng.integers(len(kinds))]
    by_shape = {s: [o for o in objs if o.shape == s] for s in SHAPES}
    by_colour = {c: [o for o in objs if o.colour == c] for c in COLOURS}
    occupied = {o.cell: o for o in objs}
    zh = lang == "zh"
    if kind == "colour":
        unique = [s for s in SHAPES if len(by_shape[s]) == 1]
        if unique and rng.random() < 0.5:
            s = unique[rng.integers(len(unique))]
            o = by_shape[s][0]
            q = f"{ZH_SHAPE[s]}是什么颜色？" if zh else f"What colour is the {s}?"
        else:
            o = objs[rng.integers(len(objs))]
            q = f"{ZH_POSITION[o.cell]}的图形是什么颜色？" if zh else f"What colour is the shape {EN_POSITION_PHRASE[o.cell]}?"
        a = f"{ZH_COLOUR[o.colour]}。" if zh else f"{cap(o.colour)}."
        return kind, q, a, "colour", o.colour
    if kind == "shape":
        unique = [c for c in COLOURS if len(by_colour[c]) == 1]
        if unique and rng.random() < 0.4:
            c = unique[rng.integers(len(unique))]
            o = by_colour[c][0]
            q = f"{ZH_COLOUR[c]}的是什么形状？" if zh else f"What shape is the {c} one?"
        else:
            cell = int(rng.integers(9)) if rng.random() < 0.15 else objs[rng.integers(len(objs))].cell
            q = f"{ZH_POSITION[cell]}是什么形状？" if zh else f"What shape is {EN_POSITION_PHRASE[cell]}?"
            o = occupied.get(cell)
            if o is None:
                return kind, q, ("那里没有图形。" if zh else "There is no shape there."), None, None
        a = f"{ZH_SHAPE[o.shape]}。" if zh else f"A {o.shape}."
        return kind, q, a, "shape", o.shape
    if kind == "count":
        r = rng.random()
        if r < 0.4:
            n = len(objs)
            q = "图中有几个图形？" if zh else "How many shapes are there?"
        elif r < 0.7:
            s = SHAPES[rng.integers(4)] if rng.random() < 0.3 else objs[rng.integers(len(objs))].shape
            n = len(by_shape[s])
            q = f"图中有几个{ZH_SHAPE[s]}？" if zh else f"How many {plural(s)} are there?"
        else:
            c = COLOURS[rng.integers(6)] if rng.random() < 0.3 else objs[rng.integers(len(objs))].colour
            n = len(by_colour[c])
            q = f"图中有几个{ZH_COLOUR[c]}的图形？" if zh else f"How many {c} shapes are there?"
        a = f"{n}个。" if zh else f"{n}."
        return kind, q, a, "count", str(n)
    if kind == "position":
        o = objs[rng.integers(len(objs))]
        same = [p for p in objs if p.shape == o.shape and p.colour == o.colour]
        if len(same) > 1:
            return vqa_question(rng, scene, lang, "colour")
        q = f"{ZH_COLOUR[o.colour]}{ZH_SHAPE[o.shape]}在哪里？" if zh else f"Where is the {o.colour} {o.shape}?"
        a = f"在{ZH_POSITION[o.cell]}。" if zh else f"{cap(EN_POSITION_PHRASE[o.cell])}."
        return kind, q, a, "position", POSITIONS[o.cell]
    if kind == "yesno":
        if rng.random() < 0.5:
            o = objs[rng.integers(len(objs))]
            colour, shape = o.colour, o.shape
        else:
            present = {(o.colour, o.shape) for o in objs}
            while True:
                base = objs[rng.integers(len(objs))]
                r = rng.random()
                colour = COLOURS[rng.integers(6)] if r < 0.4 or r >= 0.8 else base.colour
                shape = SHAPES[rng.integers(4)] if r >= 0.4 else base.shape
                if (colour, shape) not in present:
                    break
        yes = any(o.colour == colour and o.shape == shape for o in objs)
        q = f"图中有{ZH_COLOUR[colour]}{ZH_SHAPE[shape]}吗？" if zh else f"Is there {a_or_an(colour)} {colour} {shape}?"
        a = ("有。" if yes else "没有。") if zh else ("Yes." if yes else "No.")
        return kind, q, a, None, None
    if kind == "size":
        o = objs[rng.integers(len(objs))]
        if len([p for p in objs if p.shape == o.shape and p.colour == o.colour]) > 1:
            return vqa_question(rng, scene, lang, "count")
        q = (f"{ZH_COLOUR[o.colour]}{ZH_SHAPE[o.shape]}是大还是小？" if zh
             else f"Is the {o.colour} {o.shape} large or small?")
        a = f"{ZH_SIZE[o.size]}。" if zh else f"{cap(o.size)}."
        return kind, q, a, None, None
    raise ValueError(kind)


CAPTION_QUESTIONS = {
    "en": ["Describe the image.", "What is in this picture?", "Describe this image briefly.",
           "Give a caption for the image.", "What do you see?"],
    "zh": ["描述这张图片。", "图片里有什么？", "简要描述这张图片。", "为这张图片写一个标题。", "你看到了什么？"],
}


def task_caption(rng: np.random.Generator, lang: str) -> Sample:
    scene = random_scene(rng)
    q = CAPTION_QUESTIONS[lang][rng.integers(5)]
    return single_turn(IMG + q, scene.caption(lang)), [scene], {"answer": scene.caption(lang), "truth": scene.truth()}


def task_vqa(rng: np.random.Generator, lang: str, kind: str | None = None) -> Sample:
    scene = random_scene(rng)
    kind, q, a, _, _ = vqa_question(rng, scene, lang, kind)
    return single_turn(IMG + q, a), [scene], {"answer": a, "kind": kind}


def option_text(space: str, value: str, lang: str) -> str:
    if space == "colour":
        return ZH_COLOUR[value] if lang == "zh" else value
    if space == "shape":
        return ZH_SHAPE[value] if lang == "zh" else value
    if space == "position":
        return ZH_POSITION[POSITIONS.index(value)] if lang == "zh" else value
    return value


SPACE_VALUES = {"colour": COLOURS, "shape": SHAPES, "position": POSITIONS, "count": ["0", "1", "2", "3"]}


def choice_question(rng: np.random.Generator, scene: Scene, lang: str) -> tuple[str, str, str]:
    """A lettered multiple-choice question about `scene` (without the image): (content, letter, kind)."""
    while True:
        kind, q, _, space, correct = vqa_question(rng, scene, lang, ["colour", "shape", "position", "count"][rng.integers(4)])
        if space is not None:
            break
    others = [v for v in SPACE_VALUES[space] if v != correct]
    picks = [others[i] for i in rng.choice(len(others), size=3, replace=False)]
    options = picks + [correct]
    order = rng.permutation(4)
    options = [options[i] for i in order]
    letter = LETTERS[options.index(correct)]
    lines = "\n".join(f"{LETTERS[i]}. {option_text(space, v, lang)}" for i, v in enumerate(options))
    if lang == "zh":
        content = f"问题：{q}\n选项：\n{lines}\n请直接回答选项字母。"
    else:
        content = f"Question: {q}\nOptions:\n{lines}\nAnswer with the option's letter."
    return content, letter, kind


def task_choice(rng: np.random.Generator, lang: str) -> Sample:
    scene = random_scene(rng)
    content, letter, kind = choice_question(rng, scene, lang)
    return single_turn(IMG + content, letter + "."), [scene], {"answer": letter + ".", "kind": kind}


def follow_up(segs: Segments, question: str, answer: str) -> Segments:
    """Appends one more user turn and its answer to a conversation."""
    return segs + [("\n", False), (user_turn(question), False), (answer + STOP, True)]


def lookup_options(rng: np.random.Generator, lang: str) -> tuple[list[str], list[str]]:
    """2-4 text options and, for each, how a question names it: (option texts, descriptions)."""
    n = 4 if rng.random() < 0.7 else int(rng.integers(2, 5))
    if rng.random() < 0.5:
        space = ["colour", "shape", "position", "count"][rng.integers(4)]
        values = [SPACE_VALUES[space][i] for i in rng.choice(len(SPACE_VALUES[space]), size=n, replace=False)]
        texts = [option_text(space, v, lang) for v in values]
        return texts, texts
    descs = []
    while len(descs) < n:
        o = random_scene(rng, n_objects=1).objects[0]
        if all((o.colour, o.shape) != (d.colour, d.shape) for d in descs):
            descs.append(o)
    texts = [(f"{ZH_POSITION[o.cell]}有{o.zh()}" if lang == "zh" else f"{o.en()} {EN_POSITION_PHRASE[o.cell]}")
             for o in descs]
    return texts, [describe_target(o.colour, o.shape, lang) for o in descs]


def lookup_question(asked: str, lang: str) -> str:
    return f"问题：哪个选项是{asked}？" if lang == "zh" else f"Question: Which option is {asked}?"


def lookup_instruction(lang: str) -> str:
    return "请直接回答选项字母。" if lang == "zh" else "Answer with the option's letter."


def lookup_content(texts: list[str], asked: str, lang: str) -> str:
    lines = "\n".join(f"{LETTERS[i]}. {t}" for i, t in enumerate(texts))
    options = "选项：" if lang == "zh" else "Options:"
    return f"{lookup_question(asked, lang)}\n{options}\n{lines}\n{lookup_instruction(lang)}"


def task_option_lookup(rng: np.random.Generator, lang: str) -> Sample:
    """Text-only curriculum for the lettered tasks: find the option that matches a description and answer its
    letter. The lookup (which letter precedes the matching text) is what choice, multi-image and select share,
    and it is far cheaper to learn without images in the way."""
    texts, asked = lookup_options(rng, lang)
    idx = int(rng.integers(len(texts)))
    return single_turn(lookup_content(texts, asked[idx], lang), LETTERS[idx] + "."), [], {"answer": LETTERS[idx] + "."}


# ---------------------------------------------------------------- training-only: several lettered answers per sample
# The letter lookup is one token per sample, a thin training signal; these conversations ask two to four questions
# about the same options or images. Not in TASKS, so the held-out set and its evaluation stay single-question.
def task_option_lookup_turns(rng: np.random.Generator, lang: str) -> Sample:
    texts, asked = lookup_options(rng, lang)
    order = [int(i) for i in rng.permutation(len(texts))][:int(rng.integers(2, 5))]
    segs = single_turn(lookup_content(texts, asked[order[0]], lang), LETTERS[order[0]] + ".")
    for i in order[1:]:
        segs = follow_up(segs, f"{lookup_question(asked[i], lang)}\n{lookup_instruction(lang)}", LETTERS[i] + ".")
    return segs, [], {"answer": LETTERS[order[-1]] + "."}


def task_choice_turns(rng: np.random.Generator, lang: str) -> Sample:
    scene = random_scene(rng)
    content, letter, kind = choice_question(rng, scene, lang)
    segs = single_turn(IMG + content, letter + ".")
    for _ in range(int(rng.integers(1, 4))):
        content, letter, kind = choice_question(rng, scene, lang)
        segs = follow_up(segs, content, letter + ".")
    return segs, [scene], {"answer": letter + ".", "kind": kind}


def task_multi_image_turns(rng: np.random.Generator, lang: str) -> Sample:
    """Several "which image shows ...?" questions over the same images, each about a colour and shape that
    exactly one of the images holds."""
    segs, images, meta = task_multi_image(rng, lang)
    holders = {}
    for i, s in enumerate(images):
        for pair in {(o.colour, o.shape) for o in s.objects}:
            holders.setdefault(pair, []).append(i)
    unique = sorted((pair, ix[0]) for pair, ix in holders.items() if len(ix) == 1)
    picks = [unique[int(i)] for i in rng.permutation(len(unique))][:int(rng.integers(1, 4))]
    for (colour, shape), i in picks:
        segs = follow_up(segs, which_image(describe_target(colour, shape, lang), lang), LETTERS[i] + ".")
        meta = {"answer": LETTERS[i] + "."}
    return segs, images, meta


def a_or_an(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def describe_target(colour: str, shape: str, lang: str) -> str:
    return f"{ZH_COLOUR[colour]}{ZH_SHAPE[shape]}" if lang == "zh" else f"{a_or_an(colour)} {colour} {shape}"


def which_image(what: str, lang: str) -> str:
    return f"哪张图片里有{what}？" if lang == "zh" else f"Which image shows {what}?"


def task_multi_image(rng: np.random.Generator, lang: str) -> Sample:
    n = 4 if rng.random() < 0.6 else int(rng.integers(2, 5))
    colour, shape = COLOURS[rng.integers(6)], SHAPES[rng.integers(4)]
    target = random_scene(rng, required=(shape, colour))
    scenes = []
    while len(scenes) < n - 1:
        s = random_scene(rng, required=(shape, None) if rng.random() < 0.4 else ((None, colour) if rng.random() < 0.5 else None))
        if not any(o.colour == colour and o.shape == shape for o in s.objects):
            scenes.append(s)
    idx = int(rng.integers(n))
    scenes.insert(idx, target)
    letter = LETTERS[idx]
    what = describe_target(colour, shape, lang)
    if rng.random() < 0.5:
        listing = "\n".join(f"{LETTERS[i]}.{IMG}" for i in range(n))
        content = f"{which_image(what, lang)}\n{listing}"
    else:
        letters = "、".join(LETTERS[:n]) if lang == "zh" else ", ".join(LETTERS[:n - 1]) + " and " + LETTERS[n - 1]
        order = f"这些图片依次是{letters}。" if lang == "zh" else f"The images are {letters} in order. "
        content = IMG * n + order + which_image(what, lang)
    return single_turn(content, letter + "."), scenes, {"answer": letter + "."}


def task_multiturn(rng: np.random.Generator, lang: str) -> Sample:
    scene = random_scene(rng)
    segs = []
    first = True
    turns = int(rng.integers(2, 4))
    answer = None
    for t in range(turns):
        if t == 0 and rng.random() < 0.4:
            q, a = CAPTION_QUESTIONS[lang][rng.integers(5)], scene.caption(lang)
        else:
            _, q, a, _, _ = vqa_question(rng, scene, lang)
        content = (IMG + q) if first else q
        prefix = TEMPLATE["system"] if first else ""
        segs.append((prefix + user_turn(content), False))
        segs.append((a + STOP, True))
        if t < turns - 1:
            segs.append(("\n", False))
        first = False
        answer = a
    return segs, [scene], {"answer": answer}


TEXT_QA = {
    "en": [
        (["Hello", "Hi", "Hello!", "Hi there"], "Hello! Send me an image and ask me about it."),
        (["What can you do?", "Help"], "I can describe images, answer questions about shapes and write illustrated articles."),
        (["Who are you?", "What are you?"], "I am a tiny vision-language model trained on synthetic shapes."),
        (["What colours do you know?"], "Red, green, blue, yellow, purple and orange."),
        (["What shapes do you know?"], "Circles, squares, triangles and stars."),
        (["Describe the image.", "What is in this picture?"], "There is no image. Please send one."),
        (["Thank you", "Thanks"], "You are welcome."),
    ],
    "zh": [
        (["你好", "您好", "你好！"], "你好！请发给我一张图片并提问。"),
        (["你能做什么？", "帮助"], "我可以描述图片、回答关于图形的问题，还可以写图文并茂的文章。"),
        (["你是谁？"], "我是一个在合成图形上训练的小型视觉语言模型。"),
        (["你知道哪些颜色？"], "红色、绿色、蓝色、黄色、紫色和橙色。"),
        (["你知道哪些形状？"], "圆形、正方形、三角形和星形。"),
        (["描述这张图片。", "图片里有什么？"], "没有图片。请发一张图片。"),
        (["谢谢"], "不客气。"),
    ],
}
FALLBACK = {"en": "Sorry, I can only talk about images of shapes.", "zh": "抱歉，我只能谈论图形图片。"}
_NOISE_CHARS = list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789?!.,;:'\"()-") + \
    list("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年天好山水火") + \
    ["😀", "🎨", "🚀", "é", "ü", "ß", "ж", "я", "λ", "→", "€", "♥", "한", "글", "あ", "い", "ا", "ب"]


def random_text(rng: np.random.Generator) -> str:
    n = int(rng.integers(1, 40))
    return "".join(_NOISE_CHARS[rng.integers(len(_NOISE_CHARS))] for _ in range(n)).strip() or "?"


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def task_text_only(rng: np.random.Generator, lang: str) -> Sample:
    if rng.random() < 0.35:
        q = random_text(rng)
        lang = "zh" if has_cjk(q) else "en"
        a = FALLBACK[lang]
    else:
        qs, a = TEXT_QA[lang][rng.integers(len(TEXT_QA[lang]))]
        q = qs[rng.integers(len(qs))]
    return single_turn(q, a), [], {"answer": a}


# ---------------------------------------------------------------- composition
ORD_EN = ["first", "second", "third", "fourth"]
ORD_ZH = ["一", "二", "三", "四"]


def make_theme(rng: np.random.Generator) -> Theme:
    r = rng.random()
    colour = COLOURS[rng.integers(6)] if r < 0.7 else None
    shape = SHAPES[rng.integers(4)] if r >= 0.35 else None
    return colour, shape


def theme_text(theme: Theme, lang: str, title_case: bool = False) -> str:
    colour, shape = theme
    if lang == "zh":
        return (ZH_COLOUR[colour] if colour else "") + (ZH_SHAPE[shape] if shape else "图形")
    words = ([colour] if colour else []) + [plural(shape) if shape else "shapes"]
    text = " ".join(words)
    return " ".join(cap(w) for w in words) if title_case else text


TITLES = {
    "en": ["A Tour of {T}", "{T} Everywhere", "The Story of {T}", "Looking at {T}", "A Day with {T}"],
    "zh": ["{T}之旅", "{T}的故事", "看看{T}", "到处都是{T}", "和{T}在一起的一天"],
}


def make_title(rng: np.random.Generator, theme: Theme, lang: str) -> str:
    template = TITLES[lang][rng.integers(5)]
    return template.replace("{T}", theme_text(theme, lang, title_case=True))


def scene_paragraph(scene: Scene, k: int, lang: str) -> str:
    if lang == "zh":
        return f"第{ORD_ZH[k]}幅图中，" + "，".join(f"{ZH_POSITION[o.cell]}有{o.zh()}" for o in scene.objects) + "。"
    parts = [f"{o.en()} is {EN_POSITION_PHRASE[o.cell]}" for o in scene.objects]
    body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"In the {ORD_EN[k]} picture, {body}."


def make_article(rng: np.random.Generator, lang: str, theme: Theme | None = None) -> dict:
    theme = theme or make_theme(rng)
    title = make_title(rng, theme, lang)
    n_scenes = int(rng.integers(2, 5))
    # One shape per picture: every such scene (4 shapes x 6 colours x 2 sizes x 9 cells = 432) is in the gallery
    # export.py writes, so a slot caption can always be matched exactly by retrieval.
    # Distinct pictures, since the composition never shows one gallery image twice in an article.
    scenes = []
    while len(scenes) < n_scenes:
        scene = random_scene(rng, n_objects=1, required=(theme[1], theme[0]))
        if all(scene.caption("en") != s.caption("en") for s in scenes):
            scenes.append(scene)
    t = theme_text(theme, lang)
    if lang == "zh":
        intro, outro = f"这篇文章展示了一些{t}的图片。", f"以上就是{t}的全部图片。"
    else:
        intro, outro = f"This article shows some pictures of {t}.", f"These are all the pictures of {t}."
    paragraphs = [intro] + [scene_paragraph(s, k, lang) for k, s in enumerate(scenes)] + [outro]
    slot_scenes = {k + 1: s for k, s in enumerate(scenes)}  # paragraph index -> scene
    return {"title": title, "theme": theme, "paragraphs": paragraphs, "scenes": slot_scenes, "lang": lang}


def tag(paragraphs: list[str], upto: int | None = None) -> str:
    upto = len(paragraphs) if upto is None else upto
    return "".join(f"<Seg{i}> {p}\n" for i, p in enumerate(paragraphs[:upto]))


def spot_positions(article: dict, count: int | None) -> list[int]:
    scene_slots = sorted(article["scenes"])
    if count is None:
        return scene_slots
    others = [i for i in range(len(article["paragraphs"])) if i not in article["scenes"]]
    return sorted((scene_slots + others)[:count])


def slot_caption(article: dict, pos: int) -> str:
    scene = article["scenes"].get(pos)
    if scene is not None:
        return scene.caption(article["lang"])
    t = theme_text(article["theme"], article["lang"])
    return f"{t}。" if article["lang"] == "zh" else f"{cap(t)}."


def task_write(rng: np.random.Generator, lang: str) -> Sample:
    art = make_article(rng, lang)
    return (single_turn(COMPOSITION["write"].format(title=art["title"]), "\n".join(art["paragraphs"])), [],
            {"answer": "\n".join(art["paragraphs"]), "title": art["title"]})


def task_spot(rng: np.random.Generator, lang: str) -> Sample:
    art = make_article(rng, lang)
    n_par = len(art["paragraphs"])
    count = None if rng.random() < 0.5 else int(rng.integers(1, n_par + 1))
    positions = spot_positions(art, count)
    answer = ", ".join(f"<Seg{p}>" for p in positions)
    content = COMPOSITION["spot"].format(article=tag(art["paragraphs"]), count="" if count is None else count)
    return single_turn(content, answer, COMPOSITION["spot_answer_prefix"]), [], {"answer": answer}


def task_slot_caption(rng: np.random.Generator, lang: str) -> Sample:
    art = make_article(rng, lang)
    slots = spot_positions(art, None if rng.random() < 0.8 else int(rng.integers(1, len(art["paragraphs"]) + 1)))
    k = int(rng.integers(len(slots)))
    pos = slots[k]
    previous = "".join(COMPOSITION["caption_previous"].format(pos=p, caption=slot_caption(art, p)) for p in slots[:k])
    content = COMPOSITION["caption"].format(article=tag(art["paragraphs"], pos + 1), previous=previous, pos=pos)
    answer = slot_caption(art, pos)
    return single_turn(content, answer + "\"", COMPOSITION["caption_answer_prefix"]), [], {"answer": answer}


def perturb(rng: np.random.Generator, scene: Scene) -> Scene:
    """A scene that differs from `scene` in one or two attributes: what a retrieval top-4 looks like."""
    while True:
        objs = list(scene.objects)
        for _ in range(int(rng.integers(1, 3))):
            i = int(rng.integers(len(objs)))
            o = objs[i]
            r = rng.random()
            if r < 0.3:
                o = Obj(o.shape, COLOURS[rng.integers(6)], o.size, o.cell)
            elif r < 0.6:
                o = Obj(SHAPES[rng.integers(4)], o.colour, o.size, o.cell)
            elif r < 0.75:
                o = Obj(o.shape, o.colour, SIZES[1 - SIZES.index(o.size)], o.cell)
            elif r < 0.9:
                free = [c for c in range(9) if c not in {p.cell for p in objs}]
                o = Obj(o.shape, o.colour, o.size, free[rng.integers(len(free))])
            elif len(objs) > 1:
                objs.pop(i)
                continue
            else:
                extra = random_scene(rng, n_objects=1).objects[0]
                if extra.cell != o.cell:
                    objs.append(extra)
            objs[i] = o
        objs = sorted(objs, key=lambda p: p.cell)
        cand = Scene(objs, background_colour(rng), int(rng.integers(1 << 31)))
        if cand.caption("en") != scene.caption("en"):
            return cand


def rerender(rng: np.random.Generator, scene: Scene) -> Scene:
    return Scene(list(scene.objects), background_colour(rng), int(rng.integers(1 << 31)))


def select_candidates(rng: np.random.Generator, target: Scene) -> tuple[list[Scene], int]:
    cands = [perturb(rng, target) if rng.random() < 0.7 else random_scene(rng, forbid_caption={target.caption("en")})
             for _ in range(3)]
    idx = int(rng.integers(4))
    cands.insert(idx, rerender(rng, target))
    return cands, idx


def task_select(rng: np.random.Generator, lang: str) -> Sample:
    art = make_article(rng, lang)
    slots = sorted(art["scenes"])
    k = int(rng.integers(len(slots)))
    pos = slots[k]
    images = []
    lines = []
    for i, p in enumerate(art["paragraphs"][:pos + 1]):
        line = p
        if i in slots[:k]:
            line += IMG
            images.append(rerender(rng, art["scenes"][i]))
        lines.append(line)
    cands, idx = select_candidates(rng, art["scenes"][pos])
    images.extend(cands)
    content = COMPOSITION["select"].format(context="\n".join(lines))
    return single_turn(content, LETTERS[idx], COMPOSITION["select_answer_prefix"]), images, {"answer": LETTERS[idx]}


TASKS: dict[str, Callable[[np.random.Generator, str], Sample]] = {
    "caption": task_caption,
    "vqa": task_vqa,
    "choice": task_choice,
    "multi_image": task_multi_image,
    "multiturn": task_multiturn,
    "text_only": task_text_only,
    "write": task_write,
    "spot": task_spot,
    "slot_caption": task_slot_caption,
    "select": task_select,
    "option_lookup": task_option_lookup,
}
# Weighted toward what is hard to learn (grounded captions and selection) and away from the easy text tasks.
TASK_WEIGHTS = {"caption": 0.18, "vqa": 0.2, "choice": 0.09, "multi_image": 0.1, "multiturn": 0.07,
                "text_only": 0.03, "write": 0.06, "spot": 0.06, "slot_caption": 0.07, "select": 0.14}


TRAINING_ONLY: dict[str, Callable[[np.random.Generator, str], Sample]] = {
    "option_lookup_turns": task_option_lookup_turns,
    "choice_turns": task_choice_turns,
    "multi_image_turns": task_multi_image_turns,
}


def sample(rng: np.random.Generator, task: str, lang: str | None = None) -> Sample:
    lang = lang or ("en" if rng.random() < 0.5 else "zh")
    segs, scenes, meta = (TASKS.get(task) or TRAINING_ONLY[task])(rng, lang)
    meta = dict(meta, task=task, lang=lang)
    return segs, scenes, meta
