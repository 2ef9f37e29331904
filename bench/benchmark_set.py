"""A synthetic Youku-mPLUG-style benchmark with real structure: clips of six categories, curated by our own pipeline,
split by source and title, written in the benchmark's CSV formats.

Each category is a scene of ``models.synthetic_clips`` (what a video shows decides its category, as on the platform);
each clip's title is its caption (colour, shape, motion, scene). Some sources are cut into two clips with one title,
and some titles recur across sources; clips joined by a source or a title form one group, and groups go wholly to
train or test (the benchmark's rule), a fixed share of each category's groups to test.

The train split is curated first (``curate --phase all``, tiny CLIP); the test split is curated ``--against`` it, so
no test clip duplicates a training clip. The test run's kept clips become ``classification.csv``, ``retrieval.csv``
and ``captioning.csv`` (two golden captions per clip: its title and the same content in another template);
``classification_train.csv`` lists the train run's kept clips for fitting the linear head. Pretraining reads the train
run's shards.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from bench.media_sample import render
from models.synthetic_clips import COLOURS, MOTIONS, SHAPES, TEMPLATES, caption_for, render_clip
from schemas.benchmark_csv import write_benchmark

SCENE_CATEGORY = {"黑色背景": "科技", "草地": "三农", "天空": "旅游", "沙滩": "日常生活", "雪地": "竞技体育",
                  "水面": "纪录片"}
MOVING = [m for m in MOTIONS if m != "静止不动"]  # a static clip is quality's to reject, not a benchmark item


def _clips(per_category: int, rng: np.random.Generator) -> list[dict]:
    """Clip specs: attributes, source, title; every 4th source also cut a second time (same title)."""
    out = []
    for scene in SCENE_CATEGORY:
        for k in range(per_category):
            attrs = {"shape": SHAPES[rng.integers(len(SHAPES))], "colour": list(COLOURS)[rng.integers(len(COLOURS))],
                     "motion": MOVING[rng.integers(len(MOVING))], "scene": scene,
                     "template": int(rng.integers(len(TEMPLATES)))}
            source = f"{len(out):04d}"
            out.append({"attrs": attrs, "source": source, "title": caption_for(attrs)})
            if k % 4 == 3:
                out.append({"attrs": attrs, "source": source, "title": caption_for(attrs)})
    return out


def split_groups(sources: list[str], titles: list[str]) -> list[int]:
    """Group number of each clip: clips sharing a source or a title are one group (union-find)."""
    parent = list(range(len(sources)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    first: dict[tuple[str, str], int] = {}
    for i, key in enumerate(zip(sources, titles)):
        for part in (("source", key[0]), ("title", key[1])):
            j = first.setdefault(part, i)
            parent[find(i)] = find(j)
    return [find(i) for i in range(len(sources))]


def _test_groups(groups: list[int], categories: list[str], test_share: float) -> set[int]:
    """A fixed share of each category's groups (ordered by a hash of their first clip) for the test split."""
    chosen: set[int] = set()
    for category in sorted(set(categories)):
        mine = sorted({g for g, c in zip(groups, categories) if c == category},
                      key=lambda g: hashlib.blake2b(str(g).encode(), digest_size=8).digest())
        chosen.update(mine[:max(1, round(len(mine) * test_share))])
    return chosen


def make_benchmark_set(root: str | Path, per_category: int = 20, test_share: float = 0.3, seed: int = 11,
                       seconds: float = 11.0) -> dict[str, Path]:
    """Render the clips and write ``train.jsonl`` / ``test.jsonl`` (curation inputs) under ``root``."""
    root = Path(root)
    (root / "videos").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    clips = _clips(per_category, rng)
    groups = split_groups([c["source"] for c in clips], [c["title"] for c in clips])
    categories = [SCENE_CATEGORY[c["attrs"]["scene"]] for c in clips]
    test = _test_groups(groups, categories, test_share)
    lines: dict[str, list[str]] = {"train": [], "test": []}
    for i, (clip, group, category) in enumerate(zip(clips, groups, categories)):
        frames = render_clip(clip["attrs"], rng, frames=8, size=64)
        # lengths spread over 45 s: the synthetic titles are one-character edits of each other, which near_dup
        # rightly merges when the durations agree too (a repost keeps its length)
        duration = round(seconds + (i * 3.7) % 45, 1)
        render(frames, root / "videos" / f"v{i:04d}.mp4", duration)
        record = {"video_id": f"v{i:04d}", "title": clip["title"], "duration": duration,
                  "category": category, "video_path": f"videos/v{i:04d}.mp4", "source": clip["source"],
                  "group": group, "attrs": clip["attrs"]}
        lines["test" if group in test else "train"].append(json.dumps(record, ensure_ascii=False) + "\n")
    paths = {}
    for split, rows in lines.items():
        paths[split] = root / f"{split}.jsonl"
        paths[split].write_text("".join(rows), encoding="utf-8")
    return paths


def _kept(run: Path) -> set[str]:
    from pipeline.manifest import read_ledger

    table = read_ledger(str(run / "ledger"), ["video_id", "status"])
    return {v for v, s in zip(table.column("video_id").to_pylist(), table.column("status").to_pylist())
            if s == "kept"}


def write_csvs(root: str | Path, train_run: Path, test_run: Path) -> dict[str, Path]:
    """The benchmark CSVs of the kept clips (FILE paths relative to ``root``)."""
    root = Path(root)
    records = {split: [json.loads(line) for line in (root / f"{split}.jsonl").read_text(encoding="utf-8")
                       .splitlines()] for split in ("train", "test")}
    kept = {"train": _kept(train_run), "test": _kept(test_run)}
    rows = {split: [r for r in records[split] if r["video_id"] in kept[split]] for split in records}
    other = [(r, caption_for({**r["attrs"], "template": (r["attrs"]["template"] + 2) % len(TEMPLATES)}))
             for r in rows["test"]]
    files = {
        "classification.csv": write_benchmark([(r["video_path"], r["title"], r["category"]) for r in rows["test"]],
                                              "classification"),
        "classification_train.csv": write_benchmark([(r["video_path"], r["title"], r["category"])
                                                     for r in rows["train"]], "classification"),
        "retrieval.csv": write_benchmark([(r["video_path"], r["title"]) for r in rows["test"]], "retrieval"),
        "captioning.csv": write_benchmark([(r["video_path"], caption) for r, second in other
                                           for caption in dict.fromkeys((r["title"], second))], "captioning"),
    }
    out = {}
    for name, data in files.items():
        out[name] = root / name
        out[name].write_bytes(data)
    return out
