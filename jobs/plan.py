"""``ykcurate plan``: project a full run from a sample: vCPU-hours, GPU-hours, wall time on N workers, bytes
shuffled and written, objects written.

How: the sample is curated twice as a user would (a fresh ``python -m jobs.curate`` process, its CPU time
including every worker process), once whole and once its first quarter. A straight line through the two points
separates the fixed cost (start-up, imports, model loading) from the cost per record, so the projection is
``fixed + per_record x records``. Shuffle pieces are projected with the partition count the target cluster would
get (``pipeline.config.auto_partitions``), bytes and objects per record as measured. Assumptions are printed
with the figures; ``docs/SCALE.md`` gets the projection and the sample it came from.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from jobs import main_for
from pipeline import uris
from pipeline.config import auto_partitions
from jobs import parsers


class UsageError(Exception):
    """Unusable sample or options: one line, exit status 2."""


def parser() -> argparse.ArgumentParser:
    return parsers.plan()


def _quarter(path: str, folder: str) -> str:
    """The first quarter of a JSONL sample as its own file (a 4x spread keeps the fitted slope out of the noise)."""
    with open(path, "rb") as handle:
        lines = [line for line in handle if line.strip()]
    if len(lines) < 8:
        raise UsageError(f"the sample {path} is too small to plan from ({len(lines)} records)")
    quarter = os.path.join(folder, "quarter.jsonl")
    with open(quarter, "wb") as handle:
        handle.writelines(lines[: len(lines) // 4])
    return quarter


def measure(path: str, output: str, phase: str, config: str | None) -> dict[str, Any]:
    """Curate ``path`` in a fresh process; CPU seconds of it and its workers, wall, manifest, bytes written."""
    cmd = [sys.executable, "-m", "jobs.curate", "--phase", phase, "--input", path, "--output", output, "--quiet"]
    if config:
        cmd += ["--config", config]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise UsageError(f"curating the sample failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    manifest = json.loads(uris.read_text(uris.join(output, "manifest.json")))
    files = uris.list_files(output)
    shuffle = (manifest.get("shuffle") or {}).get("total", {})
    ledger_parts = sum(1 for f in files if "/ledger/" in f)
    return {"cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "wall_seconds": wall, "records": manifest["funnel"]["input"], "manifest": manifest,
            "bytes_written": sum(os.path.getsize(f) for f in files), "ledger_parts": ledger_parts,
            "other_objects": len(files) - ledger_parts, "shuffle_pieces": shuffle.get("pieces", 0),
            "shuffle_bytes": shuffle.get("bytes", 0)}


def _line(small: dict, large: dict, key: str) -> tuple[float, float]:
    """(fixed, per record) through two measurements."""
    slope = (large[key] - small[key]) / max(1, large["records"] - small["records"])
    return large[key] - slope * large["records"], slope


def _at(small: dict, large: dict, key: str, records: float) -> float:
    fixed, per_record = _line(small, large, key)
    return max(fixed, 0.0) + per_record * records


def project(small: dict, large: dict, records: int, workers: int, vcpus: int, gpu_rate: float,
            split_bytes: int = 8 << 20) -> dict[str, Any]:
    """Every figure as fixed + per-record cost through the two measurements; shuffle pieces' per-record part
    scaled by the target's partition count (each batch splits into one piece per partition); ledger parts from
    the input's size (one per ``read.split_bytes`` unit of work)."""
    cpu = _at(small, large, "cpu_seconds", records)
    sample_parts = large["manifest"].get("partitions") or 8
    full_bytes = large["manifest"]["input"]["bytes"] * records / large["records"]
    parts = auto_partitions(int(full_bytes), workers * vcpus)
    pieces_fixed, pieces_per_record = _line(small, large, "shuffle_pieces")
    kept_text = large["manifest"]["funnel"]["kept"] / large["records"]
    videos = records * kept_text if large["manifest"]["phase"] == "all" else 0
    return {
        "records": records, "workers": workers, "worker_vcpus": vcpus,
        "cpu_seconds_per_record": _line(small, large, "cpu_seconds")[1],
        "fixed_cpu_seconds": _line(small, large, "cpu_seconds")[0],
        "cpu_seconds": cpu, "vcpu_hours": cpu / 3600, "wall_hours": cpu / (workers * vcpus) / 3600,
        "gpu_hours": videos / gpu_rate / 3600 if videos else 0.0,
        "partitions": parts,
        "shuffle_pieces": max(pieces_fixed, 0.0) * (parts / sample_parts) ** 2
        + pieces_per_record * records * parts / sample_parts,
        "shuffle_bytes": _at(small, large, "shuffle_bytes", records),
        "bytes_written": _at(small, large, "bytes_written", records),
        "objects_written": -(-full_bytes // split_bytes) + _at(small, large, "other_objects", records),
        "input_bytes": full_bytes,
    }


CHECKED = ("cpu_seconds", "shuffle_pieces", "shuffle_bytes", "bytes_written", "objects_written")


def _split_bytes(measured: dict) -> int:
    return measured["manifest"]["config"]["read"]["split_bytes"]


def compare(projected: dict[str, Any], measured: dict[str, Any]) -> dict[str, Any]:
    """Projected vs measured on a bigger sample, as ratios (the projection is checked at the same partition
    count: one worker slot, like the sample)."""
    actual = {"cpu_seconds": measured["cpu_seconds"], "shuffle_pieces": measured["shuffle_pieces"],
              "shuffle_bytes": measured["shuffle_bytes"], "bytes_written": measured["bytes_written"],
              "objects_written": measured["ledger_parts"] + measured["other_objects"]}
    return {"records": measured["records"],
            "figures": {k: {"projected": projected[k], "measured": actual[k],
                            "ratio": projected[k] / actual[k] if actual[k] else None} for k in CHECKED}}


def format_check(check: dict[str, Any], path: str) -> str:
    lines = [f"check: measured on {check['records']:,} records ({path})"]
    for name, f in check["figures"].items():
        ratio = f"{f['ratio']:.2f}" if f["ratio"] is not None else "-"
        lines.append(f"  {name:<20}projected {_num(f['projected']):>14}  measured {_num(f['measured']):>14}  "
                     f"ratio {ratio}")
    return "\n".join(lines)


def _num(x: float) -> str:
    return f"{x:,.3f}" if x < 10 else f"{x:,.1f}" if x < 1000 else f"{x:,.0f}"


def format_plan(p: dict[str, Any], sample: str, sample_records: int) -> str:
    return "\n".join([
        f"projection for {p['records']:,} records on {p['workers']} workers x {p['worker_vcpus']} vCPUs "
        f"(from {sample_records:,} sample records in {sample})",
        f"  CPU per record        {p['cpu_seconds_per_record'] * 1e6:,.0f} µs  (fixed {p['fixed_cpu_seconds']:.1f} s)",
        f"  vCPU-hours            {_num(p['vcpu_hours'])}",
        f"  wall time             {_num(p['wall_hours'])} h  (CPU spread evenly over the workers; no stragglers)",
        f"  GPU-hours             {_num(p['gpu_hours'])}",
        f"  partitions            {p['partitions']:,}",
        f"  shuffle pieces        {p['shuffle_pieces']:,.0f}",
        f"  bytes shuffled        {_num(p['shuffle_bytes'] / 1e9)} GB",
        f"  bytes written         {_num(p['bytes_written'] / 1e9)} GB",
        f"  objects written       {p['objects_written']:,.0f}",
    ])


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    if args.records <= 0 or args.workers <= 0 or args.worker_vcpus <= 0:
        raise UsageError("--records, --workers and --worker-vcpus must be positive")
    if not os.path.isfile(args.input) or not args.input.endswith(".jsonl"):
        raise UsageError(f"--input must be one local JSONL sample file, got {args.input}")
    with tempfile.TemporaryDirectory(prefix="ykcurate-plan-") as folder:
        small = measure(_quarter(args.input, folder), os.path.join(folder, "quarter-run"), args.phase, args.config)
        large = measure(os.path.abspath(args.input), os.path.join(folder, "run"), args.phase, args.config)
    plan = project(small, large, args.records, args.workers, args.worker_vcpus, args.gpu_videos_per_second,
                   _split_bytes(large))
    check = None
    if args.check:
        with tempfile.TemporaryDirectory(prefix="ykcurate-plan-check-") as folder:
            bigger = measure(os.path.abspath(args.check), os.path.join(folder, "run"), args.phase, args.config)
        check = compare(project(small, large, bigger["records"], 1, 1, args.gpu_videos_per_second,
                                _split_bytes(large)), bigger)
        plan["check"] = check
    plan["sample"] = {"input": args.input, "records": large["records"], "cpu_seconds": large["cpu_seconds"],
                      "quarter_cpu_seconds": small["cpu_seconds"], "wall_seconds": large["wall_seconds"]}
    text = format_plan(plan, args.input, large["records"])
    if check:
        text += "\n" + format_check(check, args.check)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(plan, handle, indent=2)
    if args.write_doc:
        with open(args.write_doc, "a", encoding="utf-8") as handle:
            check_arg = f" --check {args.check}" if args.check else ""
            handle.write(f"\n```\n$ ykcurate plan --input {args.input} --records {args.records} --workers "
                         f"{args.workers} --phase {args.phase}{check_arg}\n{text}\n```\n")
    return plan


main = main_for(run, "ykcurate plan", (UsageError,))

if __name__ == "__main__":
    sys.exit(main())
