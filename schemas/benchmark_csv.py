"""The Youku-mPLUG benchmark's CSV files, read exactly as the public release lays them out.

    classification  video_id:FILE,title,label        (label: the Chinese category name)
    retrieval       clip_name:FILE,caption
    captioning      video_id:FILE,golden_caption     (a clip may have several rows: several references)

The header row is required and must be the task's: a retrieval file handed to ``--benchmark classification`` is a
usage error, not 40,000 malformed rows. After it, a bad row (wrong number of fields, empty file or text, a label
outside the 45-class taxonomy, undecodable bytes) is reported with its line number and skipped, never fatal: a
benchmark of 30K human-annotated clips should not be lost to one stray line. Labels are also accepted as a taxonomy
id or English name (``schemas.taxonomy``), since re-exports differ.
"""
from __future__ import annotations

import csv
import io
from typing import NamedTuple

from schemas.taxonomy import NAMES, canonical_category

HEADERS: dict[str, tuple[str, ...]] = {
    "classification": ("video_id:FILE", "title", "label"),
    "retrieval": ("clip_name:FILE", "caption"),
    "captioning": ("video_id:FILE", "golden_caption"),
}
_INDEX = {name: i for i, name in enumerate(NAMES)}


class BenchmarkRow(NamedTuple):
    line: int    # 1-based line of the file (the header is line 1)
    file: str    # the FILE column: a path relative to the videos folder
    text: str    # title, caption or golden caption
    label: int   # taxonomy index for classification, else -1


class BenchmarkFile(NamedTuple):
    task: str
    rows: list[BenchmarkRow]
    problems: list[tuple[int, str]]  # (line, why it was skipped)


class BenchmarkFormatError(ValueError):
    """Not a benchmark file of the task (missing or other header, unreadable): one line."""


def parse_benchmark(data: bytes, task: str, name: str = "csv") -> BenchmarkFile:
    """Rows and skipped-row problems of one benchmark CSV (``data``: the file's bytes; ``name``: for messages)."""
    if task not in HEADERS:
        raise BenchmarkFormatError(f"unknown benchmark {task!r}; one of {', '.join(HEADERS)}")
    text = data.decode("utf-8-sig", errors="surrogateescape")  # a bad byte spoils its row, not the file
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise BenchmarkFormatError(f"{name}: empty or unreadable, expected the header {','.join(HEADERS[task])}") \
            from exc
    header = tuple(h.strip() for h in header)
    if header != HEADERS[task]:
        raise BenchmarkFormatError(f"{name}: header {','.join(header)!r} is not the {task} benchmark's "
                                   f"{','.join(HEADERS[task])!r}")
    rows: list[BenchmarkRow] = []
    problems: list[tuple[int, str]] = []
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append((line, f"unparsable CSV: {exc}"))
            continue
        if not fields or all(not f.strip() for f in fields):
            continue  # blank line
        row = _row(line, fields, task)
        if isinstance(row, str):
            problems.append((line, row))
        else:
            rows.append(row)
    return BenchmarkFile(task, rows, problems)


def _row(line: int, fields: list[str], task: str) -> BenchmarkRow | str:
    want = len(HEADERS[task])
    if len(fields) != want:
        return f"{len(fields)} fields, expected {want}"
    if any(_has_bad_bytes(f) for f in fields):
        return "not valid UTF-8"
    file, text = fields[0].strip(), fields[1].strip()
    if not file:
        return "empty FILE column"
    if not text:
        return f"empty {HEADERS[task][1]}"
    label = -1
    if task == "classification":
        name = canonical_category(fields[2])
        if name is None:
            return f"label {fields[2].strip()!r} is not one of the 45 categories"
        label = _INDEX[name]
    return BenchmarkRow(line, file, text, label)


def _has_bad_bytes(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def write_benchmark(rows: list[tuple[str, ...]], task: str) -> bytes:
    """A benchmark CSV of ``rows`` (tuples in the task's column order; labels as Chinese names), as the release
    writes them: the header, comma-separated, quoted only where needed, UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS[task])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
