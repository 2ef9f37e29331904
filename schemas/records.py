"""What travels between stages besides ledger rows: named, so code reads ``item.title``, not ``item[4]``.

NamedTuples: as compact as the tuples they replace when pickled across a shuffle, and still unpackable.
"""
from __future__ import annotations

from typing import Any, NamedTuple


# Record ids of an input stay below 2^RUN_SHIFT; an earlier run's records take part in a later run's dedup under
# ids moved below zero, oldest run lowest (pipeline/dedup_index.py).
RUN_SHIFT = 58


class DedupItem(NamedTuple):
    """A record's dedup inputs, from the text stages (or reshard's re-decision) to exact_dup and near_dup."""
    record_id: int
    video_id: str
    alive: bool            # not yet rejected by an earlier stage: only alive records can be kept
    md5: str | None
    video_path: str | None
    title: str
    duration: float | None
    text: str              # filters.normalize.comparison_text of the title


class MediaItem(NamedTuple):
    """A record the text phase kept, on its way to the media stages."""
    record_id: int
    video_id: str
    video_path: str | None  # what to open: resolved against the input root
    duration: float | None  # from the input's metadata; the probe replaces it
    title: str
    category: str | None


class MediaOutcome(NamedTuple):
    """What the media stages concluded for one video: ledger ``updates`` (scores, and a decode..quality decision if
    one was made there) and the ``pending`` (stage, reason) rejections of the embedding scorers, which wait for the
    run-wide clip threshold and are applied in stage order by ``filters.decisions.apply_media``."""
    updates: dict[str, Any]
    pending: tuple[tuple[str, str], ...] = ()


class VisualItem(NamedTuple):
    """A video that may stand for a visual_dup cluster: what candidate keys are made from and pairs verified on."""
    record_id: int
    video_id: str
    embedding: Any          # (D,) float32 unit mean frame embedding
    duration: float | None  # probed seconds
    hashes: Any = None      # (F,) uint64 perceptual hashes of the sampled frames (0 = flat frame), or None


class Representative(NamedTuple):
    """A duplicate cluster's representative (its smallest record id), as the ledger names it in ``dup_of``."""
    record_id: int
    video_id: str
