"""A run killed midway (every process of it, as a lost machine would be) and rerun gives the ledger a clean run
gives: nothing half-written survives into the rerun."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq

from bench.corpus import write_corpus
from jobs import curate


def _ledger(run) -> list[dict]:
    return sorted(pq.read_table(run / "ledger").to_pylist(), key=lambda row: row["record_id"])


def _started_writing(out) -> bool:
    return any((out / name).exists() and any((out / name).iterdir()) for name in ("_spill", "ledger"))


def test_kill_midway_then_rerun_gives_the_clean_ledger(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(str(corpus), 20_000, seed=3)
    args = ["curate", "--phase", "text", "--input", str(corpus), "--set", "read.split_bytes=262144", "--quiet"]
    curate.run([*args[1:], "--output", str(tmp_path / "clean")])

    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "jobs.cli", *args, "--output", str(killed)],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while proc.poll() is None and not _started_writing(killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    was_running = proc.poll() is None
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and every worker process it started
    proc.wait()
    assert was_running, "the run finished before it could be killed: use a bigger corpus"
    assert not (killed / "_SUCCESS").exists()

    assert curate.main([*args[1:], "--output", str(killed)]) == 2  # a used folder is never silently reused
    curate.run([*args[1:], "--output", str(killed), "--overwrite"])
    assert _ledger(killed) == _ledger(tmp_path / "clean")
    assert not (killed / "_spill").exists() and (killed / "_SUCCESS").exists()
