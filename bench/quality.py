"""Accuracy of a text-phase ledger against the generator's ground truth (bench.corpus truth file).

Rows are matched by input position: sorting the ledger by record_id (file index, byte offset) restores line order.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import pyarrow as pa

KEPT_KINDS = ("clean", "clean_mixed", "traditional", "hard_negative")
NEAR_KINDS = ("near_edit1", "near_edit2", "near_affix")


def _rate(hits: int, total: int) -> str:
    return f"{hits / total:.4f} ({hits}/{total})" if total else "n/a"


def evaluate(ledger: pa.Table, truth_path: str) -> dict[str, Any]:
    with open(truth_path, encoding="utf-8") as handle:
        truth = [json.loads(line) for line in handle]
    order = sorted(range(ledger.num_rows), key=ledger.column("record_id").to_pylist().__getitem__)
    cols = {name: ledger.column(name).to_pylist() for name in ("status", "stage", "title", "title_raw",
                                                               "title_traditional")}
    rows = [{k: v[i] for k, v in cols.items()} for i in order]
    out: dict[str, Any] = {"rows_match_input": len(rows) == len(truth)}
    if len(rows) != len(truth):
        return out
    at_expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t, r in zip(truth, rows):
        stat = at_expected[t["kind"]]
        stat[1] += 1
        expect_status = t.get("expect_status")
        ok = r["stage"] == t["expect_stage"] and (expect_status in (None, "any") or r["status"] == expect_status)
        stat[0] += ok
    for kind in sorted(at_expected):
        out[f"at expected stage: {kind}"] = _rate(*at_expected[kind])
    near = [r for t, r in zip(truth, rows) if t["kind"] in NEAR_KINDS]
    out["near-dup recall (removed as near_dup)"] = _rate(sum(r["stage"] == "near_dup" for r in near), len(near))
    distinct = [r for t, r in zip(truth, rows) if t["kind"] in KEPT_KINDS]
    out["distinct wrongly removed as dup"] = _rate(
        sum(r["stage"] in ("exact_dup", "near_dup") for r in distinct), len(distinct))
    foreign = [r for t, r in zip(truth, rows) if t["kind"].startswith("language")]
    out["non-Chinese rejected at language"] = _rate(sum(r["stage"] == "language" for r in foreign), len(foreign))
    chinese = [r for t, r in zip(truth, rows) if t["expect_status"] != "error" and not t["kind"].startswith(
        "language") and r["status"] != "error"]
    out["Chinese kept by language"] = _rate(sum(r["stage"] != "language" for r in chinese), len(chinese))
    trad = [r for t, r in zip(truth, rows) if t["kind"] == "traditional"]
    out["Traditional kept and converted"] = _rate(
        sum(r["status"] == "kept" and bool(r["title_traditional"]) for r in trad), len(trad))
    out["status counts"] = dict(Counter(r["status"] for r in rows))
    return out
