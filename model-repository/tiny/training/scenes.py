"""Deterministic synthetic scenes: 1-3 coloured shapes on a 3x3 layout, with ground truth and texts in
English and Chinese. Everything the tiny model learns is derived from these scenes, so every answer it is
trained on (and evaluated against) can be checked."""
from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Container
from dataclasses import dataclass, field

import numpy as np

IMAGE_SIZE = 64
GRID = 3

COLOURS = ["red", "green", "blue", "yellow", "purple", "orange"]
COLOUR_RGB = {
    "red": (215, 40, 40), "green": (40, 160, 60), "blue": (45, 85, 220),
    "yellow": (235, 205, 35), "purple": (145, 60, 190), "orange": (245, 135, 25),
}
SHAPES = ["circle", "square", "triangle", "star"]
SIZES = ["small", "large"]
# Cells in reading order: 0 = top left ... 8 = bottom right.
POSITIONS = ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"]

ZH_COLOUR = {"red": "红色", "green": "绿色", "blue": "蓝色", "yellow": "黄色", "purple": "紫色", "orange": "橙色"}
ZH_SHAPE = {"circle": "圆形", "square": "正方形", "triangle": "三角形", "star": "星形"}
ZH_SIZE = {"small": "小", "large": "大"}
ZH_POSITION = ["左上方", "上方", "右上方", "左侧", "中间", "右侧", "左下方", "下方", "右下方"]
EN_POSITION_PHRASE = ["at the top left", "at the top", "at the top right", "on the left", "in the center",
                      "on the right", "at the bottom left", "at the bottom", "at the bottom right"]
EN_NUMBER = ["zero", "one", "two", "three"]


@dataclass(frozen=True)
class Obj:
    shape: str
    colour: str
    size: str
    cell: int

    def en(self, article: str = "a") -> str:
        return f"{article} {self.size} {self.colour} {self.shape}"

    def zh(self) -> str:
        return f"一个{ZH_SIZE[self.size]}的{ZH_COLOUR[self.colour]}{ZH_SHAPE[self.shape]}"


@dataclass
class Scene:
    objects: list[Obj]  # sorted by cell (reading order)
    background: tuple[int, int, int]
    seed: int = 0
    jitter: list = field(default_factory=list)

    def caption(self, lang: str) -> str:
        if lang == "en":
            parts = [f"{o.en()} {EN_POSITION_PHRASE[o.cell]}" for o in self.objects]
            text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
            return text[0].upper() + text[1:] + "."
        return "，".join(f"{ZH_POSITION[o.cell]}有{o.zh()}" for o in self.objects) + "。"

    def truth(self) -> dict:
        return {"objects": [{"shape": o.shape, "colour": o.colour, "size": o.size, "cell": o.cell,
                             "position": POSITIONS[o.cell]} for o in self.objects]}


def random_scene(rng: np.random.Generator, n_objects: int | None = None,
                 required: tuple[str | None, str | None] | None = None,
                 forbid_caption: Container[str] | None = None) -> Scene:
    """A random scene. `required` (shape, colour) forces one object with those attributes (None = any)."""
    for _ in range(100):
        n = n_objects or int(rng.integers(1, 4))
        cells = sorted(rng.choice(9, size=n, replace=False).tolist())
        objs = []
        for c in cells:
            objs.append(Obj(SHAPES[rng.integers(4)], COLOURS[rng.integers(6)], SIZES[rng.integers(2)], c))
        if required is not None:
            i = int(rng.integers(n))
            shape, colour = required
            o = objs[i]
            objs[i] = Obj(shape or o.shape, colour or o.colour, o.size, o.cell)
        scene = Scene(objs, background_colour(rng), int(rng.integers(1 << 31)))
        if forbid_caption is None or scene.caption("en") not in forbid_caption:
            return scene
    return scene


def background_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    base = rng.integers(205, 256)
    tint = rng.integers(-18, 19, size=3)
    return tuple(int(np.clip(base + t, 190, 255)) for t in tint)


