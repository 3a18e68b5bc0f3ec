"""Golden constants of InternLM-XComposer-7B (v1), from /work/shared/reference/production-path.md §1 and xcomposer.md.

One home for every number and string the conversion, the engines and the llm model take from the released model;
tests/test_llm_facts.py checks each against the fact sheet's own lines.
"""

from __future__ import annotations

from dataclasses import dataclass

# Decoder (config.json of internlm/internlm-xcomposer-7b).
VOCAB_SIZE = 103168
HIDDEN_SIZE = 4096
INTERMEDIATE_SIZE = 11008
NUM_LAYERS = 32
NUM_HEADS = 32
MAX_POSITION_EMBEDDINGS = 2048
RMS_NORM_EPS = 1e-5
ROPE_BASE = 10000.0
BOS_ID = 1
EOS_ID = 2

# LoRA of the released (unmerged) checkpoint: r 256, alpha 256, on q_proj, v_proj, mlp.up_proj, mlp.down_proj.
LORA_R = 256
LORA_ALPHA = 256
LORA_TARGETS = ("self_attn.q_proj", "self_attn.v_proj", "mlp.up_proj", "mlp.down_proj")

# Tokenizer ids (tokenizer.model, 103168 pieces).
EOH_TOKEN = "<TOKENS_UNUSED_0>"
EOA_TOKEN = "<TOKENS_UNUSED_1>"
EOH_ID = 103027
EOA_ID = 103028
STOP_IDS = (EOH_ID, EOA_ID)

# Image tokens: start flag + 64 Q-Former queries + end flag.
NUM_QUERY_TOKENS = 64
IMAGE_TOKENS = NUM_QUERY_TOKENS + 2
IMAGE_PLACEHOLDER = "<ImageHere>"

# Preprocessing (Resize (224, 224) BICUBIC, ToTensor, Normalize).
IMAGE_SIZE = 224
IMAGE_MEAN = (0.48145466, 0.4578275, 0.40821073)
IMAGE_STD = (0.26862954, 0.26130258, 0.27577711)

# Chat template.
META_INSTRUCTION = (
    "meta instruction\nYou are an AI assistant whose name is 浦语.\n"
    "- 浦语 is a conversational language model that is developed by Shanghai AI Laboratory (上海人工智能实验室). "
    "It is designed to be helpful, honest, and harmless.\n"
    "- 浦语 can understand and communicate fluently in the language chosen by the user such as English and 中文.\n"
    "conversation\n"
)
USER_PREFIX = " <|User|>:"
USER_SUFFIX = "\n" + EOH_TOKEN
ASSISTANT_PREFIX = " <|Bot|>:"
# A past answer ends with eoa and the next turn follows at once (the web demo's sep2; no newline in the seed).
ASSISTANT_SUFFIX = EOA_TOKEN

# The five composition prompts of the seed's web demo (article, spotting, captioning, caption history, selection).
COMPOSITION_WRITE = "根据给定标题写一个图文并茂，不重复的文章：{title}"
COMPOSITION_SPOT = '给定文章"{article}" 根据上述文章，选择适合插入图像的{count}行 '
COMPOSITION_SPOT_ANSWER_PREFIX = "适合插入图像的行是"
# The seed's captioning prompt alone has a space after ' <|User|>:' and ' <|Bot|>:' and before '\n<eoh>'.
COMPOSITION_CAPTION = ' 给定文章"{article}" {previous}给出适合在<Seg{pos}>后插入的图像对应的标题。 '
# The caption history (web_demo.py generate_cap): one 现在 before the first earlier caption, '， ' between them, and the
# last '， ' replaced by '。' (``pasts[:-2] + '。'``).
COMPOSITION_CAPTION_PREVIOUS = '<Seg{pos}>后插入图像对应的标题是"{caption}"'
COMPOSITION_CAPTION_HISTORY = "现在{entries}。"
COMPOSITION_CAPTION_HISTORY_SEPARATOR = "， "
COMPOSITION_CAPTION_ANSWER_PREFIX = ' 标题是"'
# Ends with one newline: the user suffix adds the second ("...D.<ImageHere>\n\n<TOKENS_UNUSED_0>" in the seed).
COMPOSITION_SELECT = (
    "根据给定上下文和候选图像，选择合适的配图：{context}\n\n"
    "候选图像包括: A.<ImageHere>\nB.<ImageHere>\nC.<ImageHere>\nD.<ImageHere>\n"
)
COMPOSITION_SELECT_ANSWER_PREFIX = "最合适的图是"


@dataclass(frozen=True)
class GenerationSettings:
    num_beams: int
    max_new_tokens: int
    repetition_penalty: float
    do_sample: bool = False
    length_penalty: float = 1.0


# HF gen_config of chat()/generate().
CHAT_DEFAULTS = GenerationSettings(num_beams=5, max_new_tokens=500, repetition_penalty=1.5)
# Per-step settings of the composition demo (max_length acts as a new-token cap there).
COMPOSITION_STEPS = {
    "write": GenerationSettings(num_beams=5, max_new_tokens=1000, repetition_penalty=5.0),
    "spot": GenerationSettings(num_beams=5, max_new_tokens=300, repetition_penalty=1.0),
    "caption": GenerationSettings(num_beams=1, max_new_tokens=100, repetition_penalty=5.0),
    "select": GenerationSettings(num_beams=5, max_new_tokens=10, repetition_penalty=1.0),
}
