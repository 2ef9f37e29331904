"""The per-record text stages applied to a batch, in pipeline order, with per-stage timing.

All scores are computed for every valid record, even one an earlier stage rejects: they are cheap, and having
them lets ``reshard`` re-decide any threshold from the ledger alone. The recorded stage is the first one (in
``TEXT_ORDER``) whose ``decide`` rejects.
"""
from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from filters.duration import DurationFilter
from filters.language import LanguageFilter
from filters.normalize import comparison_text, normalize_title
from filters.text_safety import TextSafetyFilter
from filters.title_quality import TitleQualityFilter
from schemas.config import Config
from schemas.ledger import RECORD_TEXT_STAGES
from schemas.records import DedupItem

TEXT_ORDER = RECORD_TEXT_STAGES  # the ledger contract's order (schemas.ledger.STAGES)


class TextChain:
    """Normalise, score and decide a batch of rows in place; also returns the compact items dedup needs."""

    def __init__(self, config: Config) -> None:
        self.filters = {
            "duration": DurationFilter(config.duration),
            "title_quality": TitleQualityFilter(config.title_quality),
            "language": LanguageFilter(config.language),
            "text_safety": TextSafetyFilter(config.text_safety),
        }
        assert tuple(self.filters) == TEXT_ORDER, "one filter per text stage, in the ledger's stage order"
        self.seconds: dict[str, float] = defaultdict(float)

    def _timed(self, stage: str, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        self.seconds[stage] += time.perf_counter() - start
        return result

    def _normalise(self, valid: list[dict[str, Any]]) -> None:
        for row in valid:
            row["title"], row["title_traditional"], row["title_stripped"] = normalize_title(row["title_raw"])

    def _score_each(self, stage: str, valid: list[dict[str, Any]]) -> list[dict[str, Any]]:
        flt = self.filters[stage]
        if hasattr(flt, "score_batch"):
            return flt.score_batch(valid)
        return [flt.score(row) for row in valid]

    def _decide(self, valid: list[dict[str, Any]], scores: dict[str, list[dict[str, Any]]]) -> None:
        for i, row in enumerate(valid):
            for stage in TEXT_ORDER:
                stage_scores = scores[stage][i]
                row.update(stage_scores)
                if row.get("status") is None:
                    reason = self.filters[stage].decide(stage_scores)
                    if reason is not None:
                        row.update(status="rejected", stage=stage, reason=reason)

    def process(self, rows: list[dict[str, Any]]) -> list[tuple]:
        """Fill scores and text-stage decisions into ``rows``; return dedup items for every valid row."""
        valid = [row for row in rows if row.get("status") != "error"]
        self._timed("normalise", self._normalise, valid)
        scores = {stage: self._timed(stage, self._score_each, stage, valid) for stage in TEXT_ORDER}
        self._decide(valid, scores)
        return [DedupItem(row["record_id"], row["video_id"], row.get("status") is None, row["md5"], row["video_path"],
                          row["title"], row["duration"], comparison_text(row["title"])) for row in valid]
