"""``ykcurate bench audit --rows N``: time ``audit`` over a synthetic ledger of N rows (1M rows per part file).

The ledger is made directly in Arrow with the real schema and realistic shapes (~30% kept, rejections spread
over the stages with numeric reasons, 45 categories, scores), so a 10M-row audit can be measured in minutes.
"""
from __future__ import annotations

import json
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.ledger import LEDGER_SCHEMA, STAGES
from schemas.taxonomy import NAMES

PART_ROWS = 1_000_000


def _part(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    kept = rng.random(n) < 0.3
    stage_idx = rng.integers(0, 8, n)
    stages = np.array(STAGES[:8], dtype=object)[stage_idx]
    status = np.where(kept, "kept", "rejected")
    stage = np.where(kept, None, stages)
    number = rng.integers(1, 200, n).astype(str)
    reason = np.where(kept, None, np.char.add(np.char.add(stages.astype(str), " score "), number))
    columns = {
        "record_id": pa.array(np.arange(start, start + n, dtype=np.int64)),
        "video_id": pa.array(np.char.add("v", np.arange(start, start + n).astype(str))),
        "status": pa.array(status), "stage": pa.array(stage, type=pa.string()),
        "reason": pa.array(reason, type=pa.string()),
        "title": pa.array(np.full(n, "一个普通的视频标题")), "title_raw": pa.array(np.full(n, "一个普通的视频标题")),
        "category": pa.array(np.array(NAMES, dtype=object)[rng.integers(0, len(NAMES), n)], type=pa.string()),
        "duration": pa.array(rng.uniform(5, 150, n)), "title_chars": pa.array(rng.integers(2, 60, n)),
        "han_share": pa.array(rng.random(n)), "lang_prob": pa.array(rng.random(n)),
        "clip_score_mean": pa.array(rng.normal(0.25, 0.05, n)),
    }
    arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(n, f.type) for f in LEDGER_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=LEDGER_SCHEMA)


def make_ledger(run: str, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(run, "ledger"), exist_ok=True)
    for part, start in enumerate(range(0, rows, PART_ROWS)):
        pq.write_table(_part(rng, start, min(PART_ROWS, rows - start)),
                       os.path.join(run, "ledger", f"part-{part:06d}.parquet"), compression="zstd")
    with open(os.path.join(run, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump({"config": {}}, handle)
    open(os.path.join(run, "_SUCCESS"), "w").close()


def bench_audit(rows: int, workdir: str) -> dict:
    from jobs.audit import build_report

    run = os.path.join(workdir, f"ledger{rows}")
    if not os.path.exists(os.path.join(run, "_SUCCESS")):
        make_ledger(run, rows)
    started = time.time()
    report = build_report(run)
    seconds = time.time() - started
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds),
            "groups": len(report["samples"])}
