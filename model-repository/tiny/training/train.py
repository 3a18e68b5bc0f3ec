"""Trains the tiny XComposer-shaped model in two stages, exports it to ONNX and lays it out for Triton.

    /usr/bin/python3 train.py all --profile cpu        # ~1 hour on 2 CPU cores (Debian python3-torch 1.13)
    python3 train.py train --profile gpu --out DIR     # minutes on one GPU; writes weight shards to DIR
    /usr/bin/python3 train.py export --weights DIR     # ONNX (opset 17) + configs + tokenizer + eval data
    /usr/bin/python3 train.py import --out DIR         # weights recovered from the committed graphs (to continue)

Stages (XComposer's recipe in small): stage 1 trains an image backbone and a text encoder contrastively
(InfoNCE) with per-cell attribute heads; stage 2 freezes the backbone and trains a perceive sampler and the
decoder on every task of tasks.py. Step counts are calibrated from the time budget unless given, and the counts
used are printed and written to the training log so a run can be repeated exactly with --stage1-steps and
--stage2-steps.

This is the command line and the training loops; the modules it uses import none of it (hparams, tokenizer,
scenes -> tasks -> data, models -> weights -> export -> import_onnx -> train)."""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Mapping

import numpy as np
import torch
import torch.nn.functional as F

import export
import import_onnx
import scenes
import tasks
from data import Stage1Data, Stage2Data, build_sequence, build_tokenizer, loader, to_pixels
from hparams import HELDOUT_SEED, MODEL, TRAIN_SEED
from models import build_models
from tokenizer import Tokenizer
from weights import load_weights, save_weights

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

PROFILES = {
    "cpu": dict(stage1_minutes=12, stage2_minutes=42, batch1=96, batch2=32, workers=1, threads=2),
    "gpu": dict(stage1_minutes=1.5, stage2_minutes=5.0, batch1=256, batch2=128, workers=14, threads=2),
    "smoke": dict(stage1_minutes=0.15, stage2_minutes=0.3, batch1=16, batch2=8, workers=0, threads=2),
}
LOG_FORMAT = logging.Formatter("[%(asctime)s] %(message)s", datefmt="%H:%M:%S")

log = logging.getLogger("train")
Models = Mapping[str, torch.nn.Module]


def lr_at(step: int, total: int, base: float, warmup: int) -> float:
    """Linear warm-up, then cosine decay to 5 % of the peak."""
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def calibrate(step_fn: Callable[[int, int], object], minutes: float, label: str) -> int:
    """Runs 40 steps, the last 25 timed, and returns how many steps fit the budget."""
    for _ in range(15):
        step_fn(0, 1000)
    t = time.time()
    for _ in range(25):
        step_fn(0, 1000)
    per_step = (time.time() - t) / 25
    steps = max(50, int(minutes * 60 / per_step))
    log.info("%s: %.1f ms/step -> %d steps for %s min", label, per_step * 1000, steps, minutes)
    return steps


def stage1(m: Models, tok: Tokenizer, args: argparse.Namespace, device: torch.device) -> int:
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

    total = args.stage1_steps if args.stage1_steps is not None else calibrate(step, args.stage1_minutes, "stage1")
    t0 = time.time()
    for i in range(total):
        step(i, total)
        if i % 200 == 0 or i == total - 1:
            log.info("stage1 step %d/%d nce %.3f aux %.4f (%.0fs)", i, total, ema["nce"], ema["aux"], time.time() - t0)
    return total


