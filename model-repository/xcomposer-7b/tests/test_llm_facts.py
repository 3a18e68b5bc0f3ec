"""facts.py against the fact sheet: each expected value is read out of a line quoted verbatim from
/work/shared/reference/production-path.md (line numbers of the 2026-12-02 compilation), and the 7B llm config's
parameters are checked against facts.py."""

import json
import pathlib
import re
import unittest

from tests.pb_stub.harness import config_pbtxt_to_dict
from xcomposer7b import facts

REPO = pathlib.Path(__file__).resolve().parents[1]

# production-path.md line 16
PREPROCESSING = (
    "- **Preprocessing** [XC `modeling_InternLM_XComposer.py`]: Resize (224,224) BICUBIC, ToTensor, Normalize mean "
    "(0.48145466, 0.4578275, 0.40821073), std (0.26862954, 0.26130258, 0.27577711)."
)
# line 25
LORA = (
    "  - Config: r 256, alpha 256 (scale 1.0), dropout 0.05, on q_proj, v_proj, mlp.up_proj, mlp.down_proj. That is "
    "256 `lora_A`/`lora_B` tensors (32 × 4 × 2); the LoRA branch runs in fp32."
)
# line 36
TOKENIZER = (
    "Tested by parsing: 103168 pieces; 0 `<unk>`, 1 `<s>`, 2 `</s>`, **103027 `<TOKENS_UNUSED_0>`** (eoh), "
    "**103028 `<TOKENS_UNUSED_1>`** (eoa)."
)
# line 38 (the backslash-n are the sheet's escapes)
META = (
    '  - Meta instruction, verbatim: `"meta instruction\\nYou are an AI assistant whose name is 浦语.\\n- 浦语 is a '
    "conversational language model that is developed by Shanghai AI Laboratory (上海人工智能实验室). It is designed to "
    "be helpful, honest, and harmless.\\n- 浦语 can understand and communicate fluently in the language chosen by the "
    'user such as English and 中文.\\nconversation\\n"`.'
)
# line 39
FIRST_TURN = (
    "  - First turn, as concatenated embeddings: `[BOS] + meta + ' <|User|>:'` ‖ 66 image embeddings ‖ user text ‖ "
    "`'\\n<TOKENS_UNUSED_0> <|Bot|>:'`."
)
# xcomposer.md lines 95-96 (the web demo's chat, the seed's only text form of a multi-turn history)
DEMO_TURNS = (
    "Turn format (\"7132\" style): system=meta, then `role + \": \" + message + sep`, with sep=`<TOKENS_UNUSED_0>` "
    "after user turns and sep2=`<TOKENS_UNUSED_1>` after bot turns"
)
# line 43
STOPS = "- **Stops**: a StoppingCriteria on ids **103027 and 103028**; output is cut at eoa."
# line 44
GEN_DEFAULTS = (
    "- **Generation defaults** (`gen_config`): num_beams 5, do_sample False, min_length 1, **repetition_penalty 1.5**, "
    "length_penalty 1.0, temperature 1.0, **max_new_tokens 500**."
)
# line 46
ARTICLE_UI = "  - Article UI: beams 5, repetition 5.0, max output 1000 (range 100–2000), \"Model selects images\" on, 5 images."
# lines 48, 49, 50, 52 (the five composition prompts; the sheet's placeholder names differ from the config's)
ARTICLE = "  1. **Article**: `' <|User|>:根据给定标题写一个图文并茂，不重复的文章：{title}\\n<TOKENS_UNUSED_0> <|Bot|>:'`."
SPOT = (
    "  2. **Image-slot spotting**: `' <|User|>:给定文章\"{full}\" 根据上述文章，选择适合插入图像的{n}行 "
    "\\n<TOKENS_UNUSED_0> <|Bot|>:适合插入图像的行是'`, with beam 5, max_length 300, repetition 1.0."
)
CAPTION = (
    "  3. **Captioning** per slot: `' <|User|>: 给定文章\"{text up to po+2}\" {past}给出适合在<Seg{po}>后插入的图像对应的"
    "标题。 \\n<TOKENS_UNUSED_0> <|Bot|>: 标题是\"'`, with beam 1, max_length 100, repetition 5.0, output cut at `\"`. "
    "`past` accumulates `现在<Seg{po}>后插入图像对应的标题是\"{cap}\"， `."
)
SELECT = (
    "  5. **Selection**: `' <|User|>:根据给定上下文和候选图像，选择合适的配图：'` + context with `<ImageHere>` for each "
    "earlier chosen image + `'\\n\\n候选图像包括: A.<ImageHere>\\nB.<ImageHere>\\nC.<ImageHere>\\nD.<ImageHere>\\n\\n"
    "<TOKENS_UNUSED_0> <|Bot|>:最合适的图是'`. BOS is prepended, the last 2 positions are dropped, then beam 5, "
    "max_length 10"
)
# InternLM-XComposer-1.0/examples/web_demo.py, generate_cap (the seed's code, quoted: the sheet does not say how the
# accumulated history ends)
SEED_CAPTION_HISTORY = (
    "            if idx > 0:\n"
    "                past = pasts[:-2] + '。'\n"
    "...\n"
    "            if idx == 0:\n"
    "                pasts = f'现在<Seg{po}>后插入图像对应的标题是\"{cap_text}\"， '\n"
    "            else:\n"
    "                pasts += f'<Seg{po}>后插入图像对应的标题是\"{cap_text}\"， '"
)
SHEET_NAMES = {"{full}": "{article}", "{n}": "{count}", "{text up to po+2}": "{article}", "{po}": "{pos}",
               "{past}": "{previous}", "{cap}": "{caption}"}


