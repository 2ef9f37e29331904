"""The human review loop behind ``ykcurate audit --export-review / --ingest-review``.

Export: a CSV of sampled decisions (per stage, the rejected ones; plus a sample of kept records) with an empty
``verdict`` column. A reviewer writes ``keep`` or ``reject`` (what should have happened) and, for a kept record that
should have gone, optionally the stage that should have caught it in ``should_stage``. Ingest: per stage, the
estimated false-reject rate (reviewed rejections a human would keep) and false-keep rate, each with a Wilson 95%
interval — how a team decides whether to move a threshold.
"""
from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from typing import Any

from apache_beam.io.filesystems import FileSystems

from pipeline.manifest import read_ledger

FIELDS = ["record_id", "video_id", "status", "stage", "reason", "title_raw", "category", "verdict", "should_stage"]


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (sane at 0/n and n/n, unlike the normal approximation)."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def export_review(run_dir: str, path: str, per_stage: int = 50, kept: int = 100, seed: int = 0) -> int:
    ledger = read_ledger(FileSystems.join(run_dir, "ledger"), FIELDS[:7]).to_pylist()
    by_stage: dict[str, list[dict]] = defaultdict(list)
    for row in ledger:
        by_stage[row["stage"] if row["status"] != "kept" else "(kept)"].append(row)
    rng = random.Random(seed)
    rows = []
    for stage in sorted(by_stage):
        members = by_stage[stage]
        rows += rng.sample(members, min(kept if stage == "(kept)" else per_stage, len(members)))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        writer.writerows({**row, "verdict": "", "should_stage": ""} for row in rows)
    return len(rows)


def ingest_review(path: str) -> dict[str, Any]:
    """Per stage: reviewed, false rejects / false keeps, rates and Wilson intervals; verdicts other than keep or
    reject (blank, typos) are counted as unreviewed, never guessed."""
    stats: dict[str, dict[str, int]] = defaultdict(lambda: {"reviewed": 0, "false_reject": 0})
    kept_reviewed = 0
    false_keep: dict[str, int] = defaultdict(int)
    unreviewed = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            verdict = (row.get("verdict") or "").strip().lower()
            if verdict not in ("keep", "reject"):
                unreviewed += 1
                continue
            if row["status"] == "kept":
                kept_reviewed += 1
                if verdict == "reject":
                    false_keep[(row.get("should_stage") or "").strip() or "(unspecified)"] += 1
            else:
                stats[row["stage"]]["reviewed"] += 1
                stats[row["stage"]]["false_reject"] += verdict == "keep"
    report: dict[str, Any] = {"unreviewed": unreviewed, "stages": {}, "kept_reviewed": kept_reviewed}
    for stage, s in sorted(stats.items()):
        low, high = wilson(s["false_reject"], s["reviewed"])
        report["stages"][stage] = {**s, "false_reject_rate": s["false_reject"] / s["reviewed"],
                                   "ci95": [round(low, 4), round(high, 4)]}
    total_fk = sum(false_keep.values())
    low, high = wilson(total_fk, kept_reviewed)
    report["false_keep"] = {"count": total_fk, "rate": total_fk / kept_reviewed if kept_reviewed else None,
                            "ci95": [round(low, 4), round(high, 4)], "by_stage": dict(false_keep)}
    return report


def format_review(report: dict[str, Any]) -> str:
    lines = [f"{'stage':<16}{'reviewed':>9}{'false rej.':>11}{'rate':>8}  95% CI"]
    for stage, s in report["stages"].items():
        lines.append(f"{stage:<16}{s['reviewed']:>9}{s['false_reject']:>11}{s['false_reject_rate']:>8.1%}  "
                     f"{s['ci95'][0]:.1%}-{s['ci95'][1]:.1%}")
    fk = report["false_keep"]
    if report["kept_reviewed"]:
        lines.append(f"{'(kept)':<16}{report['kept_reviewed']:>9}{fk['count']:>11}{fk['rate']:>8.1%}  "
                     f"{fk['ci95'][0]:.1%}-{fk['ci95'][1]:.1%}  false keeps, by stage: {fk['by_stage']}")
    lines.append(f"unreviewed rows: {report['unreviewed']}")
    return "\n".join(lines)
