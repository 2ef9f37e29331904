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


def _model_rates(frames: list[np.ndarray]) -> dict[str, Any]:
    """Frames/s on one core (one torch / onnxruntime thread) of the three per-frame signals #12 added."""
    import torch

    from filters.perceptual_hash import frame_hashes
    from filters.text_area import TextAreaScorer
    from models.nsfw_classifier import NSFW_DIR, NsfwClassifier
    from schemas.config import QualityConfig

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        count = sum(len(video) for video in frames)
        nsfw = NsfwClassifier(NSFW_DIR / "weights.npz", device="cpu", precision="fp32")
        nsfw.probabilities(frames[0][:4])  # warm-up
        started = time.perf_counter()
        nsfw.probabilities_many(frames, batch_size=4)
        nsfw_fps = count / (time.perf_counter() - started)
        ocr = TextAreaScorer(QualityConfig(text_threads=1))
        ocr.score(frames[0], "")  # loads the detector
        started = time.perf_counter()
        for video in frames:
            ocr.score(video, "")
        ocr_fps = len(frames) * QualityConfig().text_frames / (time.perf_counter() - started)
        started = time.perf_counter()
        for video in frames:
            frame_hashes(video)
        hash_fps = count / (time.perf_counter() - started)
    finally:
        torch.set_num_threads(threads)
    return {"nsfw_frames_per_s": round(nsfw_fps, 1), "ocr_det_frames_per_s": round(ocr_fps, 1),
            "phash_frames_per_s": round(hash_fps, 1),
            "model_ms_per_video": round(1000 * (8 / nsfw_fps + QualityConfig().text_frames / ocr_fps + 8 / hash_fps), 1)}


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
    result["per_frame_models_one_core"] = _model_rates(frames)
    result.update(_with_and_without(records_path, len(records), work / "out", TINY_RECIPE))
    result["real_footage"] = _real_footage(work / "real")
    return result


TINY_RECIPE = ["--phase", "all", "--config", str(DEFAULT_RECIPE.parent / "tiny_clip.yaml")]
WITHOUT_MODELS = ["--set", "quality.text_detection=false", "--set", "visual_safety.nsfw=false"]


def _with_and_without(records_path: Path, videos: int, work: Path, recipe: list[str]) -> dict[str, Any]:
    """``curate --phase all`` twice: as configured, and without the NSFW classifier and the text detector."""
    result = {}
    for name, extra in (("end_to_end", []), ("end_to_end_without_nsfw_and_ocr", WITHOUT_MODELS)):
        result[name] = end_to_end(str(records_path), str(work / name), recipe + extra)
        result[name]["videos_per_second"] = round(videos / result[name]["seconds"], 2)
    with_models, without = result["end_to_end"], result["end_to_end_without_nsfw_and_ocr"]
    result["nsfw_and_ocr_share_of_cpu"] = round(1 - without["cpu_seconds"] / with_models["cpu_seconds"], 3)
    return result


def _real_footage(work: Path) -> dict[str, Any] | None:
    """bench/real_footage.py's corpus end to end, with and without the two models; how many land where planted."""
    from bench.real_footage import CURATE_SETTINGS, make_real_corpus
    from pipeline.manifest import read_ledger

    made = make_real_corpus(work / "corpus")
    if made is None:
        return None
    records_path, truth_path = made
    truth = [json.loads(line) for line in open(truth_path, encoding="utf-8")]
    videos = sorted((work / "corpus" / "videos").glob("*.mp4"))
    frames = [sample_frames(str(p), num_frames=8, short_side=224, timeout_s=20) for p in videos]
    recipe = [*TINY_RECIPE, *CURATE_SETTINGS,
              "--set", "visual_safety.nsfw_threshold=0.9"]  # the default recipe's bar (tiny_clip.yaml records only)
    result: dict[str, Any] = {"videos": len(truth), "per_frame_models_one_core": _model_rates(frames),
                              **_with_and_without(records_path, len(truth), work, recipe)}
    rows = {r["video_id"]: r for r in read_ledger(str(work / "end_to_end" / "ledger"),
                                                  ["video_id", "stage", "dup_of"]).to_pylist()}
    result["at_planted_stage"] = sum(rows[t["video_id"]]["stage"] == t["expect_stage"]
                                     and rows[t["video_id"]]["dup_of"] == t["dup_of"] for t in truth)
    return result
