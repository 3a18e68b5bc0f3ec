"""Builds the tiny Triton-layout fixture repository used by the cpu-inference-server tests.

Run from the module root:  /usr/bin/python3 src/test/python/make_fixture_repo.py
It writes src/test/resources/fixture-repo/. The graphs follow docs/model-contract.md (tensor names,
decoder interface with past_key/past_value) but are random and far smaller than the tiny model, so the
tests do not depend on the lead's training run. Weights are seeded: re-running gives the same files.
"""
import json
import math
import os

import torch
from torch import nn

torch.manual_seed(7)
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixture-repo")

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<eoh>", "<eoa>", "<|User|>", "<|Bot|>", "<ImageHere>", "<img>"]
BYTES = ["<0x%02X>" % b for b in range(256)]
WORDS = ["hello", " hello", "Hello", " world", "the", " the", " cat", " sat", " on", " mat", "a", " a",
         "你", "好", ",", ".", "!", " ", "\n", ":", "0", "1", "2", "3"]
PIECES = SPECIALS + BYTES + WORDS
V = len(PIECES)
D = 16          # hidden size
Q = 3           # image tokens
L, H, HD = 2, 2, 8
E = 8           # retrieval embedding width
IMG = 8         # image side


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def tokenizer_json():
    return json.dumps({"type": "xcomposer-tiny-bytes", "version": 1, "pieces": PIECES, "special": SPECIALS,
                       "pad": "<pad>", "bos": "<s>", "eos": "</s>", "image_token": "<img>"}, ensure_ascii=False)


