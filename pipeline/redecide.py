"""Re-deciding a curated run's text stages from its ledger, with no model run (reshard's first step per part).

Every text score is in the ledger for every valid record (the text chain scores even what an earlier stage
rejects), so the text stages re-decide exactly. Dedup is recomputed, not replayed: which record of a duplicate
group survives depends on which records the new thresholds keep, so ``dedup_items`` hands the ledger's titles,
durations, md5s and paths to curate's own dedup shuffles (``pipeline.reshard_graph``). For the same config the
result equals the pipeline's.
"""
from __future__ import annotations

from typing import Any

from filters.normalize import comparison_text
from filters.text_chain import TEXT_ORDER, TextChain
from schemas.records import DedupItem

DECISION_COLUMNS = ("status", "stage", "reason", "dup_key", "dup_of", "dup_of_run", "near_dup_cluster", "visual_dup_cluster",
                    "clip_threshold")


def is_valid(row: dict[str, Any]) -> bool:
    """Rows the reader turned into errors stay errors: there is nothing to re-decide."""
    return not (row.get("status") == "error" and row.get("stage") == "schema")


def input_duration(row: dict[str, Any]) -> float | None:
    """The duration the text stages saw: the input's, which the probe moved to ``duration_meta``."""
    return row["duration_meta"] if row.get("duration_meta") is not None else row.get("duration")


def decide_text(rows: list[dict[str, Any]], chain: TextChain) -> None:
    """Clear each valid row's decisions and apply the text stages to its stored scores (first rejection wins)."""
    for row in rows:
        if not is_valid(row):
            continue
        for column in DECISION_COLUMNS:
            row[column] = None
        for stage in TEXT_ORDER:
            flt = chain.filters[stage]
            if stage == "duration":
                scores = {"duration": input_duration(row)}
            else:
                scores = {name: row.get(name) for name, _ in flt.columns}
            reason = flt.decide(scores)
            if reason is not None:
                row.update(status="rejected", stage=stage, reason=reason)
                break


def dedup_items(rows: list[dict[str, Any]]) -> list[DedupItem]:
    """The compact view dedup works on, as ``TextChain.process`` returns it."""
    return [DedupItem(r["record_id"], r["video_id"], r.get("status") is None, r["md5"], r["video_path"], r["title"],
                      input_duration(r), comparison_text(r["title"] or "")) for r in rows if is_valid(r)]