def unescape(text: str) -> str:
    return text.replace("\\n", "\n")


def sheet_form(text: str) -> str:
    for sheet, ours in SHEET_NAMES.items():
        text = text.replace(sheet, ours)
    return unescape(text)


class FactSheetTests(unittest.TestCase):
    def test_preprocessing(self):
        mean, std = re.findall(r"\(([\d., ]+)\)", PREPROCESSING)[1:]
        self.assertEqual(facts.IMAGE_MEAN, tuple(float(v) for v in mean.split(",")))
        self.assertEqual(facts.IMAGE_STD, tuple(float(v) for v in std.split(",")))
        self.assertIn(f"Resize ({facts.IMAGE_SIZE},{facts.IMAGE_SIZE}) BICUBIC", PREPROCESSING)

    def test_lora(self):
        self.assertIn(f"r {facts.LORA_R}, alpha {facts.LORA_ALPHA}", LORA)
        for target in facts.LORA_TARGETS:
            self.assertIn(target.split(".")[-1], LORA)
        self.assertIn(f"({facts.NUM_LAYERS} × {len(facts.LORA_TARGETS)} × 2)", LORA)

    def test_tokenizer_ids_and_stops(self):
        self.assertIn(f"{facts.VOCAB_SIZE} pieces", TOKENIZER)
        self.assertIn(f"{facts.BOS_ID} `<s>`, {facts.EOS_ID} `</s>`", TOKENIZER)
        self.assertIn(f"**{facts.EOH_ID} `{facts.EOH_TOKEN}`** (eoh)", TOKENIZER)
        self.assertIn(f"**{facts.EOA_ID} `{facts.EOA_TOKEN}`** (eoa)", TOKENIZER)
        self.assertIn("ids **%d and %d**" % facts.STOP_IDS, STOPS)

    def test_template(self):
        quoted = re.search(r'`"(.*)"`', META).group(1)
        self.assertEqual(facts.META_INSTRUCTION, unescape(quoted))
        self.assertIn(f"' {facts.USER_PREFIX.strip()}'", FIRST_TURN)
        self.assertIn("'" + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX + "'", unescape(FIRST_TURN))
        self.assertIn(f"‖ {facts.IMAGE_TOKENS} image embeddings ‖", FIRST_TURN)

    def test_a_history_turn_ends_with_eoa_alone(self):
        # The platform writes a past turn as ... assistant_prefix + answer + assistant_suffix, then the next
        # user_prefix; the seed puts sep2 and nothing else between the answer and the next ' <|User|>:'.
        sep2 = re.search(r"sep2=`([^`]*)` after bot turns", DEMO_TURNS).group(1)
        self.assertEqual(facts.ASSISTANT_SUFFIX, sep2)

    def test_generation_defaults(self):
        d = facts.CHAT_DEFAULTS
        self.assertIn(f"num_beams {d.num_beams}, do_sample {d.do_sample}", GEN_DEFAULTS)
        self.assertIn(f"**repetition_penalty {d.repetition_penalty}**", GEN_DEFAULTS)
        self.assertIn(f"length_penalty {d.length_penalty}", GEN_DEFAULTS)
        self.assertIn(f"**max_new_tokens {d.max_new_tokens}**", GEN_DEFAULTS)
        spot, caption, select = (facts.COMPOSITION_STEPS[s] for s in ("spot", "caption", "select"))
        write = facts.COMPOSITION_STEPS["write"]
        self.assertIn(f"beams {write.num_beams}, repetition {write.repetition_penalty}, max output {write.max_new_tokens}",
                      ARTICLE_UI)
        self.assertFalse(write.do_sample)  # the article tab's do_sample default is off
        self.assertIn(f"beam {spot.num_beams}, max_length {spot.max_new_tokens}, repetition {spot.repetition_penalty}", SPOT)
        self.assertIn(f"beam {caption.num_beams}, max_length {caption.max_new_tokens}, repetition "
                      f"{caption.repetition_penalty}", CAPTION)
        self.assertIn(f"beam {select.num_beams}, max_length {select.max_new_tokens}", SELECT)

    def test_composition_prompts(self):
        self.assertIn(facts.COMPOSITION_WRITE, sheet_form(ARTICLE))
        self.assertIn(facts.COMPOSITION_SPOT + "\n", sheet_form(SPOT))
        self.assertIn(facts.ASSISTANT_PREFIX + facts.COMPOSITION_SPOT_ANSWER_PREFIX, sheet_form(SPOT))
        caption = sheet_form(CAPTION)
        self.assertIn(facts.COMPOSITION_CAPTION, caption)
        self.assertIn(facts.COMPOSITION_CAPTION_PREVIOUS, caption)
        self.assertIn(facts.COMPOSITION_CAPTION_ANSWER_PREFIX, caption)
        select = sheet_form(SELECT)
        head, tail = facts.COMPOSITION_SELECT.split("{context}")
        self.assertIn(head, select)
        self.assertIn(tail + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX + facts.COMPOSITION_SELECT_ANSWER_PREFIX, select)

    def test_caption_history_is_the_seeds(self):
        entry, history, separator = (facts.COMPOSITION_CAPTION_PREVIOUS, facts.COMPOSITION_CAPTION_HISTORY,
                                     facts.COMPOSITION_CAPTION_HISTORY_SEPARATOR)
        first, later = re.findall(r"pasts \+?= f'(.*)'", SEED_CAPTION_HISTORY)
        self.assertEqual(history.split("{entries}")[0] + entry + separator, first.replace("{po}", "{pos}")
                         .replace("{cap_text}", "{caption}"))
        self.assertEqual(entry + separator, later.replace("{po}", "{pos}").replace("{cap_text}", "{caption}"))
        ending = re.search(r"pasts\[:-(\d)\] \+ '(.)'", SEED_CAPTION_HISTORY)
        self.assertEqual(len(separator), int(ending.group(1)))  # the last separator is cut ...
        self.assertEqual(history.split("{entries}")[1], ending.group(2))  # ... and '。' closes the history
        self.assertIn(history.split("{entries}")[0] + entry + separator, sheet_form(CAPTION))

    def test_composition_prompts_wrapped_by_the_platform_are_the_seeds_strings(self):
        # composition-service sends user_prefix + content + user_suffix + assistant_prefix + answer_prefix
        # (docs/composition-pipeline.md); the result must be the seed's prompt to the character.
        def wrapped(content: str, answer_prefix: str = "") -> str:
            return facts.USER_PREFIX + content + facts.USER_SUFFIX + facts.ASSISTANT_PREFIX + answer_prefix

        def seed(line: str) -> str:
            return "{context}".join(re.findall(r"`'(.*?)'`", sheet_form(line), flags=re.S))

        self.assertEqual(wrapped(facts.COMPOSITION_WRITE), seed(ARTICLE))
        self.assertEqual(wrapped(facts.COMPOSITION_SPOT, facts.COMPOSITION_SPOT_ANSWER_PREFIX), seed(SPOT))
        self.assertEqual(wrapped(facts.COMPOSITION_CAPTION, facts.COMPOSITION_CAPTION_ANSWER_PREFIX), seed(CAPTION))
        self.assertEqual(wrapped(facts.COMPOSITION_SELECT, facts.COMPOSITION_SELECT_ANSWER_PREFIX), seed(SELECT))


