"""``ykcurate bench incremental``: the cost of curating a new batch against an earlier run, against curating
everything again.

One generated corpus (planted exact and near duplicates, some across the split) is cut in two in input order: a
base and a new batch. Timed as fresh processes: the base alone (the earlier run), the new batch ``--against`` it,
and one run over both files (the full rerun the increment replaces). The kept sets of the two ways are compared.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.corpus import write_corpus
from bench.text import end_to_end
from pipeline.manifest import read_ledger


def _kept(run: Path) -> set[str]:
    table = read_ledger(str(run / "ledger"), ["video_id", "status"])
    return {v for v, s in zip(table.column("video_id").to_pylist(), table.column("status").to_pylist())
            if s == "kept"}


def run_incremental_bench(base: int, new: int, workdir: str, seed: int = 0) -> dict[str, Any]:
    work = Path(workdir)
    (work / "split").mkdir(parents=True, exist_ok=True)
    write_corpus(str(work / "all.jsonl"), base + new, seed=seed)
    with open(work / "all.jsonl", "rb") as source, open(work / "split" / "a_base.jsonl", "wb") as first, \
            open(work / "split" / "b_new.jsonl", "wb") as second:
        for i, line in enumerate(source):
            (first if i < base else second).write(line)
    (work / "all.jsonl").unlink()
    text = ["--phase", "text"]
    result: dict[str, Any] = {"base_records": base, "new_records": new, "cores": os.cpu_count()}
    result["base_run"] = end_to_end(str(work / "split" / "a_base.jsonl"), str(work / "base"), text)
    result["incremental_run"] = end_to_end(str(work / "split" / "b_new.jsonl"), str(work / "increment"),
                                           [*text, "--against", str(work / "base")])
    result["full_rerun"] = end_to_end(str(work / "split" / "*.jsonl"), str(work / "full"), text)
    result["incremental_over_full_wall"] = round(result["incremental_run"]["seconds"]
                                                 / result["full_rerun"]["seconds"], 3)
    result["incremental_over_full_cpu"] = round(result["incremental_run"]["cpu_seconds"]
                                                / result["full_rerun"]["cpu_seconds"], 3)
    incremental = _kept(work / "base") | _kept(work / "increment")
    full = _kept(work / "full")
    result["kept"] = {"incremental": len(incremental), "full": len(full),
                      "only_incremental": len(incremental - full), "only_full": len(full - incremental)}
    return result
