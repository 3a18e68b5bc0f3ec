"""Trains the tiny XComposer-shaped model in two stages, exports it to ONNX and lays it out for Triton.

    /usr/bin/python3 train.py all --profile cpu        # ~1 hour on 2 CPU cores (Debian python3-torch 1.13)
    python3 train.py train --profile gpu --out DIR     # minutes on one GPU; writes weight shards to DIR
    /usr/bin/python3 train.py export --weights DIR     # ONNX (opset 17) + configs + tokenizer + eval data
    /usr/bin/python3 train.py import --out DIR         # weights recovered from the committed graphs (to continue)

Stages (XComposer's recipe in small): stage 1 trains an image backbone and a text encoder contrastively
(InfoNCE) with per-cell attribute heads; stage 2 freezes the backbone and trains a perceive sampler and the
decoder on every task of tasks.py. Step counts are calibrated from the time budget unless given, and the counts
used are printed and written to the training log so a run can be repeated exactly with --stage1-steps and
--stage2-steps."""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402
import scenes  # noqa: E402
import tasks  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MEAN = (0.5, 0.5, 0.5)
STD = (0.25, 0.25, 0.25)
IMAGE_QUERIES = 16
IMAGE_TOKENS = IMAGE_QUERIES + 2
HIDDEN = 256
CONTEXT = 512
EMBED_DIM = 128
MAX_TEXT_TOKENS = 64
DECODER_LAYERS = 5

PROFILES = {
    "cpu": dict(stage1_minutes=12, stage2_minutes=42, batch1=96, batch2=32, workers=1, threads=2),
    "gpu": dict(stage1_minutes=1.5, stage2_minutes=5.0, batch1=256, batch2=128, workers=14, threads=2),
    "smoke": dict(stage1_minutes=0.15, stage2_minutes=0.3, batch1=16, batch2=8, workers=0, threads=2),
}
TRAIN_SEED = 1
VOCAB_SEED = 12345
HELDOUT_SEED = 2
GALLERY_SEED = 3


def log(msg, fh=None):
    line = f"[{time.strftime('%H:%M:%S')}] {msg}"
    print(line, flush=True)
    if fh:
        fh.write(line + "\n")
        fh.flush()


# ------------------------------------------------------------------ tokenizer
def build_tokenizer():
    rng = np.random.default_rng(VOCAB_SEED)
    corpus = []
    for task in tasks.TASKS:
        if task == "text_only":
            continue
        for lang in ("en", "zh"):
            for _ in range(400):
                segs, _, _ = tasks.sample(rng, task, lang)
                corpus.append("".join(s for s, _ in segs))
    for lang in ("en", "zh"):
        for qs, a in tasks.TEXT_QA[lang]:
            corpus.extend(qs + [a])
        corpus.append(tasks.FALLBACK[lang])
    for template in tasks.COMPOSITION.values():
        corpus.append(template)
    return Tokenizer.build(corpus)


# ------------------------------------------------------------------ data
def to_pixels(images_uint8, device):
    x = torch.from_numpy(images_uint8).to(device).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=device).view(1, 3, 1, 1)
    return (x - mean) / std


def encode_text_batch(tok, texts, max_len=MAX_TEXT_TOKENS):
    ids = [tok.encode(t)[:max_len] for t in texts]
    t = max(len(i) for i in ids)
    arr = np.full((len(ids), t), tok.pad_id, dtype=np.int64)
    mask = np.zeros((len(ids), t), dtype=np.int64)
    for r, i in enumerate(ids):
        arr[r, :len(i)] = i
        mask[r, :len(i)] = 1
    return arr, mask


def build_sequence(tok, segs):
    ids, labels = [tok.bos_id], [-100]
    ph = tok.index["<ImageHere>"]
    for text, target in segs:
        for t in tok.encode(text):
            expanded = [tok.img_id] * IMAGE_TOKENS if t == ph else [t]
            ids.extend(expanded)
            labels.extend(expanded if target else [-100] * len(expanded))
    return ids, labels


class Stage1Data(torch.utils.data.IterableDataset):
    def __init__(self, tok, batch, seed):
        self.tok, self.batch, self.seed = tok, batch, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.seed, info.id if info else 0])
        while True:
            sc = [scenes.random_scene(rng) for _ in range(self.batch)]
            imgs = np.stack([scenes.render(s) for s in sc])
            texts = [s.caption("en" if rng.random() < 0.5 else "zh") for s in sc]
            ids, mask = encode_text_batch(self.tok, texts)
            labels = np.stack([np.stack(scenes.cell_labels(s)) for s in sc])  # [B, 3, 9]
            yield imgs, ids, mask, labels


