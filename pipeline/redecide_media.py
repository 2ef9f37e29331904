"""Re-deciding the media stages from what the original run stored: probed fields, quality scores, clip scores,
visual-safety and category scores, and the float16 embeddings beside the ledger. Nothing is decoded and no model
runs for a record whose scores exist.

A record the new thresholds let further than the original run did (past a stricter-then-looser probed duration, a
quality rejection, or into the media stages at all) has no scores for the stages it never reached: it is
``missing``. ``reshard`` lists those, and with ``--compute-missing`` runs just them through the media stages
(``filters.media_scorer.MediaScorer``), after which they are decided like every other record.
"""
from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import numpy as np
from apache_beam.io.filesystems import FileSystems

from filters.category_check import CategoryCheckFilter
from filters.duration import DurationFilter
from filters.visual_quality import VisualQualityFilter
from filters.visual_safety import VisualSafetyFilter
from pipeline import uris
from pipeline.config import Config
from pipeline.redecide import input_duration
from schemas.records import MediaItem, MediaOutcome

MISSING = "missing"


class MediaReplay:
    """Stored media outcome of one kept record -> ledger updates (with pending reasons), or MISSING."""

    def __init__(self, config: Config) -> None:
        self.duration = DurationFilter(config.duration)
        self.quality = VisualQualityFilter(config.quality)
        self.scorers = (VisualSafetyFilter.decider(config.visual_safety),
                        CategoryCheckFilter.decider(config.category))

    def outcome(self, row: dict[str, Any], old: tuple) -> MediaOutcome | str:
        old_status, old_stage, old_reason = old
        if old_status == "error" and old_stage == "decode":
            return MediaOutcome({"status": "error", "stage": "decode", "reason": old_reason})
        if row.get("duration_meta") is None and row.get("video_bytes") is None:
            return MISSING  # never probed
        reason = self.duration.decide({"duration": row.get("duration")})
        if reason:
            return MediaOutcome({"status": "rejected", "stage": "duration", "reason": f"probed {reason}"})
        if row.get("quality_frames") is None:
            return MISSING
        scores = {name: row.get(name) for name, _ in self.quality.columns}
        reason = self.quality.decide(scores)
        if reason:
            return MediaOutcome({"status": "rejected", "stage": "quality", "reason": reason})
        if row.get("clip_score_mean") is None:
            return MISSING
        pending = []
        for scorer in self.scorers:
            reason = scorer.decide({name: row.get(name) for name, _ in scorer.columns})
            if reason:
                pending.append((scorer.stage, reason))
        return MediaOutcome({}, tuple(pending))


@lru_cache(maxsize=64)
def stored_embeddings(path: str) -> dict[int, tuple[np.ndarray, np.ndarray | None]]:
    """record_id -> (frame embeddings (float32), frame hashes or None) of one embeddings file (files written before
    perceptual hashes hold none: their videos pair by embedding only)."""
    with FileSystems.open(path) as handle:
        data = np.load(io.BytesIO(handle.read()))
    offsets = data["frame_offsets"]
    frames = data["frame_embeddings"].astype(np.float32)
    hashes = data["frame_hashes"] if "frame_hashes" in data.files else None
    return {int(rid): (frames[offsets[i]:offsets[i + 1]], None if hashes is None else hashes[offsets[i]:offsets[i + 1]])
            for i, rid in enumerate(data["record_id"].tolist())}


def media_item(row: dict[str, Any], input_root: str = "") -> tuple:
    """What the media stages need of a record (``transforms.ledger``'s media item); the ledger's input-relative
    ``video_path`` resolved against the source run's input root."""
    path = uris.resolve(input_root, row["video_path"]) if input_root else row["video_path"]
    return MediaItem(row["record_id"], row["video_id"], path, input_duration(row), row["title"], row["category"])
