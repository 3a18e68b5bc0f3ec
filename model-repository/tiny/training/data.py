"""What the training stages consume: the tokenizer built from the task corpus, pixel normalisation, decoder
sequences with image slots expanded, and the two endless batch streams."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch

import robust
import scenes
import tasks
from hparams import MEAN, MODEL, STD, VOCAB_SEED
from tokenizer import Tokenizer

Stage1Batch = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # images, ids, mask, cell labels [B, 3, 9]
Stage2Batch = tuple[str, np.ndarray, np.ndarray, np.ndarray]  # task, ids, labels, images


def build_tokenizer() -> Tokenizer:
    """The vocabulary of every piece the tasks can produce (seed VOCAB_SEED), so the same code builds the same
    tokenizer."""
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


def to_pixels(images_uint8: np.ndarray, device: torch.device | str) -> torch.Tensor:
    """[B, H, W, 3] uint8 -> normalised [B, 3, H, W] float32, as the served vision_encoder expects."""
    x = torch.from_numpy(images_uint8).to(device).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=device).view(1, 3, 1, 1)
    return (x - mean) / std


def build_sequence(tok: Tokenizer, segs: tasks.Segments,
                   image_tokens: int = MODEL.image_tokens) -> tuple[list[int], list[int]]:
    """Decoder ids (BOS first, each <ImageHere> expanded to `image_tokens` image slots) and labels: the ids of
    target segments, -100 elsewhere."""
    ids, labels = [tok.bos_id], [-100]
    ph = tok.index["<ImageHere>"]
    for text, target in segs:
        for t in tok.encode(text):
            expanded = [tok.img_id] * image_tokens if t == ph else [t]
            ids.extend(expanded)
            labels.extend(expanded if target else [-100] * len(expanded))
    return ids, labels


class Stage1Data(torch.utils.data.IterableDataset):
    """Endless batches of random scenes with a caption in a random language and their per-cell labels."""

    def __init__(self, tok: Tokenizer, batch: int, seed: int) -> None:
        self.tok, self.batch, self.seed = tok, batch, seed

    def __iter__(self) -> Iterator[Stage1Batch]:
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.seed, info.id if info else 0])
        while True:
            sc = [scenes.random_scene(rng) for _ in range(self.batch)]
            imgs = np.stack([scenes.render(s) for s in sc])
            texts = [s.caption("en" if rng.random() < 0.5 else "zh") for s in sc]
            ids, mask = self.tok.encode_batch(texts, MODEL.max_text_tokens)
            labels = np.stack([np.stack(scenes.cell_labels(s)) for s in sc])  # [B, 3, 9]
            yield imgs, ids, mask, labels


class Stage2Data(torch.utils.data.IterableDataset):
    """Endless batches of one task each (drawn by weight), padded; samples longer than the context are skipped."""

    def __init__(self, tok: Tokenizer, batch: int, seed: int, weights: dict[str, float] | None = None) -> None:
        self.tok, self.batch, self.seed = tok, batch, seed
        weights = weights or tasks.TASK_WEIGHTS
        self.names = list(weights)
        w = np.array([weights[n] for n in self.names])
        self.weights = w / w.sum()

    def __iter__(self) -> Iterator[Stage2Batch]:
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.seed, 7, info.id if info else 0])
        while True:
            task = self.names[rng.choice(len(self.names), p=self.weights)]
            seqs, labs, imgs = [], [], []
            while len(seqs) < self.batch:
                segs, sc, _ = robust.sample(rng, task)
                ids, labels = build_sequence(self.tok, segs)
                if len(ids) > MODEL.context:
                    continue
                seqs.append(ids)
                labs.append(labels)
                imgs.extend(scenes.render(s) for s in sc)
            yield task, *_pad(seqs, labs, self.tok.pad_id), _stack_images(imgs)


def _pad(seqs: Sequence[list[int]], labs: Sequence[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    t = max(len(s) for s in seqs)
    ids = np.full((len(seqs), t), pad_id, dtype=np.int64)
    labels = np.full((len(seqs), t), -100, dtype=np.int64)
    for r, (s, lab) in enumerate(zip(seqs, labs)):
        ids[r, :len(s)] = s
        labels[r, :len(lab)] = lab
    return ids, labels


def _stack_images(imgs: list[np.ndarray]) -> np.ndarray:
    size = scenes.IMAGE_SIZE
    return np.stack(imgs) if imgs else np.zeros((0, size, size, 3), dtype=np.uint8)


def loader(dataset: torch.utils.data.IterableDataset, workers: int) -> Iterator:
    extra = dict(persistent_workers=True, prefetch_factor=4) if workers else {}
    return iter(torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=workers, **extra))
