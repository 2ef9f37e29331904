"""``ykcurate bench reshard``: how much faster re-deciding a run is than curating it again.

Curates the generated video sample with every stage (wall clock of the whole command, as a user waits for it),
then reshards it with a stricter clip-score threshold and a category cap, also timed as a whole command; both in
fresh processes so imports and runner start-up count on both sides.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from bench.media_sample import make_media_sample
from jobs.demo import TINY_RECIPE


def _timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "jobs.cli", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def run_reshard_bench(workdir: str, clips: int = 120) -> dict[str, Any]:
    work = Path(workdir)
    records, _ = make_media_sample(work / "sample", clips=clips)
    run, again = work / "run", work / "reshard"
    curate_s = _timed(["curate", "--phase", "all", "--config", str(TINY_RECIPE), "--input", str(records),
                       "--output", str(run), "--quiet"])
    ledger = pq.read_table(run / "ledger", columns=["status", "clip_score_mean"]).to_pylist()
    kept = sorted(r["clip_score_mean"] for r in ledger if r["status"] == "kept")
    threshold = kept[len(kept) // 2]
    reshard_s = _timed(["reshard", "--run", str(run), "--output", str(again), "--quiet",
                        "--set", f"clip_score.threshold={threshold}", "--max-per-category", "20"])
    kept_after = sum(1 for r in pq.read_table(again / "ledger", columns=["status"]).to_pylist()
                     if r["status"] == "kept")
    return {"records": len(ledger), "kept": len(kept), "kept_after_reshard": kept_after,
            "curate_seconds": round(curate_s, 2), "reshard_seconds": round(reshard_s, 2),
            "speedup": round(curate_s / reshard_s, 1)}
