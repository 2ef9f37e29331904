"""``ykcurate bench text``: throughput, per-stage cost, peak memory and accuracy of the text phase.

End to end means what a user waits for: ``ykcurate curate --phase text`` as a fresh process, start-up included,
on a generated corpus with planted defects. Peak memory is the highest summed RSS of that process and all its
Beam worker processes. Per-stage rates come from running each stage's plain-Python code on one core over the same
records, which is what the stage costs inside the pipeline minus Beam's overhead.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pyarrow.parquet as pq

from bench.corpus import write_corpus
from bench.quality import evaluate
from filters.minhash import band_keys, signatures
from filters.text_chain import TextChain
from pipeline.config import load_config
from pipeline.manifest import read_ledger
from transforms.read import plan_reads, read_batches


class PeakRSS(threading.Thread):
    """Samples a process tree every 50 ms: the peak of its summed RSS, and each process's last-seen CPU time (so
    workers a parent never waits for still count)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak, self.stopped = psutil.Process(pid), 0, threading.Event()
        self.cpu: dict[int, float] = {}

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                rss = 0
                for p in procs:
                    with p.oneshot():
                        rss += p.memory_info().rss
                        times = p.cpu_times()
                        self.cpu[p.pid] = times.user + times.system
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)


def stage_rates(records_path: str, config_overrides: list[str], limit: int = 50_000) -> dict[str, float]:
    """Records/s of each text stage on one core, over the first ``limit`` records."""
    config = load_config(None, config_overrides)
    batches, n = [], 0
    started = time.perf_counter()
    for task in plan_reads([records_path], config.read):
        for batch in read_batches(task, config.read):
            batches.append(batch)
            n += len(batch)
            if n >= limit:
                break
        if n >= limit:
            break
    read_seconds = time.perf_counter() - started
    chain = TextChain(config)
    texts = []
    for batch in batches:
        texts.extend(item.text for item in chain.process(batch) if item.alive)
    started = time.perf_counter()
    nd = config.near_dup
    for i in range(0, len(texts), config.read.batch_size):
        band_keys(signatures(texts[i:i + config.read.batch_size], nd.num_perm, nd.ngram, nd.seed), nd.bands, nd.rows)
    minhash_seconds = time.perf_counter() - started
    rates = {"read+parse+validate": n / read_seconds}
    rates.update({stage: n / s for stage, s in chain.seconds.items() if s > 0})
    rates["minhash+bands"] = len(texts) / minhash_seconds if minhash_seconds else float("inf")
    return {k: round(v, 1) for k, v in rates.items()}


def measured(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd`` as a fresh process: wall seconds, CPU seconds (user + system of it and every process it waited
    for, Beam's workers included) and the peak summed RSS of its process tree."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink, subprocess.Popen(
            cmd, stdout=sink, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "PYTHONWARNINGS": "ignore"}) as proc:
        sampler = PeakRSS(proc.pid)
        sampler.start()
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[2]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    cpu = max(usage.ru_utime + usage.ru_stime, sum(sampler.cpu.values()))  # waited-for, or sampled, whichever saw more
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(sampler.peak / 2**20, 1), "command": " ".join(cmd)}


def end_to_end(records_path: str, output: str, extra_args: list[str]) -> dict[str, Any]:
    phase = [] if "--phase" in extra_args else ["--phase", "text"]
    return measured([sys.executable, "-m", "jobs.curate", *phase, "--input", records_path, "--output", output,
                     "--quiet", "--overwrite", *extra_args])


def plain_loop(records_path: str, output: str) -> dict[str, Any]:
    """The single-process reference (bench.plain_loop) on the same corpus."""
    return measured([sys.executable, "-m", "bench.plain_loop", records_path, output])


def run_text_bench(records: int, workdir: str, seed: int = 0, extra_args: list[str] | None = None,
                   stages: bool = True, reference: bool = True) -> dict[str, Any]:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    records_path, truth_path = str(work / "records.jsonl"), str(work / "truth.jsonl")
    write_corpus(records_path, records, seed=seed, truth_path=truth_path)
    result: dict[str, Any] = {"records": records, "cores": os.cpu_count()}
    e2e = end_to_end(records_path, str(work / "out"), extra_args or [])
    e2e["records_per_second"] = round(records / e2e["seconds"], 1)
    e2e["cpu_us_per_record"] = round(1e6 * e2e["cpu_seconds"] / records, 1)
    result["end_to_end"] = e2e
    ledger = read_ledger(str(work / "out" / "ledger"))
    result["ledger_rows"] = ledger.num_rows
    result["quality"] = evaluate(ledger, truth_path)
    if reference:
        loop = plain_loop(records_path, str(work / "plain_loop.parquet"))
        loop["records_per_second"] = round(records / loop["seconds"], 1)
        loop["cpu_us_per_record"] = round(1e6 * loop["cpu_seconds"] / records, 1)
        loop["quality"] = evaluate(pq.read_table(work / "plain_loop.parquet"), truth_path)
        result["plain_loop"] = loop
        result["ratio_to_plain_loop"] = {key: round(e2e[key] / loop[key], 2) if loop[key] else None
                                         for key in ("seconds", "cpu_seconds", "peak_rss_mb")}
    if stages:
        result["stage_records_per_second_one_core"] = stage_rates(records_path, [])
    return result


def format_report(result: dict[str, Any]) -> str:
    e2e = result["end_to_end"]
    lines = [f"records: {result['records']:,}  ledger rows: {result['ledger_rows']:,}  cores: {result['cores']}",
             f"end to end: {e2e['seconds']} s = {e2e['records_per_second']:,} records/s, "
             f"{e2e['cpu_seconds']} CPU s, peak RSS {e2e['peak_rss_mb']} MB (all processes)"]
    for stage, rate in result.get("stage_records_per_second_one_core", {}).items():
        lines.append(f"  {stage:<22}{rate:>14,.0f} records/s (one core)")
    lines.append("quality:")
    lines.extend(f"  {k:<38}{v}" for k, v in result["quality"].items())
    loop = result.get("plain_loop")
    if loop:
        ratio = result["ratio_to_plain_loop"]
        lines += ["", "side by side (same corpus, same machine)       curate --phase text     plain loop    ratio",
                  f"  wall seconds                                 {e2e['seconds']:>18}{loop['seconds']:>14}"
                  f"{ratio['seconds']:>9}",
                  f"  CPU seconds                                  {e2e['cpu_seconds']:>18}{loop['cpu_seconds']:>14}"
                  f"{ratio['cpu_seconds']:>9}",
                  f"  CPU us per record                            {e2e['cpu_us_per_record']:>18}"
                  f"{loop['cpu_us_per_record']:>14}",
                  f"  peak RSS MB (all processes)                  {e2e['peak_rss_mb']:>18}{loop['peak_rss_mb']:>14}"
                  f"{ratio['peak_rss_mb']:>9}"]
        for key in ("near-dup recall (removed as near_dup)", "distinct wrongly removed as dup"):
            lines.append(f"  {key:<44} {result['quality'].get(key)!s:>18}  {loop['quality'].get(key)!s}")
    return "\n".join(lines)


def write_json(result: dict[str, Any], path: str) -> None:
    Path(path).write_text(json.dumps(result, indent=2, ensure_ascii=False))
