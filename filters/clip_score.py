"""``clip_score``: how well the title describes the frames, from embeddings computed once per video.

Scores are the mean and the max over sampled frames of the cosine between frame and title embeddings (both
L2-normalised). The threshold is absolute, or a percentile of this run's scores (DataComp keeps a top fraction:
absolute CLIP thresholds do not transfer between models, percentiles do); the ledger records the threshold
actually applied, so a reader never has to know which mode was on.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from filters.percentile import percentile
from schemas.config import ClipScoreConfig


def clip_scores(frame_embeddings: np.ndarray, title_embedding: np.ndarray) -> dict[str, float]:
    sims = frame_embeddings.astype(np.float64) @ title_embedding.astype(np.float64)
    return {"clip_score_mean": float(sims.mean()), "clip_score_max": float(sims.max())}


def run_threshold(scores: Sequence[float], config: ClipScoreConfig) -> float | None:
    """The threshold to apply for this run: the configured one, or the configured percentile of ``scores``."""
    if config.mode == "absolute":
        return config.threshold
    if not len(scores):
        return None
    return percentile(scores, config.percentile)  # the pipeline's two-pass computation, in one process


def decide(scores: dict[str, Any], threshold: float | None, config: ClipScoreConfig) -> str | None:
    score = scores.get("clip_score_mean")
    if score is None or threshold is None or score >= threshold:
        return None
    where = "absolute" if config.mode == "absolute" else f"{config.percentile:g}th percentile of this run"
    return f"clip score {score:.3f} < {threshold:.3f} ({where})"