def stage2(m: Models, tok: Tokenizer, args: argparse.Namespace, device: torch.device) -> int:
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
            emb = emb.masked_scatter((ids == tok.img_id).unsqueeze(-1), img_tokens.reshape(-1, MODEL.hidden))
        logits = m["decoder"].train_logits(emb[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        ema[task] = loss.item() if task not in ema else 0.95 * ema[task] + 0.05 * loss.item()
        return loss

    total = args.stage2_steps if args.stage2_steps is not None else calibrate(step, args.stage2_minutes, "stage2")
    t0 = saved = time.time()
    for i in range(total):
        step(i, total)
        if args.stop_minutes is not None and time.time() - t0 > args.stop_minutes * 60:
            log.info("stage2 stopped at step %d/%d by --stop-minutes %s", i + 1, total, args.stop_minutes)
            total = i + 1
            break
        if time.time() - saved > args.save_minutes * 60:
            save_weights(m, args.out)  # a run stopped by a time limit keeps its progress
            saved = time.time()
        if i % args.log_every == 0 or i == total - 1:
            losses = " ".join(f"{k}={v:.3f}" for k, v in sorted(ema.items()))
            log.info("stage2 step %d/%d %s (%.0fs)", i, total, losses, time.time() - t0)
    return total


# ------------------------------------------------------------------ quick PyTorch evaluation (the reference numbers are the Java ones)
@torch.no_grad()
def generate(m: Models, tok: Tokenizer, segs_prompt: str, scene_list: list[scenes.Scene], device: torch.device,
             max_new: int = 300) -> str:
    """Greedy answer to one prompt, in PyTorch."""
    ids, _ = build_sequence(tok, [(segs_prompt, False)])
    ids_t = torch.tensor([ids], device=device)
    emb = m["decoder"].tok(ids_t)
    if scene_list:
        imgs = np.stack([scenes.render(s) for s in scene_list])
        img_tokens = m["sampler"](m["backbone"](to_pixels(imgs, device)))
        emb = emb.masked_scatter((ids_t == tok.img_id).unsqueeze(-1), img_tokens.reshape(-1, MODEL.hidden))
    pk, pv = m["decoder"].empty_past(1, device)
    out = []
    logits, pk, pv = m["decoder"](emb, pk, pv)
    for _ in range(min(max_new, MODEL.context - len(ids))):
        nxt = int(logits[0].argmax())
        if nxt in (tok.eoa_id, tok.eos_id):
            break
        out.append(nxt)
        logits, pk, pv = m["decoder"](m["decoder"].tok(torch.tensor([[nxt]], device=device)), pk, pv)
    return tok.decode(out)


def quick_eval(m: Models, tok: Tokenizer, device: torch.device, per_cell: int = 20) -> dict[str, float]:
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
    log.info("quick eval (PyTorch, greedy, exact match): %s", json.dumps(results))
    return results


# ------------------------------------------------------------------ commands
def cmd_train(args: argparse.Namespace) -> None:
    torch.manual_seed(TRAIN_SEED)
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(args.out, exist_ok=True)
    training_log = logging.FileHandler(os.path.join(args.out, "train.log"), mode="a")
    training_log.setFormatter(LOG_FORMAT)
    logging.getLogger().addHandler(training_log)
    tok = build_tokenizer()
    with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
        f.write(tok.to_json())
    log.info("torch %s on %s; profile %s; vocab %d", torch.__version__, device, args.profile, len(tok))
    m = build_models(len(tok))
    if args.init:
        load_weights(m, args.init)
        log.info("continuing from the weights in %s", args.init)
    for mod in m.values():
        mod.to(device)
    log.info("parameters: %s", ", ".join(f"{k}={sum(p.numel() for p in v.parameters()) / 1e6:.2f}M"
                                          for k, v in m.items()))
    t = time.time()
    s1 = stage1(m, tok, args, device) if args.stage1_steps != 0 else 0
    log.info("stage1 done: %d steps in %.0fs", s1, time.time() - t)
    t = time.time()
    s2 = stage2(m, tok, args, device)
    log.info("stage2 done: %d steps in %.0fs; repeat with --stage1-steps %d --stage2-steps %d",
             s2, time.time() - t, s1, s2)
    save_weights(m, args.out)
    if not args.skip_eval:
        quick_eval(m, tok, device)


def parser() -> argparse.ArgumentParser:
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
    p.add_argument("--batch2", type=int, default=None, help="stage-2 batch size (default: the profile's)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: the profile's)")
    p.add_argument("--stop-minutes", type=float, default=None,
                   help="wall-clock limit of stage 2's loop: stop there, keep the weights (the schedule is unchanged)")
    p.add_argument("--task-weights", type=json.loads, default=None, help="JSON task -> weight for stage 2")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    for k, v in PROFILES[args.profile].items():
        if getattr(args, k, None) is None:
            setattr(args, k, v)
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(LOG_FORMAT)
    logging.basicConfig(level=logging.INFO, handlers=[console])
    if args.command in ("train", "all"):
        cmd_train(args)
    if args.command == "import":
        import_onnx.run(REPO, args.out)
    if args.command in ("export", "all"):
        export.run(args.weights or args.out, REPO)


if __name__ == "__main__":
    main()
