"""``ykcurate bench media``: decode, embedding and end-to-end rates of the media phase on the generated video sample.

Decode is measured per core against a plain full decode of the same clips, because the point of sampling is that
decoding must not be what leaves a GPU idle: frames/s of ``sample_frames`` (probe excluded and included) vs frames/s
of decoding every frame.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.media_sample import make_media_sample
from bench.text import end_to_end
from filters.video_decode import full_decode_rate, sample_frames
from filters.video_probe import probe
from models.clip_model import load_clip
from pipeline.config import DEFAULT_RECIPE


def _sample_vs_full(path: Path) -> dict[str, float]:
    info = probe(str(path), timeout_s=20)
    started = time.perf_counter()
    sample_frames(str(path), num_frames=8, short_side=224, timeout_s=None, size=(info["width"], info["height"]))
    sample_ms = (time.perf_counter() - started) * 1000
    frames = round(info["duration"] * info["fps"])
    full_ms = frames / full_decode_rate(str(path)) * 1000
    return {"width": info["width"], "height": info["height"], "seconds": round(info["duration"], 1),
            "sample_8_frames_ms": round(sample_ms, 1), "full_decode_ms": round(full_ms, 1)}


def run_media_bench(workdir: str, clips: int = 24) -> dict[str, Any]:
    work = Path(workdir)
    records_path, truth_path = make_media_sample(work / "sample", clips=clips)
    truth = {json.loads(line)["video_id"]: json.loads(line) for line in open(truth_path, encoding="utf-8")}
    records = [json.loads(line) for line in open(records_path, encoding="utf-8")]
    def path(r):
        return Path(r["video_path"]) if Path(r["video_path"]).is_absolute() else work / "sample" / r["video_path"]

    good = [path(r) for r in records if truth[r["video_id"]]["kind"] == "clean"]
    real = [path(r) for r in records if truth[r["video_id"]]["kind"].startswith("real")]
    result: dict[str, Any] = {"videos": len(records), "good_clips": len(good)}
    result["decode_real_footage_one_core"] = {p.name: _sample_vs_full(p) for p in real}

    started = time.perf_counter()
    infos = [probe(str(p), timeout_s=20) for p in good]
    probe_s = time.perf_counter() - started
    started = time.perf_counter()
    frames = [sample_frames(str(p), num_frames=8, short_side=224, timeout_s=20, size=(i["width"], i["height"]))
              for p, i in zip(good, infos)]
    sample_s = time.perf_counter() - started
    full_fps = float(np.mean([full_decode_rate(str(p)) for p in good]))
    source_frames = sum(round(i["duration"] * i["fps"]) for i in infos)
    result["decode_one_core"] = {
        "probe_videos_per_s": round(len(good) / probe_s, 1),
        "sample_videos_per_s": round(len(good) / sample_s, 1),
        "sampled_frames_per_s": round(8 * len(good) / sample_s, 1),
        "source_frames_covered_per_s": round(source_frames / sample_s, 1),
        "plain_full_decode_frames_per_s": round(full_fps, 1),
        "speedup_vs_full_decode": round((source_frames / sample_s) / full_fps, 2),
    }
    encoder = load_clip()
    batch = np.concatenate(frames)
    encoder.embed_images(batch[:8])  # warm-up
    started = time.perf_counter()
    for _ in range(3):
        encoder.embed_images(batch, 64)
    result["embed_images_per_s"] = round(3 * len(batch) / (time.perf_counter() - started), 1)
    result["embed_device"] = encoder.device
    e2e = end_to_end(str(records_path), str(work / "out"),
                     ["--phase", "all", "--config", str(DEFAULT_RECIPE.parent / "tiny_clip.yaml")])
    e2e["videos_per_second"] = round(len(records) / e2e["seconds"], 2)
    result["end_to_end"] = e2e
    return result