class Stage2Data(torch.utils.data.IterableDataset):
    def __init__(self, tok, batch, seed, weights=None):
        self.tok, self.batch, self.seed = tok, batch, seed
        weights = weights or tasks.TASK_WEIGHTS
        self.names = list(weights)
        w = np.array([weights[n] for n in self.names])
        self.weights = w / w.sum()

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.seed, 7, info.id if info else 0])
        while True:
            task = self.names[rng.choice(len(self.names), p=self.weights)]
            seqs, labs, imgs = [], [], []
            while len(seqs) < self.batch:
                segs, sc, _ = tasks.sample(rng, task)
                ids, labels = build_sequence(self.tok, segs)
                if len(ids) > CONTEXT:
                    continue
                seqs.append(ids)
                labs.append(labels)
                imgs.extend(scenes.render(s) for s in sc)
            t = max(len(s) for s in seqs)
            ids = np.full((len(seqs), t), self.tok.pad_id, dtype=np.int64)
            labels = np.full((len(seqs), t), -100, dtype=np.int64)
            for r, (s, l) in enumerate(zip(seqs, labs)):
                ids[r, :len(s)] = s
                labels[r, :len(l)] = l
            images = np.stack(imgs) if imgs else np.zeros((0, 64, 64, 3), dtype=np.uint8)
            yield task, ids, labels, images


def loader(dataset, workers):
    extra = dict(persistent_workers=True, prefetch_factor=4) if workers else {}
    return iter(torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=workers, **extra))


# ------------------------------------------------------------------ model assembly
def build_models(vocab):
    backbone = models.Backbone()
    return {
        "backbone": backbone,
        "image_head": models.ImageHead(backbone.width, EMBED_DIM),
        "cell_heads": models.CellHeads(backbone.width, len(scenes.SHAPES), len(scenes.COLOURS), len(scenes.SIZES)),
        "text_encoder": models.TextEncoder(vocab, max_len=MAX_TEXT_TOKENS, out_dim=EMBED_DIM),
        "sampler": models.PerceiveSampler(backbone.width, queries=IMAGE_QUERIES, out_dim=HIDDEN),
        "decoder": models.Decoder(vocab, dim=HIDDEN, layers=DECODER_LAYERS, context=CONTEXT),
    }


def lr_at(step, total, base, warmup):
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def calibrate(step_fn, minutes, fh, label):
    """Runs 40 steps, the last 25 timed, and returns how many steps fit the budget."""
    for _ in range(15):
        step_fn(0, 1000)
    t = time.time()
    for _ in range(25):
        step_fn(0, 1000)
    per_step = (time.time() - t) / 25
    steps = max(50, int(minutes * 60 / per_step))
    log(f"{label}: {per_step * 1000:.1f} ms/step -> {steps} steps for {minutes} min", fh)
    return steps


