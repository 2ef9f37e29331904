"""Live progress of a local run: workers count what they have done, the command shows it.

Why files: the local FnApiRunner runs stages in worker subprocesses and reports metrics only when the pipeline has
finished. So each worker process adds to in-memory counters and, at most twice a second, rewrites one small JSON
file of its totals in a folder named by ``YKCURATE_PROGRESS_DIR`` (set by the command before the pipeline starts;
worker processes inherit it). The command's ``Progress`` thread sums those files: on a terminal it redraws one
status line; otherwise it logs a line every ``interval`` seconds. Both go to stdout, with the command's report:
stderr is kept for the one-line error. On a remote runner the variable is not set and
counting costs one dictionary lookup.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from typing import Callable, TextIO

ENV = "YKCURATE_PROGRESS_DIR"
STEPS = ("read", "text", "media", "ledger", "shards")  # display order
_FLUSH_SECONDS = 0.5

_totals: dict[str, int] = {}
_folder = ""  # the run the totals belong to: a process may serve several runs (in-process runner, tests)
_last_flush = 0.0
_lock = threading.Lock()


def count(step: str, n: int = 1) -> None:
    """Add ``n`` to this process's counter for ``step`` (records read, scored, written...)."""
    global _last_flush, _folder
    folder = os.environ.get(ENV)
    if not folder:
        return
    with _lock:
        if folder != _folder:
            _totals.clear()
            _folder = folder
        _totals[step] = _totals.get(step, 0) + n
        now = time.monotonic()
        if now - _last_flush < _FLUSH_SECONDS:
            return
        _last_flush = now
        snapshot = dict(_totals)
    path = os.path.join(folder, f"{os.getpid()}.json")
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(snapshot, handle)
        os.replace(path + ".tmp", path)
    except OSError:
        pass  # progress is best effort: never fail a run for it


def flush() -> None:
    """Write this process's totals now (a worker's last counts before the bundle ends)."""
    global _last_flush
    _last_flush = 0.0
    count("read", 0)


def totals(folder: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for name in os.listdir(folder):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                for step, value in json.load(handle).items():
                    out[step] = out.get(step, 0) + int(value)
        except (OSError, ValueError):
            continue  # being replaced right now: next tick
    return out


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


def expected_records(counts: dict[str, int], input_bytes: int) -> int | None:
    """Records in the whole input: exact once every input byte is read, else extrapolated from the bytes read."""
    read, done = counts.get("read", 0), counts.get("read_bytes", 0)
    if not read or not done or not input_bytes:
        return None
    return read if done >= input_bytes else round(read * input_bytes / done)


def status_line(counts: dict[str, int], elapsed: float, input_bytes: int = 0, expected: int | None = None) -> str:
    """``read 50,000 · text 50,000 · ledger 20,000 · ledger 40% of 50,000 · 2,400 rec/s · 0:05, ETA 0:08``: the
    percentage and ETA follow the last step under way (the ledger, or the reading until the ledger starts)."""
    parts = [f"{name} {counts[name]:,}" for name in STEPS if counts.get(name)]
    if not parts:
        return f"starting workers · {_clock(elapsed)}"
    read = counts.get("read", 0)
    total = expected or expected_records(counts, input_bytes)
    done_step = next((name for name in reversed(STEPS) if counts.get(name)), "read")
    eta = ""
    if total:
        done = min(total, counts[done_step])
        approximate = not expected and read < total
        parts.append(f"{done_step} {100 * done // total}% of {'~' if approximate else ''}{total:,}")
        rate = done / elapsed if elapsed > 0 else 0
        if rate and done < total:
            eta = f", ETA {_clock((total - done) / rate)}"
    if elapsed > 0 and read:
        parts.append(f"{read / elapsed:,.0f} rec/s read")
    if total and read >= total and not expected:
        total = read
    return " · ".join(parts + [f"{_clock(elapsed)}{eta}"])


class Progress:
    """``with Progress("curate", stream):`` around ``pipeline.run()``; ``enabled=False`` (``--quiet``, remote
    runners) makes it do nothing."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True, interval: float = 10.0,
                 input_bytes: int = 0, expected: int | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stdout
        self.enabled = enabled
        self.interval = interval
        self.input_bytes = input_bytes
        self.expected = expected  # records the run will write, when known beforehand (reshard: the old ledger)
        self.live = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._stop = threading.Event()
        self._lines = 0

    def __enter__(self) -> "Progress":
        if not self.enabled:
            return self
        self.folder = tempfile.mkdtemp(prefix="ykcurate-progress-")
        self._previous = os.environ.get(ENV)
        os.environ[ENV] = self.folder
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="ykcurate-progress", daemon=True)
        self._thread.start()
        return self

    def _render(self, final: bool = False) -> None:
        status = status_line(totals(self.folder), time.monotonic() - self.started, self.input_bytes, self.expected)
        line = f"{self.label}: {status}"
        if self.live:
            self.stream.write("\r\x1b[2K" + line + ("\n" if final else ""))
        elif not final or self._lines:  # a run shorter than one interval logs nothing
            self.stream.write(line + "\n")
        self._lines += 1
        self.stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(0.5 if self.live else self.interval):
            self._render()

    def __exit__(self, *exc_info) -> None:
        if not self.enabled:
            return
        self._stop.set()
        self._thread.join()
        self._render(final=True)
        if self._previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self._previous
        shutil.rmtree(self.folder, ignore_errors=True)


def step(message: str, quiet: bool = False) -> None:
    """Name a long step as it starts. Progress and steps go to stdout: stderr carries only errors (one line)."""
    if not quiet:
        print(f"-- {message}", flush=True)


def file_counter(label: str, quiet: bool = False, stream: TextIO | None = None) -> Callable[[str, int, int], None]:
    """A ``(pass, done, total)`` callback for driver-side loops over files (audit): a redrawn line on a terminal,
    a line per pass otherwise."""
    stream = stream or sys.stdout
    live = hasattr(stream, "isatty") and stream.isatty()
    seen: set[str] = set()

    def report(name: str, done: int, total: int) -> None:
        if quiet:
            return
        if live:
            stream.write(f"\r\x1b[2K{label}: {name} file {done + 1:,} of {total:,}")
            stream.flush()
        elif name not in seen:
            seen.add(name)
            print(f"{label}: {name} {total:,} ledger files", file=stream, flush=True)

    return report
