"""The per-video media stages in order: decode (probe + sampled frames), duration on the probed length, quality.

One call per kept record. Each outcome is a plain dict of ledger columns plus, when a stage rejects, status, stage
and reason; sampled frames are returned alongside for the stages that embed them, never stored in the ledger.
A missing, unreadable or hostile file is a ``decode`` error for that record only: the run goes on.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from filters.duration import DurationFilter
from filters.remote_files import open_uri, uri_size
from filters.video_decode import sample_frames
from filters.video_probe import MediaError, ProbeLimits, probe
from filters.visual_quality import VisualQualityFilter
from schemas.config import Config
from schemas.records import MediaItem



def read_remote(uri: str, max_bytes: int) -> bytes:
    """A video behind a URI (gs://, s3://, hdfs://..., through the registered reader) as bytes, refusing oversized
    files first."""
    try:
        size = uri_size(uri)
    except Exception as exc:  # noqa: BLE001 - readers raise several types for missing objects / bad schemes
        raise MediaError(f"cannot read {uri}: {exc}") from exc
    if size is None:
        raise MediaError(f"missing file: {uri}")
    if size > max_bytes:
        raise MediaError(f"file too large: {size} bytes > {max_bytes}")
    with open_uri(uri) as handle:
        return handle.read()


class MediaChain:
    def __init__(self, config: Config) -> None:
        self.decode = config.decode
        self.limits = ProbeLimits(max_side=config.decode.max_side, max_bytes=config.decode.max_bytes)
        self.duration = DurationFilter(config.duration)
        self.quality = VisualQualityFilter(config.quality)

    def process(self, item: MediaItem) -> tuple[dict[str, Any], np.ndarray | None]:
        """(ledger updates, frames or None) for one video."""
        video_path, meta_duration = item.video_path, item.duration
        if not video_path:
            return {"status": "error", "stage": "decode", "reason": "no video_path for this record"}, None
        try:
            source = read_remote(video_path, self.limits.max_bytes) if "://" in video_path else video_path
            info = probe(source, timeout_s=self.decode.timeout_s, limits=self.limits)
        except MediaError as exc:
            return {"status": "error", "stage": "decode", "reason": _without_path(exc.reason, video_path)}, None
        result: dict[str, Any] = {
            "duration": info["duration"], "duration_meta": meta_duration, "width": info["width"],
            "height": info["height"], "fps": info["fps"], "codec": info["codec"],
            "has_audio": info["has_audio"], "video_bytes": info["bytes"],
        }
        reason = self.duration.decide({"duration": info["duration"]})
        if reason:
            result.update(status="rejected", stage="duration", reason=f"probed {reason}")
            return result, None
        try:
            frames = sample_frames(source, num_frames=self.decode.num_frames, short_side=self.decode.short_side,
                                   timeout_s=self.decode.timeout_s, size=(info["width"], info["height"]))
        except MediaError as exc:
            result.update(status="error", stage="decode", reason=_without_path(exc.reason, video_path))
            return result, None
        scores = self.quality.score({"width": info["width"], "height": info["height"], "frames": frames,
                                     "title": item.title})
        result.update(scores)
        reason = self.quality.decide(scores)
        if reason:
            result.update(status="rejected", stage="quality", reason=reason)
        return result, frames


def _without_path(reason: str, video_path: str) -> str:
    """A reason naming the file by its base name: the ledger row holds the (input-relative) path, and a reason must
    not carry this machine's absolute paths."""
    if not video_path or "://" in video_path:  # a URI is the input's own name for the video, not this machine's
        return reason
    return reason.replace(video_path, video_path.rsplit("/", 1)[-1])
