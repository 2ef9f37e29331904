"""Deterministic synthetic video-caption set: coloured shapes moving over simple scenes, with Chinese captions.

Each clip is T frames of H x W RGB uint8 (default 8 x 64 x 64) showing one shape (圆形/正方形/三角形) in one colour,
doing one motion (向左移动, 向右移动, 向上移动, 向下移动, 静止不动, 旋转, 放大) over one scene (黑色背景, 草地, 天空,
沙滩, 雪地, 水面). The caption names those attributes through one of several templates, e.g. "红色圆形在草地上向右移动".
Same (n, seed) -> identical arrays and captions. Used to train and test the tiny CLIP (models/train_clip.py).
"""
from __future__ import annotations

import numpy as np

SHAPES = ("圆形", "正方形", "三角形")
COLOURS = {  # name -> RGB
    "红色": (220, 30, 30), "绿色": (40, 200, 60), "蓝色": (40, 70, 230), "黄色": (245, 220, 30),
    "紫色": (150, 50, 200), "白色": (250, 250, 250), "橙色": (250, 140, 20),
}
MOTIONS = ("向左移动", "向右移动", "向上移动", "向下移动", "静止不动", "旋转", "放大")
# scene -> (locative phrase used in captions, top colour, bottom colour, texture amplitude)
SCENES = {
    "黑色背景": ("在黑色背景上", (10, 10, 10), (25, 25, 25), 4),
    "草地": ("在草地上", (70, 140, 50), (30, 95, 25), 28),
    "天空": ("在天空中", (90, 150, 235), (175, 215, 250), 6),
    "沙滩": ("在沙滩上", (60, 120, 200), (225, 200, 140), 14),
    "雪地": ("在雪地上", (200, 205, 215), (235, 238, 245), 10),
    "水面": ("在水面上", (20, 70, 120), (40, 110, 160), 18),
}
TEMPLATES = (
    "{colour}{shape}{where}{motion}",
    "{where_bare}上，一个{colour}的{shape}{motion}",
    "一个{colour}{shape}{motion}，背景是{scene}",
    "{colour}的{shape}{where}{motion}",
    "视频里{colour}{shape}{motion}",
)


def caption_for(attrs: dict) -> str:
    """Chinese caption of one clip's attributes (keys shape, colour, motion, scene, template)."""
    where = SCENES[attrs["scene"]][0]
    where_bare = where[1:].rstrip("上中")
    return TEMPLATES[attrs["template"]].format(colour=attrs["colour"], shape=attrs["shape"], motion=attrs["motion"],
                                               scene=attrs["scene"], where=where, where_bare=where_bare)


