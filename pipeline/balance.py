"""``balance``: at most N kept records per category, for diversity (the paper balances its 45 categories).

Deterministic: within a category the records with the highest ``balance.score`` stay (ties by video_id), so the
same ledger and cap always keep the same records. Records without a category form one group of their own.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from pipeline.config import BalanceConfig


def _rank_key(row: dict[str, Any], score: str) -> tuple:
    value = row.get(score)
    value = -math.inf if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    return (-value, row["video_id"])


def cap_categories(rows: list[dict[str, Any]], config: BalanceConfig) -> int:
    """Reject kept rows beyond the per-category cap, in place; return how many."""
    if config.max_per_category <= 0:
        return 0
    groups: dict[str | None, list[dict]] = defaultdict(list)
    for row in rows:
        if row["status"] == "kept":
            groups[row.get("category")].append(row)
    capped = 0
    for category, members in groups.items():
        if len(members) <= config.max_per_category:
            continue
        members.sort(key=lambda row: _rank_key(row, config.score))
        for rank, row in enumerate(members[config.max_per_category:], start=config.max_per_category + 1):
            row.update(status="rejected", stage="balance",
                       reason=f"category {category or '(none)'} over its cap of {config.max_per_category} "
                              f"(rank {rank} of {len(members)} by {config.score})")
            capped += 1
    return capped


def balance_ledger(ledger_dir: str, config: BalanceConfig) -> int:
    """``cap_categories`` over a written ledger (curate's last step when a cap is configured); rewrites the files
    whose rows changed."""
    from pipeline.manifest import read_ledger_parts
    from schemas.ledger import to_table
    from transforms.ledger import write_table

    if config.max_per_category <= 0:
        return 0
    parts = read_ledger_parts(ledger_dir)
    before = {path: [row["status"] for row in rows] for path, rows in parts.items()}
    capped = cap_categories([row for rows in parts.values() for row in rows], config)
    for path, rows in parts.items():
        if [row["status"] for row in rows] != before[path]:
            write_table(to_table(rows), path)
    return capped