_SS = 2  # supersampling factor for smooth edges


def _shape_mask(shape, xx, yy, cx, cy, r, rot):
    dx, dy = xx - cx, yy - cy
    if shape == "circle":
        return dx * dx + dy * dy <= r * r
    if shape == "square":
        s = r * 0.86
        return (np.abs(dx) <= s) & (np.abs(dy) <= s)
    if shape == "triangle":
        pts = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in
               (-math.pi / 2 + rot, -math.pi / 2 + rot + 2 * math.pi / 3, -math.pi / 2 + rot + 4 * math.pi / 3)]
        return _polygon_mask(xx, yy, pts)
    if shape == "star":
        pts = []
        for k in range(10):
            a = -math.pi / 2 + rot + k * math.pi / 5
            rr = r if k % 2 == 0 else r * 0.45
            pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        return _polygon_mask(xx, yy, pts)
    raise ValueError(shape)


def _polygon_mask(xx, yy, pts):
    # Even-odd rule crossing test, vectorised over the pixel window.
    inside = np.zeros(xx.shape, dtype=bool)
    n = len(pts)
    for i in range(n):
        x1, y1 = pts[i]
        x2, y2 = pts[(i + 1) % n]
        cond = (y1 > yy) != (y2 > yy)
        xint = (x2 - x1) * (yy - y1) / ((y2 - y1) if y2 != y1 else 1e-9) + x1
        inside ^= cond & (xx < xint)
    return inside


def render(scene: Scene) -> np.ndarray:
    """Render to uint8 HxWx3. The scene's own seed drives jitter, so a scene always renders the same."""
    rng = np.random.default_rng(scene.seed)
    size = IMAGE_SIZE * _SS
    img = np.empty((size, size, 3), dtype=np.float32)
    img[:] = scene.background
    cell = IMAGE_SIZE / GRID
    for o in scene.objects:
        row, col = divmod(o.cell, GRID)
        r = (rng.uniform(7.8, 9.6) if o.size == "large" else rng.uniform(4.2, 5.4))
        cx = (col + 0.5) * cell + rng.uniform(-1.8, 1.8)
        cy = (row + 0.5) * cell + rng.uniform(-1.8, 1.8)
        rot = rng.uniform(-0.25, 0.25)
        colour = np.clip(np.array(COLOUR_RGB[o.colour]) + rng.integers(-14, 15, size=3), 0, 255)
        # Only the shape's bounding window is tested, in supersampled pixel units.
        x0, x1 = max(0, int((cx - r - 1) * _SS)), min(size, int((cx + r + 1) * _SS) + 1)
        y0, y1 = max(0, int((cy - r - 1) * _SS)), min(size, int((cy + r + 1) * _SS) + 1)
        xs = (np.arange(x0, x1) + 0.5) / _SS
        ys = (np.arange(y0, y1) + 0.5) / _SS
        yy, xx = np.meshgrid(ys, xs, indexing="ij")
        window = img[y0:y1, x0:x1]
        window[_shape_mask(o.shape, xx, yy, cx, cy, r, rot)] = colour
    # No pixel noise: held-out sets and the retrieval gallery are committed as PNG, and clean scenes stay small.
    img = img.reshape(IMAGE_SIZE, _SS, IMAGE_SIZE, _SS, 3).mean(axis=(1, 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def cell_labels(scene: Scene) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per named cell: shape index+1, colour index+1, size index+1 (0 = empty). Used by stage-1 aux heads."""
    shape = np.zeros(9, dtype=np.int64)
    colour = np.zeros(9, dtype=np.int64)
    size = np.zeros(9, dtype=np.int64)
    for o in scene.objects:
        shape[o.cell] = SHAPES.index(o.shape) + 1
        colour[o.cell] = COLOURS.index(o.colour) + 1
        size[o.cell] = SIZES.index(o.size) + 1
    return shape, colour, size


def write_png(path: str, pixels: np.ndarray) -> None:
    """Minimal PNG writer (RGB, 8-bit) so the training scripts need no imaging library."""
    h, w, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
