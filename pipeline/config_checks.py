"""Range checks for every numeric and enumerated setting, run when a config is loaded.

Why at load time: a value such as ``read.split_bytes=0`` or ``near_dup.bands=0`` used to surface as a traceback
deep inside a worker, and ``read.max_title_chars=-1`` silently rejected every record. One table here says what each
setting may hold; a bad value stops the command with one line naming the key, before anything runs.
"""
from __future__ import annotations

import math
import re
from typing import Any

INF = math.inf

# key: (lowest, highest), both inclusive
RANGES: dict[str, tuple[float, float]] = {
    "read.batch_size": (1, 1_000_000),
    "read.split_bytes": (1024, INF),
    "read.min_units": (1, 1_000_000),
    "read.max_title_chars": (1, 1_000_000),
    "shuffle.flush_records": (1, INF),
    "duration.min_seconds": (0, INF),
    "duration.max_seconds": (0, INF),
    "title_quality.min_chars": (0, INF),
    "title_quality.max_chars": (1, INF),
    "title_quality.max_char_run": (1, INF),
    "language.min_han_share": (0, 1),
    "language.mixed_min_han_share": (0, 1),
    "language.mixed_min_prob": (0, 1),
    "language.mixed_min_han_chars": (0, INF),
    "language.max_kana_share": (0, 1),
    "language.min_kana_chars": (0, INF),
    "language.max_hangul_share": (0, 1),
    "text_safety.classifier_threshold": (0, 1),
    "exact_dup.partitions": (0, 1_000_000),
    "near_dup.num_perm": (1, 1024),
    "near_dup.bands": (1, 1024),
    "near_dup.rows": (1, 1024),
    "near_dup.ngram": (1, 16),
    "near_dup.seed": (0, 2**32 - 1),
    "near_dup.max_edits": (0, 8),
    "near_dup.max_affix_chars": (0, INF),
    "near_dup.min_chars": (0, INF),
    "near_dup.duration_tolerance": (0, INF),
    "near_dup.max_bucket_texts": (2, INF),
    "near_dup.partitions": (0, 1_000_000),
    "near_dup.cc_rounds": (0, 64),
    "decode.num_frames": (1, 256),
    "decode.short_side": (8, 8192),
    "decode.timeout_s": (0.001, INF),
    "decode.max_side": (1, INF),
    "decode.max_bytes": (1, INF),
    "decode.batch_size": (1, 100_000),
    "quality.min_short_side": (0, INF),
    "quality.min_aspect": (0, INF),
    "quality.max_aspect": (0, INF),
    "quality.max_blank_fraction": (0, 1),
    "quality.blank_std": (0, INF),
    "quality.static_threshold": (0, INF),
    "quality.text_frames": (1, 64),
    "quality.text_det_side": (32, 4096),
    "quality.max_text_area": (0, 1),
    "quality.text_threads": (0, 1024),
    "clip.batch_size": (1, 100_000),
    "clip_score.percentile": (0, 100),
    "clip_score.threshold": (-1, 1),
    "visual_safety.threshold": (0, 1),
    "visual_safety.logit_scale": (1e-6, INF),
    "visual_safety.nsfw_threshold": (0, 2),
    "visual_safety.nsfw_sexy_weight": (0, 1),
    "visual_safety.nsfw_min_frames": (1, 1024),
    "visual_safety.nsfw_batch_size": (1, 4096),
    "category.min_confidence": (0, 1),
    "category.min_agreement": (0, 1),
    "category.top_k": (1, 45),
    "category.single_min_confidence": (0, 1),
    "category.logit_scale": (1e-6, INF),
    "visual_dup.threshold": (-1, 2),  # above 1: visual dedup off
    "visual_dup.bands": (1, 1024),
    "visual_dup.rows": (1, 64),
    "visual_dup.seed": (0, 2**32 - 1),
    "visual_dup.duration_tolerance": (0, INF),
    "visual_dup.hash_max_distance": (0, 64),
    "visual_dup.hash_min_fraction": (0, 1),
    "visual_dup.max_bucket": (2, INF),
    "shards.samples_per_shard": (1, INF),
    "shards.max_bytes": (1, INF),
    "balance.max_per_category": (0, INF),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "clip.precision": ("auto", "fp32", "fp16", "bf16"),
    "clip_score.mode": ("percentile", "absolute"),
}
_DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?|mps)$")


def _get(config: Any, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(config, section), name)


def _pairs(config: Any) -> list[tuple[bool, str]]:
    """(holds, message) for settings that constrain each other."""
    nd = config.near_dup
    return [
        (config.duration.min_seconds <= config.duration.max_seconds,
         "duration.min_seconds must not exceed duration.max_seconds"),
        (config.title_quality.min_chars <= config.title_quality.max_chars,
         "title_quality.min_chars must not exceed title_quality.max_chars"),
        (config.quality.min_aspect <= config.quality.max_aspect,
         "quality.min_aspect must not exceed quality.max_aspect"),
        (nd.bands * nd.rows <= nd.num_perm,
         f"near_dup.bands x near_dup.rows ({nd.bands} x {nd.rows}) must not exceed near_dup.num_perm ({nd.num_perm})"),
    ]


def check_ranges(config: Any, ranges: dict[str, tuple[float, float]],
                 choices: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Problems with ``section.key`` settings of ``config`` against inclusive ranges and allowed values."""
    problems = []
    for key, (low, high) in ranges.items():
        value = _get(config, key)
        if isinstance(value, float) and math.isnan(value) or not low <= value <= high:
            span = f"at least {low:g}" if high == INF else f"between {low:g} and {high:g}"
            problems.append(f"{key}: expected a value {span}, got {value!r}")
    for key, allowed in (choices or {}).items():
        if _get(config, key) not in allowed:
            problems.append(f"{key}: expected one of {', '.join(allowed)}, got {_get(config, key)!r}")
    return problems


def valid_device(device: str) -> bool:
    return bool(_DEVICE.match(device))


def check_config(config: Any) -> list[str]:
    """Every problem with ``config``, one message each (empty when usable)."""
    problems = check_ranges(config, RANGES, CHOICES)
    if not _DEVICE.match(config.clip.device):
        problems.append(f"clip.device: expected auto, cpu, cuda, cuda:N or mps, got {config.clip.device!r}")
    if not problems:
        problems = [message for holds, message in _pairs(config) if not holds]
    return problems