class LlmConfigTests(unittest.TestCase):
    def setUp(self):
        config = config_pbtxt_to_dict((REPO / "llm" / "config.pbtxt").read_text(encoding="utf-8"))
        self.config = config
        self.parameters = {k: v["string_value"] for k, v in config["parameters"].items()}

    def test_template_and_prompts_are_the_facts(self):
        p = self.parameters
        self.assertEqual(p["chat_template.system"], facts.META_INSTRUCTION)
        self.assertEqual(p["chat_template.user_prefix"], facts.USER_PREFIX)
        self.assertEqual(p["chat_template.user_suffix"], facts.USER_SUFFIX)
        self.assertEqual(p["chat_template.assistant_prefix"], facts.ASSISTANT_PREFIX)
        self.assertEqual(p["chat_template.assistant_suffix"], facts.ASSISTANT_SUFFIX)
        self.assertEqual(p["composition.write"], facts.COMPOSITION_WRITE)
        self.assertEqual(p["composition.spot"], facts.COMPOSITION_SPOT)
        self.assertEqual(p["composition.caption"], facts.COMPOSITION_CAPTION)
        self.assertEqual(p["composition.caption_previous"], facts.COMPOSITION_CAPTION_PREVIOUS)
        self.assertEqual(p["composition.caption_history"], facts.COMPOSITION_CAPTION_HISTORY)
        self.assertEqual(p["composition.caption_history_separator"], facts.COMPOSITION_CAPTION_HISTORY_SEPARATOR)
        self.assertEqual(p["composition.select"], facts.COMPOSITION_SELECT)
        self.assertEqual(int(p["context_length"]), facts.MAX_POSITION_EMBEDDINGS)
        self.assertEqual(int(p["image_tokens"]), facts.IMAGE_TOKENS)

    def test_composition_generation_is_the_seeds_per_step_settings(self):
        # composition-service's GenerationSteps reads this JSON (StepGeneration: unknown fields are a config error).
        steps = json.loads(self.parameters["composition.generation"])
        self.assertEqual(set(steps), set(facts.COMPOSITION_STEPS))
        for name, seed in facts.COMPOSITION_STEPS.items():
            with self.subTest(step=name):
                self.assertEqual(steps[name], {"num_beams": seed.num_beams, "length_penalty": seed.length_penalty,
                                               "repetition_penalty": seed.repetition_penalty,
                                               "max_tokens": seed.max_new_tokens})
                self.assertFalse(seed.do_sample)  # beams decode greedily: composition sends temperature 0
        self.assertEqual([name for name, s in facts.COMPOSITION_STEPS.items() if s.num_beams == 5],
                         ["write", "spot", "select"])

    def test_contract_inputs_with_beam_settings(self):
        inputs = {i["name"]: i for i in self.config["input"]}
        self.assertEqual(inputs["num_beams"]["data_type"], "TYPE_INT32")
        self.assertEqual(inputs["length_penalty"]["data_type"], "TYPE_FP32")
        self.assertTrue(inputs["num_beams"]["optional"] and inputs["length_penalty"]["optional"])
        self.assertEqual(inputs["image_embeds"]["dims"], [-1, facts.IMAGE_TOKENS, facts.HIDDEN_SIZE])
        self.assertEqual(self.config["backend"], "python")
        self.assertTrue(self.config["model_transaction_policy"]["decoupled"])


if __name__ == "__main__":
    unittest.main()
