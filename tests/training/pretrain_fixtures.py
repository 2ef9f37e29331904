"""Curated-style WebDataset shards of synthetic captioned clips (real H.264 mp4s) and a tiny, fast recipe.

Import the fixtures into a test module: ``from tests.training.pretrain_fixtures import caption_shards, recipe_path``.
"""
from __future__ import annotations

import json

import pytest
import webdataset as wds
import yaml

from bench.media_sample import render
from models.synthetic_clips import make_dataset
from schemas.shard_index import sample_key
from training.recipe import CONFIG_DIR

CLIPS = 24
CATEGORIES = ("少儿动漫", "科技", "旅游")


@pytest.fixture(scope="session")
def caption_shards(tmp_path_factory):
    """Two shards of 12 samples: 23 synthetic clips with their captions (three categories) and one corrupt video.
    Returns the glob pattern."""
    root = tmp_path_factory.mktemp("caption_shards")
    frames, captions, _ = make_dataset(CLIPS, seed=3, frames=8, size=64)
    samples = []
    for i in range(CLIPS):
        video = render(frames[i], root / f"c{i}.mp4", seconds=2, side=64).read_bytes()
        if i == 5:
            video = video[:200] + b"\x00" * 300 + video[500:]  # header and first frames destroyed
        row = {"video_id": f"clip{i:02d}", "title": captions[i], "category": CATEGORIES[i % 3], "width": 64,
               "height": 64}
        samples.append({"__key__": sample_key(row["video_id"]), "mp4": video, "txt": captions[i].encode(),
                        "json": json.dumps(row, ensure_ascii=False).encode()})
    for shard in range(2):
        with wds.TarWriter(str(root / f"shard-{shard:06d}.tar")) as writer:
            for sample in samples[shard::2]:
                writer.write(sample)
    return str(root / "shard-*.tar")


@pytest.fixture(scope="session")
def recipe_path(tmp_path_factory):
    """The bundled tiny recipe with a small batch, no warm-up to speak of and frequent checkpoints."""
    tree = yaml.safe_load((CONFIG_DIR / "pretrain_tiny.yaml").read_text(encoding="utf-8"))
    tree["data"] = {**tree.get("data", {}), "batch_size": 4, "num_workers": 0}
    tree["train"] = {**tree.get("train", {}), "steps": 40, "lr": 1e-3, "warmup_steps": 5, "log_every": 1,
                     "save_every": 10, "device": "cpu"}
    path = tmp_path_factory.mktemp("recipe") / "pretrain_test.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    return path
