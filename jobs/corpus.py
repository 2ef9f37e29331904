"""``ykcurate corpus``: one corpus from several runs curated incrementally (``curate --against``), without copying a
video.

Writes under ``--output``: ``shards.parquet`` (every run's shard index with ``run`` and the shard's full URI),
``shards.txt`` (the shard URIs, for WebDataset loaders), ``pretrain.csv`` (the runs' rows, one header) and
``manifest.json`` (each run's fingerprint and funnel, and the funnel across runs). Each run must have been checked
against every run listed before it, so no two runs hold the same video. ``--max-per-category N`` applies the
``balance`` cap across the combined corpus: the N best records per category over all runs stay in
``shards.parquet`` and ``pretrain.csv`` (the shards themselves are not rewritten: a loader reads the index).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from jobs import main_for, parsers
from pipeline import uris
from pipeline.balance import _best_per_category, _rank_key
from pipeline.config import config_from_dict
from pipeline.dedup_index import run_fingerprint
from pipeline.manifest import ledger_files, write_manifest
from pipeline.run_folder import RunFolderError, mark_complete, prepare_output, require_complete
from transforms.ledger import write_table


class UsageError(Exception):
    """Unusable runs or output: one line, exit status 2."""


def parser() -> argparse.ArgumentParser:
    return parsers.corpus()


def _check(runs: list[str]) -> list[dict[str, Any]]:
    """Each run complete, and checked against every run before it (by fingerprint)."""
    seen: list[dict[str, Any]] = []
    for run in runs:
        require_complete(run)
        with FileSystems.open(uris.join(run, "manifest.json")) as handle:
            raw = handle.read()
        manifest = json.loads(raw)
        against = {a["fingerprint"] for a in manifest.get("against") or []}
        missing = [earlier["run"] for earlier in seen if earlier["fingerprint"] not in against]
        if missing:
            raise UsageError(f"{run} was not curated --against {', '.join(missing)}: the corpus could hold the same "
                             "video twice")
        seen.append({"run": run, "fingerprint": run_fingerprint(raw), "phase": manifest.get("phase"),
                     "funnel": manifest["funnel"], "manifest": manifest})
    return seen


def _selected(runs: list[dict[str, Any]], cap: int) -> set[str] | None:
    """video_ids within the cap across runs (None: no cap)."""
    if not cap:
        return None
    config = config_from_dict(runs[-1]["manifest"]["config"], [f"balance.max_per_category={cap}"]).balance
    paths = [p for run in runs for p in ledger_files(uris.join(run["run"], "ledger"))]
    best, sizes = _best_per_category(paths, config)
    cutoff = {c: keys[-1] for c, keys in best.items() if sizes[c] > cap}
    chosen = set()
    for path in paths:
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle, columns=["status", "category", "video_id", config.score])
        for row in table.filter(pc.equal(table.column("status"), "kept")).to_pylist():
            if row["category"] not in cutoff or _rank_key(row, config.score) <= cutoff[row["category"]]:
                chosen.add(row["video_id"])
    return chosen


def _shards(runs: list[dict[str, Any]], chosen: set[str] | None) -> pa.Table:
    tables = []
    for run in runs:
        path = uris.join(run["run"], "shards", "index.parquet")
        if not FileSystems.exists(path):
            continue
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle)
        if chosen is not None:
            table = table.filter(pc.is_in(table.column("video_id"), pa.array(sorted(chosen))))
        uris_col = pa.array([uris.join(run["run"], "shards", s) for s in table.column("shard").to_pylist()],
                            pa.string())
        tables.append(table.append_column("run", pa.array([run["run"]] * table.num_rows, pa.string()))
                      .append_column("shard_uri", uris_col))
    return pa.concat_tables(tables) if tables else pa.table({"video_id": pa.array([], pa.string())})


def _pretrain_csv(runs: list[dict[str, Any]], chosen: set[str] | None) -> bytes:
    """The runs' pretrain.csv rows (header once); with a cap, only the chosen videos' rows (pretrain.csv names a
    video by the path a trainer opens: the ledger's video_path resolved against the run's input root)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = None
    for run in runs:
        path = uris.join(run["run"], "pretrain.csv")
        if not FileSystems.exists(path):
            continue
        video_ids = _video_ids_by_path(run) if chosen is not None else {}
        with FileSystems.open(path) as handle:
            rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8"))))
        if header is None and rows:
            header = rows[0]
            writer.writerow(header)
        writer.writerows(row for row in rows[1:] if chosen is None or video_ids.get(row[0]) in chosen)
    return out.getvalue().encode("utf-8")


def _video_ids_by_path(run: dict[str, Any]) -> dict[str, str]:
    root = (run["manifest"].get("input") or {}).get("root", "")
    out = {}
    for path in ledger_files(uris.join(run["run"], "ledger")):
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle, columns=["video_id", "video_path", "status"])
        for row in table.filter(pc.equal(table.column("status"), "kept")).to_pylist():
            out[uris.resolve(root, row["video_path"]) if root else row["video_path"]] = row["video_id"]
    return out


def _funnel(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs' funnels added up (each run's input is disjoint, so records and rejections simply add)."""
    total: Counter = Counter()
    stages: dict[str, Counter] = {}
    for run in runs:
        funnel = run["funnel"]
        total.update({k: funnel.get(k, 0) for k in ("input", "kept", "rejected", "error")})
        for stage, counts in funnel.get("stages", {}).items():
            stages.setdefault(stage, Counter()).update(counts)
    return {**total, "stages": {stage: dict(c) for stage, c in sorted(stages.items())}}


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    runs_uris = [uris.absolute(r) for r in args.runs]
    output = uris.absolute(args.output)
    try:
        runs = _check(runs_uris)
        prepare_output(output, args.overwrite)
    except (RunFolderError, KeyError) as exc:
        raise UsageError(str(exc)) from exc
    chosen = _selected(runs, args.max_per_category)
    shards = _shards(runs, chosen)
    write_table(shards, uris.join(output, "shards.parquet"))
    shard_uris = sorted(set(shards.column("shard_uri").to_pylist())) if "shard_uri" in shards.column_names else []
    uris.write_bytes(uris.join(output, "shards.txt"), "".join(u + "\n" for u in shard_uris).encode())
    uris.write_bytes(uris.join(output, "pretrain.csv"), _pretrain_csv(runs, chosen))
    funnel = _funnel(runs)
    manifest = {"runs": [{k: r[k] for k in ("run", "fingerprint", "phase", "funnel")} for r in runs],
                "funnel": funnel,
                "max_per_category": args.max_per_category,
                "selected": len(chosen) if chosen is not None else funnel["kept"],
                "shards": len(shard_uris), "samples": shards.num_rows}
    write_manifest(uris.join(output, "manifest.json"), manifest)
    mark_complete(output)
    return manifest


main = main_for(run, "ykcurate corpus", (UsageError,))


if __name__ == "__main__":
    sys.exit(main())
