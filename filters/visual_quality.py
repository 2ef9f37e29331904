"""Visual quality from the probe and a handful of sampled frames: resolution, aspect ratio, blank and static video.

Works on what ``decode`` already produced (probed ``width``/``height`` and the (N, H, W, 3) uint8 frames from
``filters.video_decode.sample_frames``), so it costs a few milliseconds of numpy and no extra decoding. Scores go to
the ledger; ``decide`` only compares them with ``QualityConfig``, so thresholds can be re-applied later.

Measures:
- short side and aspect ratio (width / height) of the stored video, from the probe (the frames are downscaled).
- blank fraction: share of sampled frames whose spatial pixel standard deviation, taken per colour channel and then
  the largest of the three, is below ``blank_std``. Per channel, so a solid red or blue card counts as blank too.
- motion: mean absolute difference between consecutive sampled frames (0-255 scale). The samples are 1/N of the video
  apart (1.5 s for a 12 s clip at N=8), so this measures change over the video, not optical flow: a slideshow scores
  high, a still image with music (a common re-upload pattern) scores ~0.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pyarrow as pa

from filters.text_area import COLUMNS as TEXT_COLUMNS, TextAreaScorer
from schemas.config import QualityConfig


class VisualQualityFilter:
    stage = "quality"
    columns: tuple[tuple[str, pa.DataType], ...] = (
        ("quality_short_side", pa.int32()),
        ("quality_aspect", pa.float32()),
        ("quality_blank_fraction", pa.float32()),
        ("quality_motion", pa.float32()),
        ("quality_frames", pa.int32()),  # how many frames the two frame scores saw (for "5/8" in reasons)
        *TEXT_COLUMNS,                   # on-screen text: filters/text_area.py
    )

    def __init__(self, config: QualityConfig | None = None) -> None:
        self.config = config or QualityConfig()
        self.text_area = TextAreaScorer(self.config) if self.config.text_detection else None  # loads on first use

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]:
        width, height = record.get("width"), record.get("height")
        frames = record.get("frames")
        scores: dict[str, Any] = {
            "quality_short_side": None, "quality_aspect": None, "quality_blank_fraction": None,
            "quality_motion": None, "quality_frames": 0,
        }
        if width and height and width > 0 and height > 0:
            scores["quality_short_side"] = int(min(width, height))
            scores["quality_aspect"] = float(np.float32(width / height))
        if frames is not None and len(frames):
            frames = np.asarray(frames)
            if frames.ndim != 4 or frames.shape[-1] != 3:
                raise ValueError(f"frames must be (N, H, W, 3), got {frames.shape}")
            scores["quality_frames"] = int(frames.shape[0])
            scores["quality_blank_fraction"] = float(np.float32(blank_fraction(frames, self.config.blank_std)))
            motion = motion_score(frames)
            scores["quality_motion"] = None if motion is None else float(np.float32(motion))
            if self.text_area is not None:
                scores.update(self.text_area.score(frames, record.get("title") or ""))
        return scores

    def decide(self, scores: Mapping[str, Any]) -> str | None:
        cfg = self.config
        aspect, short = scores.get("quality_aspect"), scores.get("quality_short_side")
        # Aspect first: a banner (640x100) is rejected for its shape, which is the real defect, not its height.
        if aspect is not None and not cfg.min_aspect <= aspect <= cfg.max_aspect:
            return f"aspect ratio {aspect:.2f} outside {cfg.min_aspect:.2f}-{cfg.max_aspect:.2f}"
        if short is not None and short < cfg.min_short_side:
            return f"resolution {_size_text(short, aspect)}: short side {short} < {cfg.min_short_side}"
        blank, count = scores.get("quality_blank_fraction"), scores.get("quality_frames") or 0
        if blank is not None and blank > cfg.max_blank_fraction:
            return f"blank: {round(blank * count)}/{count} frames near-uniform"
        motion = scores.get("quality_motion")
        if motion is not None and motion < cfg.static_threshold:
            return f"static: motion {motion:.1f} < {cfg.static_threshold:.1f}"
        text = scores.get("quality_text_area_mean")
        if cfg.text_detection and text is not None and text > cfg.max_text_area:
            return f"on-screen text covers {text:.0%} of the frame (mean) > {cfg.max_text_area:.0%}"
        return None


def _size_text(short: int, aspect: float | None) -> str:
    """'96x64' back from the short side and the aspect ratio (exact for any real size in float32)."""
    if not aspect:
        return f"?x{short}"
    long = round(short * max(aspect, 1 / aspect))
    return f"{long}x{short}" if aspect >= 1 else f"{short}x{long}"


def frame_std(frames: np.ndarray) -> np.ndarray:
    """Per frame: the largest of the three per-channel spatial standard deviations (0-255 scale)."""
    flat = frames.reshape(frames.shape[0], -1, frames.shape[-1]).astype(np.float32)
    return flat.std(axis=1).max(axis=1)


def blank_fraction(frames: np.ndarray, blank_std: float) -> float:
    """Share of frames that are near-uniform (a solid colour, black, white)."""
    return float(np.mean(frame_std(frames) < blank_std))


def motion_score(frames: np.ndarray) -> float | None:
    """Mean absolute difference between consecutive frames (0-255); None with fewer than 2 frames."""
    if frames.shape[0] < 2:
        return None
    diffs = [np.abs(frames[i + 1].astype(np.int16) - frames[i].astype(np.int16)).mean()
             for i in range(frames.shape[0] - 1)]
    return float(np.mean(diffs))