def stage1(m, tok, args, device, fh):
    params = [p for k in ("backbone", "image_head", "cell_heads", "text_encoder") for p in m[k].parameters()]
    scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07), device=device))
    opt = torch.optim.AdamW(params + [scale], lr=1e-3, weight_decay=0.01)
    data = loader(Stage1Data(tok, args.batch1, TRAIN_SEED), args.workers)
    for k in ("backbone", "image_head", "cell_heads", "text_encoder"):
        m[k].train()
    ema = {}

    def step(i, total):
        imgs, ids, mask, labels = next(data)
        for g in opt.param_groups:
            g["lr"] = lr_at(i, total, 1e-3, 100)
        grid = m["backbone"](to_pixels(imgs.numpy() if torch.is_tensor(imgs) else imgs, device))
        img_emb = m["image_head"](grid)
        txt_emb = m["text_encoder"](ids.to(device), mask.to(device))
        logits = scale.exp().clamp(max=100) * img_emb @ txt_emb.t()
        target = torch.arange(logits.shape[0], device=device)
        nce = (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2
        # Identical captions in one batch are true positives; InfoNCE treats them as negatives, a small noise.
        labels = labels.to(device)
        s, c, z = m["cell_heads"](grid)
        aux = (F.cross_entropy(s.reshape(-1, s.shape[-1]), labels[:, 0].reshape(-1))
               + F.cross_entropy(c.reshape(-1, c.shape[-1]), labels[:, 1].reshape(-1))
               + F.cross_entropy(z.reshape(-1, z.shape[-1]), labels[:, 2].reshape(-1)))
        loss = nce + aux
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        for k, v in (("nce", nce.item()), ("aux", aux.item())):
            ema[k] = v if k not in ema else 0.98 * ema[k] + 0.02 * v
        return loss

    total = args.stage1_steps if args.stage1_steps is not None else calibrate(step, args.stage1_minutes, fh, "stage1")
    t0 = time.time()
    for i in range(total):
        step(i, total)
        if i % 200 == 0 or i == total - 1:
            log(f"stage1 step {i}/{total} nce {ema['nce']:.3f} aux {ema['aux']:.4f} ({time.time() - t0:.0f}s)", fh)
    return total


def stage2(m, tok, args, device, fh):
    backbone = m["backbone"].eval()
    for p in backbone.parameters():
        p.requires_grad_(False)
    m["sampler"].train()
    m["decoder"].train()
    params = list(m["sampler"].parameters()) + list(m["decoder"].parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    data = loader(Stage2Data(tok, args.batch2, TRAIN_SEED + (args.init is not None), args.task_weights), args.workers)
    ema = {}

    def step(i, total):
        task, ids, labels, images = next(data)
        for g in opt.param_groups:
            g["lr"] = lr_at(i, total, args.lr2, 200 if args.init is None else 50)
        ids, labels = ids.to(device), labels.to(device)
        emb = m["decoder"].tok(ids)
        if images.shape[0]:
            with torch.no_grad():
                grid = backbone(to_pixels(images.numpy(), device))
            img_tokens = m["sampler"](grid)
            emb = emb.masked_scatter((ids == tok.img_id).unsqueeze(-1), img_tokens.reshape(-1, HIDDEN))
        logits = m["decoder"].train_logits(emb[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        ema[task] = loss.item() if task not in ema else 0.95 * ema[task] + 0.05 * loss.item()
        return loss

    total = args.stage2_steps if args.stage2_steps is not None else calibrate(step, args.stage2_minutes, fh, "stage2")
    t0 = saved = time.time()
    for i in range(total):
        step(i, total)
        if time.time() - saved > args.save_minutes * 60:
            save_weights(m, args.out)  # a run stopped by a time limit keeps its progress
            saved = time.time()
        if i % args.log_every == 0 or i == total - 1:
            losses = " ".join(f"{k}={v:.3f}" for k, v in sorted(ema.items()))
            log(f"stage2 step {i}/{total} {losses} ({time.time() - t0:.0f}s)", fh)
    return total


# ------------------------------------------------------------------ weights as numpy shards (portable across torch versions)
SHARD_BYTES = 14 * 1024 * 1024


def save_weights(m, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    arrays = {f"{name}.{k}": v.detach().cpu().float().numpy() if v.is_floating_point() else v.detach().cpu().numpy()
              for name, mod in m.items() for k, v in mod.state_dict().items()}
    shard, size, n = {}, 0, 0
    for key in sorted(arrays):
        if shard and size + arrays[key].nbytes > SHARD_BYTES:
            write_shard(out_dir, n, shard)
            shard, size, n = {}, 0, n + 1
        shard[key] = arrays[key]
        size += arrays[key].nbytes
    write_shard(out_dir, n, shard)


def write_shard(out_dir, n, arrays):
    # Written aside and renamed, so that a run killed by a time limit never leaves a half-written shard behind.
    final = os.path.join(out_dir, f"weights-{n}.npz")
    with open(final + ".part", "wb") as f:
        np.savez(f, **arrays)
    os.replace(final + ".part", final)


def load_weights(m, in_dir):
    arrays = {}
    for f in sorted(os.listdir(in_dir)):
        if f.startswith("weights-") and f.endswith(".npz"):
            with np.load(os.path.join(in_dir, f)) as z:
                arrays.update({k: z[k] for k in z.files})
    for name, mod in m.items():
        prefix = name + "."
        state = {k[len(prefix):]: torch.from_numpy(v) for k, v in arrays.items() if k.startswith(prefix)}
        if not state:
            # Stage 2 needs only backbone, sampler and decoder; a folder may hold just those (a size limit on
            # what reaches a GPU machine), and the other modules then keep their initialisation.
            log(f"{name}: not in {in_dir}, keeps its initialisation")
            continue
        missing, unexpected = mod.load_state_dict(state, strict=False)
        # Weights from before the relative-position bias keep their zero initialisation; nothing else may differ.
        if unexpected or any(not k.endswith("rel_bias") for k in missing):
            raise ValueError(f"{name}: missing {missing}, unexpected {unexpected}")


# ------------------------------------------------------------------ quick PyTorch evaluation (the reference numbers are the Java ones)
@torch.no_grad()
def generate(m, tok, segs_prompt, scene_list, device, max_new=300):
    ids, _ = build_sequence(tok, [(segs_prompt, False)])
    ids_t = torch.tensor([ids], device=device)
    emb = m["decoder"].tok(ids_t)
    if scene_list:
        imgs = np.stack([scenes.render(s) for s in scene_list])
        img_tokens = m["sampler"](m["backbone"](to_pixels(imgs, device)))
        emb = emb.masked_scatter((ids_t == tok.img_id).unsqueeze(-1), img_tokens.reshape(-1, HIDDEN))
    pk, pv = m["decoder"].empty_past(1, device)
    out = []
    logits, pk, pv = m["decoder"](emb, pk, pv)
    for _ in range(min(max_new, CONTEXT - len(ids))):
        nxt = int(logits[0].argmax())
        if nxt in (tok.eoa_id, tok.eos_id):
            break
        out.append(nxt)
        logits, pk, pv = m["decoder"](m["decoder"].tok(torch.tensor([[nxt]], device=device)), pk, pv)
    return tok.decode(out)


def quick_eval(m, tok, device, fh, per_cell=20):
    for mod in m.values():
        mod.eval()
    rng = np.random.default_rng(HELDOUT_SEED + 100)
    results = {}
    for task in tasks.TASKS:
        for lang in ("en", "zh"):
            n = per_cell if task != "write" else 4
            ok = 0
            for _ in range(n):
                segs, sc, meta = tasks.sample(rng, task, lang)
                prompt = "".join(s for s, _ in segs[:-1])
                got = generate(m, tok, prompt, sc, device)
                if task == "slot_caption":
                    got = got.rstrip('"')
                ok += int(got == meta["answer"])
            results[f"{task}/{lang}"] = ok / n
    log("quick eval (PyTorch, greedy, exact match): " + json.dumps(results), fh)
    return results


# ------------------------------------------------------------------ commands
def cmd_train(args):
    torch.manual_seed(TRAIN_SEED)
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(args.out, exist_ok=True)
    fh = open(os.path.join(args.out, "train.log"), "a")
    tok = build_tokenizer()
    with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
        f.write(tok.to_json())
    log(f"torch {torch.__version__} on {device}; profile {args.profile}; vocab {len(tok)}", fh)
    m = build_models(len(tok))
    if args.init:
        load_weights(m, args.init)
        log(f"continuing from the weights in {args.init}", fh)
    for mod in m.values():
        mod.to(device)
    log("parameters: " + ", ".join(f"{k}={sum(p.numel() for p in v.parameters()) / 1e6:.2f}M" for k, v in m.items()), fh)
    t = time.time()
    s1 = stage1(m, tok, args, device, fh) if args.stage1_steps != 0 else 0
    log(f"stage1 done: {s1} steps in {time.time() - t:.0f}s", fh)
    t = time.time()
    s2 = stage2(m, tok, args, device, fh)
    log(f"stage2 done: {s2} steps in {time.time() - t:.0f}s; repeat with --stage1-steps {s1} --stage2-steps {s2}", fh)
    save_weights(m, args.out)
    if not args.skip_eval:
        quick_eval(m, tok, device, fh)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["train", "export", "all", "import"])
    p.add_argument("--profile", choices=sorted(PROFILES), default="cpu")
    p.add_argument("--out", default=os.path.join(REPO, "work"))
    p.add_argument("--weights", default=None, help="folder with weights-*.npz (export); default --out")
    p.add_argument("--stage1-steps", type=int, default=None)
    p.add_argument("--stage2-steps", type=int, default=None)
    p.add_argument("--skip-eval", action="store_true")
    p.add_argument("--init", default=None, help="continue stage 2 from the weights-*.npz in this folder")
    p.add_argument("--lr2", type=float, default=1e-3, help="stage-2 peak learning rate")
    p.add_argument("--log-every", type=int, default=500, help="stage-2 steps between loss lines")
    p.add_argument("--save-minutes", type=float, default=10, help="stage-2 checkpoint interval")
    p.add_argument("--stage2-minutes", type=float, default=None, help="stage-2 time budget (default: the profile's)")
    p.add_argument("--task-weights", type=json.loads, default=None, help="JSON task -> weight for stage 2")
    args = p.parse_args()
    for k, v in PROFILES[args.profile].items():
        if getattr(args, k, None) is None:
            setattr(args, k, v)
    if args.command in ("train", "all"):
        cmd_train(args)
    if args.command == "import":
        import import_onnx
        import_onnx.run(REPO, args.out)
    if args.command in ("export", "all"):
        import export
        export.run(args.weights or args.out, REPO)


if __name__ == "__main__":
    main()