class Vision(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(3 * IMG * IMG, Q * D)

    def forward(self, pixel_values):
        b = pixel_values.shape[0]
        return torch.tanh(self.proj(pixel_values.reshape(b, -1))).reshape(b, Q, D)


class TextEmbedder(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Embedding(V, E)

    def forward(self, input_ids, attention_mask):
        mask = attention_mask.unsqueeze(-1).float()
        pooled = (self.table(input_ids) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return pooled / pooled.norm(dim=-1, keepdim=True).clamp(min=1e-6)


class Embed(nn.Module):
    def __init__(self, table):
        super().__init__()
        self.table = table

    def forward(self, input_ids):
        return self.table(input_ids)


class Decoder(nn.Module):
    """Pre-norm transformer with a KV cache; positions come from past_key's length (P)."""

    def __init__(self):
        super().__init__()
        self.qkv = nn.ModuleList([nn.Linear(D, 3 * D) for _ in range(L)])
        self.out = nn.ModuleList([nn.Linear(D, D) for _ in range(L)])
        self.norm = nn.ModuleList([nn.LayerNorm(D) for _ in range(L)])
        self.final = nn.LayerNorm(D)
        # An untied, small head keeps the logits flat enough that sampling settings visibly matter.
        self.head = nn.Linear(D, V, bias=False)
        nn.init.normal_(self.head.weight, std=0.35)
        # Specials other than text never win, so long generations do not end by chance.
        bias = torch.zeros(V)
        bias[: len(SPECIALS)] = -30.0
        self.register_buffer("bias", bias)

    def forward(self, inputs_embeds, past_key, past_value):
        b, t = inputs_embeds.shape[0], inputs_embeds.shape[1]
        p = past_key.shape[3]
        positions = torch.arange(t).float() + p
        freqs = torch.arange(D).float() * 0.37 + 0.05
        x = inputs_embeds + torch.sin(positions.unsqueeze(1) * freqs.unsqueeze(0)).unsqueeze(0)
        keys, values = [], []
        query_pos = torch.arange(t) + p
        key_pos = torch.arange(t + p)
        visible = key_pos.unsqueeze(0) <= query_pos.unsqueeze(1)
        for layer in range(L):
            q, k, v = self.qkv[layer](self.norm[layer](x)).split(D, dim=-1)
            q = q.reshape(b, t, H, HD).transpose(1, 2)
            k = torch.cat([past_key[layer], k.reshape(b, t, H, HD).transpose(1, 2)], dim=2)
            v = torch.cat([past_value[layer], v.reshape(b, t, H, HD).transpose(1, 2)], dim=2)
            keys.append(k)
            values.append(v)
            scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(HD)
            scores = torch.where(visible, scores, torch.full_like(scores, -1e9))
            attended = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, t, D)
            x = x + self.out[layer](attended)
        last = self.final(x[:, -1, :])
        logits = self.head(last) + self.bias
        return logits, torch.stack(keys), torch.stack(values)


def export(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=17)


def main():
    vision_cfg = """name: "vision_encoder"
backend: "onnxruntime"
max_batch_size: 4
input [ { name: "pixel_values" data_type: TYPE_FP32 dims: [ 3, %d, %d ] } ]
output [ { name: "image_embeds" data_type: TYPE_FP32 dims: [ %d, %d ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
dynamic_batching { max_queue_delay_microseconds: 2000 }
parameters { key: "image_size" value: { string_value: "%d" } }
parameters { key: "image_tokens" value: { string_value: "%d" } }
parameters { key: "hidden_size" value: { string_value: "%d" } }
""" % (IMG, IMG, Q, D, IMG, Q, D)
    write(f"{OUT}/vision_encoder/config.pbtxt", vision_cfg)
    export(Vision(), (torch.randn(2, 3, IMG, IMG),), f"{OUT}/vision_encoder/1/model.onnx",
           ["pixel_values"], ["image_embeds"], {"pixel_values": {0: "B"}, "image_embeds": {0: "B"}})

    text_cfg = """name: "text_embedder"
backend: "onnxruntime"
max_batch_size: 4
input [ { name: "text" data_type: TYPE_STRING dims: [ 1 ] } ]
output [ { name: "embedding" data_type: TYPE_FP32 dims: [ %d ] } ]
parameters { key: "tokenizer" value: { string_value: "tokenizer.json" } }
parameters { key: "max_text_tokens" value: { string_value: "6" } }
parameters { key: "embedding_dim" value: { string_value: "%d" } }
""" % (E, E)
    write(f"{OUT}/text_embedder/config.pbtxt", text_cfg)
    write(f"{OUT}/text_embedder/1/tokenizer.json", tokenizer_json())
    export(TextEmbedder(), (torch.randint(0, V, (2, 5)), torch.ones(2, 5, dtype=torch.long)),
           f"{OUT}/text_embedder/1/model.onnx", ["input_ids", "attention_mask"], ["embedding"],
           {"input_ids": {0: "B", 1: "T"}, "attention_mask": {0: "B", 1: "T"}, "embedding": {0: "B"}})

    table = nn.Embedding(V, D)
    llm_cfg = """name: "llm"
backend: "onnx_decoder"
max_batch_size: 0
model_transaction_policy { decoupled: true }
input [
  { name: "text_input" data_type: TYPE_STRING dims: [ 1 ] },
  { name: "image_embeds" data_type: TYPE_FP32 dims: [ -1, %d, %d ] optional: true },
  { name: "max_tokens" data_type: TYPE_INT32 dims: [ 1 ] optional: true },
  { name: "temperature" data_type: TYPE_FP32 dims: [ 1 ] optional: true },
  { name: "top_p" data_type: TYPE_FP32 dims: [ 1 ] optional: true },
  { name: "top_k" data_type: TYPE_INT32 dims: [ 1 ] optional: true },
  { name: "repetition_penalty" data_type: TYPE_FP32 dims: [ 1 ] optional: true },
  { name: "seed" data_type: TYPE_INT64 dims: [ 1 ] optional: true },
  { name: "stop_words" data_type: TYPE_STRING dims: [ -1 ] optional: true },
  { name: "num_beams" data_type: TYPE_INT32 dims: [ 1 ] optional: true },
  { name: "length_penalty" data_type: TYPE_FP32 dims: [ 1 ] optional: true }
]
output [
  { name: "text_output" data_type: TYPE_STRING dims: [ 1 ] },
  { name: "finish_reason" data_type: TYPE_STRING dims: [ 1 ] },
  { name: "prompt_tokens" data_type: TYPE_INT32 dims: [ 1 ] },
  { name: "completion_tokens" data_type: TYPE_INT32 dims: [ 1 ] }
]
parameters { key: "tokenizer" value: { string_value: "tokenizer.json" } }
parameters { key: "image_placeholder" value: { string_value: "<ImageHere>" } }
parameters { key: "image_tokens" value: { string_value: "%d" } }
parameters { key: "hidden_size" value: { string_value: "%d" } }
parameters { key: "context_length" value: { string_value: "100000" } }
parameters { key: "default_max_tokens" value: { string_value: "24" } }
parameters { key: "stop_strings" value: { string_value: "[\\"<eoa>\\",\\"</s>\\"]" } }
""" % (Q, D, Q, D)
    write(f"{OUT}/llm/config.pbtxt", llm_cfg)
    write(f"{OUT}/llm/1/tokenizer.json", tokenizer_json())
    export(Embed(table), (torch.randint(0, V, (1, 4)),), f"{OUT}/llm/1/embed.onnx", ["input_ids"],
           ["inputs_embeds"], {"input_ids": {0: "B", 1: "T"}, "inputs_embeds": {0: "B", 1: "T"}})
    past = torch.randn(L, 1, H, 3, HD)
    export(Decoder(), (torch.randn(1, 4, D), past, past.clone()), f"{OUT}/llm/1/model.onnx",
           ["inputs_embeds", "past_key", "past_value"], ["logits", "present_key", "present_value"],
           {"inputs_embeds": {0: "B", 1: "T"}, "past_key": {1: "B", 3: "P"}, "past_value": {1: "B", 3: "P"},
            "logits": {0: "B"}, "present_key": {1: "B", 3: "S"}, "present_value": {1: "B", 3: "S"}})

    # A model whose config names another model: the server must report it UNAVAILABLE and keep serving.
    write(f"{OUT}/broken/config.pbtxt", 'name: "not_broken"\nbackend: "onnxruntime"\nmax_batch_size: 0\n'
          'input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] } ]\n'
          'output [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n')


if __name__ == "__main__":
    main()
