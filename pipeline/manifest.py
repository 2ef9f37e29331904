"""``<output>/manifest.json``: what ran, on what, with which config and models, and the funnel from the ledger.

The funnel is computed by reading the ledger back (never from runner metrics: some runners have none), so the
manifest and the ledger cannot disagree.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from schemas.ledger import STAGES

VERSION = "0.1.0"


def code_version() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).resolve().parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{VERSION}+{commit}" if commit else VERSION


def file_fingerprint(path: str) -> str | None:
    """sha256 of a (model/lexicon) file, or None if it is not there."""
    if not path or not FileSystems.exists(path):
        return None
    digest = hashlib.sha256()
    with FileSystems.open(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_fingerprint(patterns: list[str]) -> dict[str, Any]:
    """Paths and sizes of every matched input file, hashed: cheap even for hundreds of millions of records."""
    files = sorted((m.path, m.size_in_bytes) for p in patterns for m in FileSystems.match([p])[0].metadata_list)
    blob = json.dumps(files).encode()
    return {"files": len(files), "bytes": sum(s for _, s in files), "sha256": hashlib.sha256(blob).hexdigest()}


def ledger_files(ledger_dir: str) -> list[str]:
    """The ledger's part files, sorted (one per unit of work)."""
    return sorted(m.path for m in FileSystems.match([FileSystems.join(ledger_dir, "*.parquet")])[0].metadata_list)


def read_ledger(ledger_dir: str, columns: list[str] | None = None, schema_only: bool = False):
    """The ledger as one Arrow table (only ``columns`` if given), or with ``schema_only`` just its schema."""
    paths = ledger_files(ledger_dir)
    if schema_only and paths:
        with FileSystems.open(paths[0]) as handle:
            return pq.read_schema(handle)
    tables = []
    for path in paths:
        with FileSystems.open(path) as handle:
            tables.append(pq.read_table(handle, columns=columns))
    if not tables:
        raise FileNotFoundError(f"no ledger files under {ledger_dir}")
    return pa.concat_tables(tables)


def _status_stage_counts(table: pa.Table) -> Counter:
    counts = table.select(["status", "stage"]).group_by(["status", "stage"]).aggregate([([], "count_all")])
    return Counter(dict(zip(zip(counts.column("status").to_pylist(), counts.column("stage").to_pylist()),
                            counts.column("count_all").to_pylist())))


def ledger_funnel(ledger_dir: str) -> dict[str, Any]:
    """``funnel`` of a written ledger, one file at a time (two columns of one file in memory, whatever its size)."""
    counts: Counter = Counter()
    paths = ledger_files(ledger_dir)
    if not paths:
        raise FileNotFoundError(f"no ledger files under {ledger_dir}")
    for path in paths:
        with FileSystems.open(path) as handle:
            counts += _status_stage_counts(pq.read_table(handle, columns=["status", "stage"]))
    return funnel_from_counts(counts)


def funnel(ledger: pa.Table) -> dict[str, Any]:
    """Counts per status and per stage, and what remains after each stage in pipeline order."""
    return funnel_from_counts(_status_stage_counts(ledger))


def funnel_from_counts(counts: Counter) -> dict[str, Any]:
    total = sum(counts.values())
    by_status: dict[str, int] = {"kept": 0, "rejected": 0, "error": 0}
    per_stage = {stage: {"rejected": 0, "error": 0} for stage in STAGES}
    for (status, stage), n in sorted(counts.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        by_status[status] = by_status.get(status, 0) + n
        if status in ("rejected", "error"):
            per_stage.setdefault(stage, {"rejected": 0, "error": 0})[status] += n
    remaining, steps = total, []
    for stage in STAGES:
        removed = per_stage[stage]["rejected"] + per_stage[stage]["error"]
        if removed:
            remaining -= removed
            steps.append({"stage": stage, "removed": removed, "remaining": remaining,
                          "remaining_pct": round(100.0 * remaining / total, 3) if total else 0.0})
    return {
        "input": total,
        "kept": by_status["kept"],
        "rejected": by_status["rejected"],
        "error": by_status["error"],
        "stages": {k: v for k, v in per_stage.items() if v["rejected"] or v["error"]},
        "steps": steps,
    }


def format_funnel(f: dict[str, Any]) -> str:
    lines = [f"{'input':<16}{f['input']:>12,}  100.00%"]
    for step in f["steps"]:
        lines.append(f"{'- ' + step['stage']:<16}{-step['removed']:>12,}  -> {step['remaining']:>10,} "
                     f"({step['remaining_pct']:.2f}%)")
    pct = 100.0 * f["kept"] / f["input"] if f["input"] else 0.0
    lines.append(f"{'kept':<16}{f['kept']:>12,}  {pct:6.2f}%")
    return "\n".join(lines)


def write_manifest(path: str, manifest: dict[str, Any]) -> None:
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode())
