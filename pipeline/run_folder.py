"""A run folder's life: refused when already used (unless ``--overwrite``), marked complete by ``_SUCCESS``
written last, failures logged under ``_logs/``.

Why: a rerun into a used folder used to merge stale ledger parts with fresh ones, and a killed run left a ledger
that DuckDB reads happily. Now a folder either holds one complete run (``_SUCCESS`` present) or it is refused by
every reader with one line. ``--overwrite`` removes only what a run writes (the names below), never a file the
project did not write.
"""
from __future__ import annotations

import datetime
import os
import re
import traceback

from pipeline import uris

SUCCESS = "_SUCCESS"
LOGS = "_logs"
# Everything curate / reshard / audit write at the top of a run folder.
RUN_ENTRIES = ("ledger", "shards", "curated", "embeddings", "thumbnails", "_spill", LOGS, "manifest.json",
               "pretrain.csv", "reshard.json", "audit.html", "audit", SUCCESS)


class RunFolderError(ValueError):
    """A run folder that cannot be used as asked: reported as one line, exit status 2."""


def prepare_output(output: str, overwrite: bool) -> None:
    """Refuse a used ``output`` unless ``overwrite``; with it, remove the previous run's entries (``_SUCCESS``
    first, so a run killed while overwriting is never mistaken for complete)."""
    if uris.is_local(output) and uris.exists(output) and not _is_dir(output):
        raise RunFolderError(f"--output {output} is an existing file, not a folder")
    used = uris.has_files(output)
    if used and not overwrite:
        raise RunFolderError(f"--output {output} is not empty; pass --overwrite to replace the run there, or "
                             "choose a new folder")
    if used:
        uris.remove(uris.join(output, SUCCESS))
        for entry in RUN_ENTRIES:
            uris.remove(uris.join(output, entry))


def _is_dir(uri: str) -> bool:
    return os.path.isdir(uris.local_path(uri))


def mark_complete(output: str) -> None:
    uris.write_bytes(uris.join(output, SUCCESS), b"")


def is_complete(run: str) -> bool:
    return uris.exists(uris.join(run, SUCCESS))


def require_complete(run: str, what: str = "run") -> None:
    """One-line refusal of a folder that does not hold a complete run."""
    if not uris.exists(uris.join(run, "manifest.json")) and not uris.exists(uris.join(run, "ledger")):
        raise RunFolderError(f"{run} is not a curated {what} (no manifest.json or ledger/)")
    if not is_complete(run):
        raise RunFolderError(f"{run} is an incomplete {what} (no {SUCCESS}: it was killed, failed or is still "
                             "running); rerun it with --overwrite")


def require_complete_shards(patterns: list[str]) -> None:
    """Shards inside a curated run (``RUN/shards/...``) are used only when that run is complete."""
    for pattern in patterns:
        if "://" in pattern and not pattern.startswith("file://"):
            head = pattern
        else:
            head = uris.absolute(pattern)
        folder = head.rsplit("/", 2)
        if len(folder) == 3 and folder[1] == "shards":
            run = folder[0]
            if (uris.exists(uris.join(run, "manifest.json")) or uris.exists(uris.join(run, "ledger"))) \
                    and not is_complete(run):
                raise RunFolderError(f"{run} is an incomplete run (no {SUCCESS}: it was killed, failed or is "
                                     "still running); its shards are not used")


_STEP = re.compile(r"while running '([^']+)'")


def failing_step(exc: BaseException) -> str | None:
    """The Beam step named in a worker failure ("[while running 'Ledger/DecideAndWrite']"), if any."""
    found = _STEP.findall(f"{exc}\n{traceback.format_exc()}")
    return found[-1] if found else None


def log_failure(output: str, command: str, exc: BaseException) -> str:
    """Write the full traceback under ``<output>/_logs/``; return the one line to show the user."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = uris.join(output, LOGS, f"{command}-{stamp}.log")
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        uris.write_bytes(path, text.encode("utf-8", "backslashreplace"))
    except Exception:  # noqa: BLE001 - the output itself may be what failed; still say what happened
        path = "(could not write the log)"
    step = failing_step(exc)
    last = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
    while last.startswith("RuntimeError: "):  # Beam wraps a worker's error once per hop
        last = last[len("RuntimeError: "):]
    last = re.sub(r" \[while running '[^']*'\]$", "", last)[:300]  # the step is named already
    where = f" in step {step}" if step else ""
    name = type(exc).__name__
    return f"pipeline failed{where}: {last if name == 'RuntimeError' else f'{name}: {last}'} (full traceback: {path})"
