"""Re-deciding a curated run from its ledger: the text stages and dedup, in one process, with no model run.

Every text score is in the ledger for every valid record (the text chain scores even what an earlier stage
rejects), so the text stages re-decide exactly. Dedup is recomputed, not replayed: which record of a duplicate
group survives depends on which records the new thresholds keep, so exact keys and near-duplicate edges are rebuilt
from the ledger's titles, durations, md5s and paths with the same functions the pipeline's shuffles run, and the
clusters come from the same connected-components rounds. For the same config the result equals the pipeline's.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from filters.components import components_local
from filters.exact_dup import exact_keys, resolve
from filters.near_dup import bucket_pairs, group_identical, link_segments, lsh_entries, similar
from filters.normalize import comparison_text
from filters.text_chain import TEXT_ORDER, TextChain
from pipeline.config import Config, NearDupConfig
from transforms.ledger import finalize

DECISION_COLUMNS = ("status", "stage", "reason", "dup_key", "dup_of", "near_dup_cluster", "visual_dup_cluster",
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


def dedup_items(rows: list[dict[str, Any]]) -> list[tuple]:
    """The compact view dedup works on, as ``TextChain.process`` returns it."""
    return [(r["record_id"], r["video_id"], r.get("status") is None, r["md5"], r["video_path"], r["title"],
             input_duration(r), comparison_text(r["title"] or "")) for r in rows if is_valid(r)]


def near_dup_edges(items: list[tuple], config: NearDupConfig) -> list[tuple]:
    """Same-text chains and verified near-duplicate pairs among the alive items (``transforms.near_dup`` locally)."""
    members = [(item[7], item[0], item[1], item[6]) for item in items if item[2] and item[7]]
    rows, edges = group_identical(members, config.duration_tolerance)
    if not config.enabled or not rows:
        return edges
    lookup: dict[int, list] = defaultdict(list)
    for row in rows:
        lookup[row[0]].append(row)
    for a, b in bucket_pairs(*lsh_entries(rows, config), config).tolist():
        for row_a in lookup.get(a, ()):
            for row_b in lookup.get(b, ()):
                if similar(row_a[1], row_b[1], config):
                    edges.extend(link_segments(row_a[2], row_b[2], config.duration_tolerance))
    return edges


def decide_dedup(rows: list[dict[str, Any]], config: Config) -> None:
    """exact_dup, then near_dup over the clusters of both; rows left undecided are kept (``finalize``)."""
    items = dedup_items(rows)
    entries = [(kind, key, item[0], item[1]) for item in items for kind, key in exact_keys(item, config.exact_dup.keys)]
    exact, exact_edges = resolve(entries)
    edges = near_dup_edges(items, config.near_dup) + exact_edges
    clusters = components_local(edges, config.near_dup.cc_rounds)
    reps = {node[0]: rep for node, rep in clusters.items()}
    for row in rows:
        if is_valid(row):
            finalize(row, exact.get(row["record_id"]), reps.get(row["record_id"]))


def redecide_text(rows: list[dict[str, Any]], config: Config) -> None:
    """Text stages and dedup for every row, in place."""
    decide_text(rows, TextChain(config))
    decide_dedup(rows, config)
