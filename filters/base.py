"""The filter contract shared by every stage.

A filter is split into ``score`` (expensive, done once, results stored in the ledger) and ``decide`` (cheap,
threshold comparison, repeatable from stored scores). This mirrors datatrove's one-method filter but keeps the
score, so audits and re-thresholding never need the raw input again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

import pyarrow as pa


@dataclass(frozen=True)
class Verdict:
    """Outcome of one filter on one record: its scores and, when rejected, a human-readable reason."""

    stage: str
    scores: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None

    @property
    def keep(self) -> bool:
        return self.reason is None


class RecordFilter(Protocol):
    """What a per-record stage implements. ``columns`` are the ledger columns ``score`` fills."""

    stage: str
    columns: tuple[tuple[str, pa.DataType], ...]

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]: ...

    def decide(self, scores: Mapping[str, Any]) -> str | None: ...


def apply(flt: RecordFilter, record: Mapping[str, Any]) -> Verdict:
    """Score then decide; the convenience used by tests and interactive use."""
    scores = flt.score(record)
    return Verdict(flt.stage, scores, flt.decide(scores))


def reads_prompts(encoder: Any, prompts: list[str], min_share: float = 0.5) -> bool:
    """Whether a text encoder can read zero-shot prompts at all (see ``ClipBundle.readable``).

    A model trained on a closed vocabulary (the project's tiny CLIP) maps unknown words to one token, so prompt
    scores from it are noise; zero-shot stages then do not run (null scores) instead of rejecting at random.
    """
    readable = getattr(encoder, "readable", None)
    return readable is None or readable(list(prompts)) >= min_share
