"""The last word on a ledger row: dedup outcomes and media outcomes applied in stage order, first rejection wins.

Plain Python (no Beam): the ledger sinks in ``transforms.ledger`` call these for curate and for reshard alike, so a
re-decision from stored scores is decided by the very same code.
"""
from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from filters import clip_score
from schemas.config import ClipScoreConfig
from schemas.ledger import MEDIA_STAGES
from schemas.records import RUN_SHIFT, MediaOutcome, Representative


def earlier_run(record_id: int, runs: tuple[str, ...]) -> str | None:
    """The ``--against`` run (its fingerprint: the ledger holds no paths; the manifest's ``against`` maps it to the
    folder) a representative's (virtual) record id belongs to; None for this run's records."""
    return runs[len(runs) + (record_id >> RUN_SHIFT)] if record_id < 0 else None


def finalize(row: dict[str, Any], exact: dict | None, rep: Representative | None,
             runs: tuple[str, ...] = ()) -> dict[str, Any]:
    """Apply dedup outcomes in stage order; whatever is still undecided is kept. ``runs``: the earlier runs this
    one was checked against, oldest first (``pipeline.dedup_index``)."""
    if row.get("status") == "error":
        return row
    if exact is not None and (exact["dup_key"] == "video_id" or row.get("status") is None):
        run = earlier_run(exact.get("dup_of_record", 0), runs)
        row.update(status="rejected", stage="exact_dup", dup_key=exact["dup_key"], dup_of=exact["dup_of"],
                   dup_of_run=run, reason=exact["reason"] + (f" in earlier run {run}" if run else ""))
    if rep is not None:
        row["near_dup_cluster"] = rep.record_id
        if row.get("status") is None and rep.record_id != row["record_id"]:
            run = earlier_run(rep.record_id, runs)
            row.update(status="rejected", stage="near_dup", dup_of=rep.video_id, dup_of_run=run,
                       reason=f"near-duplicate of {rep.video_id}{f' in earlier run {run}' if run else ''} "
                              f"(cluster {rep.record_id})")
    if row.get("status") is None:
        row.update(status="kept", stage=None, reason=None)
    return row


DEDUP_COLUMNS = ("status", "stage", "reason", "dup_key", "dup_of", "dup_of_run", "near_dup_cluster")


def finalize_table(table: pa.Table, exact: dict[int, dict], labels: dict[int, Representative],
                   runs: tuple[str, ...] = ()) -> pa.Table:
    """``finalize`` for a whole unit of rows at once. Only rows with a dedup outcome are decided one by one (by
    ``finalize`` itself, so the rule lives in one place); every other undecided row becomes ``kept`` in one
    vectorised step. Why: the ledger is written from the column batches the text stage produced, without rebuilding
    a dict per row."""
    record_ids = table.column("record_id").to_pylist()
    touched = sorted({*exact, *labels}.intersection(record_ids))
    columns = {name: table.column(name) for name in DEDUP_COLUMNS}
    if touched:
        where = {rid: i for i, rid in enumerate(record_ids) if rid in exact or rid in labels}
        values = {name: column.to_pylist() for name, column in columns.items()}
        for rid in touched:
            i = where[rid]
            row = finalize({"record_id": rid, **{name: values[name][i] for name in DEDUP_COLUMNS}},
                           exact.get(rid), labels.get(rid), runs)
            for name in DEDUP_COLUMNS:
                values[name][i] = row.get(name)
        columns = {name: pa.array(values[name], type=columns[name].type) for name in DEDUP_COLUMNS}
    columns["status"] = pc.fill_null(columns["status"], "kept")
    for name, column in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table


def apply_media(row: dict[str, Any], outcome: MediaOutcome | None, threshold: float | None,
                config: ClipScoreConfig, rep: Representative | None, runs: tuple[str, ...] = ()) -> dict[str, Any]:
    """Apply one video's media outcome: decode..quality decisions came with its updates; then clip_score (against
    the run's threshold), the pending visual_safety/category reasons and visual_dup, first one wins."""
    if outcome is not None:
        row.update(outcome.updates)
    pending = outcome.pending if outcome is not None else ()
    if row.get("clip_score_mean") is None:
        return row
    row["clip_threshold"] = threshold
    decisions = [("clip_score", clip_score.decide(row, threshold, config)), *pending]
    if rep is not None:
        row["visual_dup_cluster"] = rep.record_id
        run = earlier_run(rep.record_id, runs)
        if rep.record_id != row["record_id"]:
            decisions.append(("visual_dup", f"same video as {rep.video_id}{f' in earlier run {run}' if run else ''}"
                                            f" (cluster {rep.record_id})"))
    decisions.sort(key=lambda decision: MEDIA_STAGES.index(decision[0]))  # the ledger contract's order
    for stage, reason in decisions:
        if reason and row["status"] == "kept":
            row.update(status="rejected", stage=stage, reason=reason)
            if stage == "visual_dup":
                row.update(dup_of=rep.video_id, dup_of_run=earlier_run(rep.record_id, runs))
    return row
