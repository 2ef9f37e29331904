"""Duration window. Youku-mPLUG keeps 10-120 s clips; records without a duration pass so the media phase can probe."""
from __future__ import annotations

from typing import Any, Mapping

import pyarrow as pa

from schemas.config import DurationConfig


class DurationFilter:
    stage = "duration"
    columns: tuple[tuple[str, pa.DataType], ...] = ()  # the duration itself is a ledger column already

    def __init__(self, config: DurationConfig) -> None:
        self.config = config

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return {"duration": record.get("duration")}

    def decide(self, scores: Mapping[str, Any]) -> str | None:
        duration = scores.get("duration")
        if duration is None:
            return None
        if duration < self.config.min_seconds:
            return f"duration {duration:g}s < {self.config.min_seconds:g}s"
        if duration > self.config.max_seconds:
            return f"duration {duration:g}s > {self.config.max_seconds:g}s"
        return None