def _background(scene: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    _, top, bottom, amp = SCENES[scene]
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    img = np.broadcast_to(img, (h, w, 3)).copy()
    if scene == "沙滩":  # sea above, sand below a horizon line
        horizon = int(h * rng.uniform(0.3, 0.45))
        img[:horizon] = np.array(top, np.float32)
        img[horizon:] = np.array(bottom, np.float32)
    elif scene == "天空":  # a couple of soft white clouds
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        for _ in range(2):
            cy, cx, r = rng.uniform(0, h * 0.6), rng.uniform(0, w), rng.uniform(5, 10)
            cloud = np.exp(-(((yy - cy) / r) ** 2 + ((xx - cx) / (1.8 * r)) ** 2))
            img += cloud[..., None] * (255 - img) * 0.8
    elif scene == "草地":  # vertical grass streaks
        img *= (1 + 0.25 * np.sin(np.arange(w, dtype=np.float32) * rng.uniform(1.5, 2.5)))[None, :, None]
    elif scene == "水面":  # horizontal ripples
        img *= (1 + 0.2 * np.sin(np.arange(h, dtype=np.float32) * rng.uniform(0.8, 1.4)))[:, None, None]
    img += rng.normal(0.0, amp / 3.0, size=(h, w, 1)).astype(np.float32)
    return img


def _shape_mask(shape: str, yy, xx, cy: float, cx: float, r: float, angle: float) -> np.ndarray:
    dy, dx = yy - cy, xx - cx
    c, s = np.cos(angle), np.sin(angle)
    u, v = c * dx + s * dy, -s * dx + c * dy
    if shape == "圆形":
        return u * u + v * v <= r * r
    if shape == "正方形":
        half = r * 0.85
        return (np.abs(u) <= half) & (np.abs(v) <= half)
    # equilateral triangle, apex up before rotation, circumradius r
    return (v >= -r) & (v <= r * 0.5) & (np.abs(u) <= (v + r) / np.sqrt(3.0))


def render_clip(attrs: dict, rng: np.random.Generator, frames: int = 8, size: int = 64) -> np.ndarray:
    """(frames, size, size, 3) uint8 clip for `attrs`, with random placement, size, speed, jitter and noise."""
    h = w = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    bg = _background(attrs["scene"], h, w, rng)
    colour = np.clip(np.array(COLOURS[attrs["colour"]], np.float32) + rng.normal(0, 8, 3), 0, 255)
    r0 = rng.uniform(0.13, 0.2) * size
    motion = attrs["motion"]
    travel = rng.uniform(0.3, 0.45) * size
    cy0, cx0 = rng.uniform(0.35, 0.65) * h, rng.uniform(0.35, 0.65) * w
    angle0 = rng.uniform(0, 2 * np.pi) if attrs["shape"] == "圆形" else rng.uniform(-0.15, 0.15)
    out = np.empty((frames, h, w, 3), np.uint8)
    for f in range(frames):
        p = f / max(frames - 1, 1) - 0.5  # -0.5 .. 0.5
        cy, cx, r, angle = cy0, cx0, r0, angle0
        if motion == "向左移动":
            cx = cx0 - p * travel
        elif motion == "向右移动":
            cx = cx0 + p * travel
        elif motion == "向上移动":
            cy = cy0 - p * travel
        elif motion == "向下移动":
            cy = cy0 + p * travel
        elif motion == "旋转":
            angle = angle0 + (p + 0.5) * np.pi * 0.9
        elif motion == "放大":
            r = r0 * (0.6 + 1.0 * (p + 0.5))
        cy += rng.normal(0, 0.4)
        cx += rng.normal(0, 0.4)
        mask = _shape_mask(attrs["shape"], yy, xx, cy, cx, r, angle)
        img = bg.copy()
        img[mask] = colour
        img += rng.normal(0.0, 3.0, size=img.shape).astype(np.float32)
        out[f] = np.clip(img, 0, 255).astype(np.uint8)
    return out


def sample_attributes(n: int, rng: np.random.Generator) -> list[dict]:
    colours = list(COLOURS)
    scenes = list(SCENES)
    return [{"shape": SHAPES[rng.integers(len(SHAPES))], "colour": colours[rng.integers(len(colours))],
             "motion": MOTIONS[rng.integers(len(MOTIONS))], "scene": scenes[rng.integers(len(scenes))],
             "template": int(rng.integers(len(TEMPLATES)))} for _ in range(n)]


def make_dataset(n: int, seed: int = 0, frames: int = 8, size: int = 64):
    """(frames uint8 (n, T, H, W, 3), captions list[str], attributes list[dict]); deterministic in (n, seed, ...)."""
    rng = np.random.default_rng(seed)
    attrs = sample_attributes(n, rng)
    clips = np.empty((n, frames, size, size, 3), np.uint8)
    for i, a in enumerate(attrs):
        clips[i] = render_clip(a, rng, frames, size)
    return clips, [caption_for(a) for a in attrs], attrs


def caption_vocabulary() -> list[str]:
    """Every character the captions can contain (for building the tokenizer vocabulary)."""
    parts = list(SHAPES) + list(COLOURS) + list(MOTIONS) + list(SCENES) + [v[0] for v in SCENES.values()]
    parts += [t.format(colour="", shape="", motion="", scene="", where="", where_bare="") for t in TEMPLATES]
    return sorted(set("".join(parts)))
