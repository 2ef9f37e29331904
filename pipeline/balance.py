"""``balance``: at most N kept records per category, for diversity (the paper balances its 45 categories).

Deterministic: within a category the records with the highest ``balance.score`` stay (ties by video_id), so the
same ledger and cap always keep the same records. Records without a category form one group of their own.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from typing import Any

import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline.config import BalanceConfig


def _rank_key(row: dict[str, Any], score: str) -> tuple:
    value = row.get(score)
    value = -math.inf if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    return (-value, row["video_id"])


def _reason(category: str | None, config: BalanceConfig, members: int) -> str:
    return (f"category {category or '(none)'} over its cap of {config.max_per_category} "
            f"({members} kept; not among the {config.max_per_category} best by {config.score})")


def _best_per_category(ledger_files: list[str], config: BalanceConfig) -> tuple[dict, Counter]:
    """Per category, the rank keys of its ``max_per_category`` best kept records, and how many it keeps: one
    ledger file at a time, so memory is categories x cap whatever the ledger's size."""
    import pyarrow.compute as pc

    best: dict[str | None, list[tuple]] = {}
    sizes: Counter = Counter()
    for path in ledger_files:
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle, columns=["status", "category", "video_id", config.score])
        table = table.filter(pc.equal(table.column("status"), "kept"))
        by_category: dict[str | None, list[tuple]] = defaultdict(list)
        for row in table.select(["category", "video_id", config.score]).to_pylist():
            by_category[row["category"]].append(_rank_key(row, config.score))
        for category, keys in by_category.items():
            sizes[category] += len(keys)
            best[category] = heapq.nsmallest(config.max_per_category, best.get(category, []) + keys)
    return best, sizes


def balance_ledger(ledger_dir: str, config: BalanceConfig) -> int:
    """``cap_categories`` over a written ledger (curate's last step when a cap is configured), streamed: one pass
    finds each category's cut-off, a second rewrites only the files holding rows over it."""
    from pipeline.manifest import ledger_files
    from schemas.ledger import to_table
    from transforms.ledger import write_table

    if config.max_per_category <= 0:
        return 0
    paths = ledger_files(ledger_dir)
    best, sizes = _best_per_category(paths, config)
    cutoff = {c: keys[-1] for c, keys in best.items() if sizes[c] > config.max_per_category}
    capped = 0
    for path in paths:
        with FileSystems.open(path) as handle:
            rows = pq.read_table(handle).to_pylist()
        changed = False
        for row in rows:
            category = row.get("category")
            if row["status"] == "kept" and category in cutoff and _rank_key(row, config.score) > cutoff[category]:
                row.update(status="rejected", stage="balance", reason=_reason(category, config, sizes[category]))
                changed, capped = True, capped + 1
        if changed:
            write_table(to_table(rows), path)
    return capped
