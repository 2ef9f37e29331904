"""Reading raw records: plan units of work (byte ranges / row groups), then parse them into batches.

A unit of work is a byte range of a JSONL/CSV file or a row group of a Parquet file, so one big file still spreads
over every worker and a record's id (file index << 40 | byte offset) is stable across runs and runners. Parsing
yields batches of ledger-row dicts: valid records ready for the text stages, and ``error``/``schema`` rows for the
rest (nothing is dropped; blank lines are not records).
"""
from __future__ import annotations

import csv
import io
import json
import os
import posixpath
from dataclasses import dataclass, replace
from typing import Any, Iterator

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline.config import ReadConfig
from schemas.raw_record import YOUKU_CSV_COLUMNS, SchemaError, salvage_video_id, validate

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_OFFSET_BITS = 40


class InputError(ValueError):
    """Unreadable or empty input: the job stops with a one-line message."""


@dataclass(frozen=True)
class ReadTask:
    file_index: int
    path: str
    fmt: str
    start: int   # byte offset, or first row group for Parquet
    end: int     # exclusive
    unit: int = 0             # position in the plan; also the ledger file this unit's rows go to
    first_record_id: int = 0  # record ids of this unit are >= this and < the next unit's


def unit_starts(tasks: list[ReadTask]) -> list[int]:
    """Sorted first record ids, for routing a record id back to its unit of work with ``bisect``."""
    return [task.first_record_id for task in tasks]


def _format_of(path: str) -> str:
    name = path.lower()
    for suffix in (".gz", ".bz2", ".zst", ".deflate"):
        name = name.removesuffix(suffix)
    fmt = FORMATS.get(posixpath.splitext(name)[1])
    if fmt is None:
        raise InputError(f"unsupported input format: {path} (expected .jsonl, .json, .csv or .parquet)")
    return fmt


def plan_reads(patterns: list[str], config: ReadConfig) -> list[ReadTask]:
    """Expand paths/globs/URIs into units of work, in a deterministic order (sorted by path)."""
    files: dict[str, int] = {}
    for pattern in patterns:
        try:
            results = FileSystems.match([pattern])[0].metadata_list
        except Exception as exc:  # Beam raises several types for bad schemes / missing buckets
            raise InputError(f"cannot read input {pattern}: {exc}") from exc
        if not results:
            raise InputError(f"no input files match {pattern}")
        files.update({m.path: m.size_in_bytes for m in results})
    tasks = []
    for index, path in enumerate(sorted(files)):
        fmt, size = _format_of(path), files[path]
        base = index << _OFFSET_BITS
        if fmt == "parquet":
            with FileSystems.open(path) as handle:
                meta = pq.ParquetFile(handle).metadata
            first_row = 0
            for g in range(meta.num_row_groups):
                tasks.append(ReadTask(index, path, fmt, g, g + 1, first_record_id=base | first_row))
                first_row += meta.row_group(g).num_rows
        elif path.lower().endswith((".gz", ".bz2", ".zst", ".deflate")) or size <= config.split_bytes:
            tasks.append(ReadTask(index, path, fmt, 0, size if size else 1, first_record_id=base))
        else:
            tasks.extend(ReadTask(index, path, fmt, s, min(s + config.split_bytes, size), first_record_id=base | s)
                         for s in range(0, size, config.split_bytes))
    return [replace(task, unit=unit) for unit, task in enumerate(tasks)]


def _resolve_path(video_path: str | None, base_dir: str) -> str | None:
    if not video_path or "://" in video_path or os.path.isabs(video_path):
        return video_path
    if "://" in base_dir:
        return posixpath.join(base_dir, video_path)
    return os.path.normpath(os.path.join(base_dir, video_path))


def _lines(task: ReadTask) -> Iterator[tuple[int, bytes]]:
    """(byte offset, line) for every line whose first byte lies in [start, end)."""
    with FileSystems.open(task.path) as raw:
        handle = io.BufferedReader(raw, 1 << 20) if not hasattr(raw, "peek") else raw
        pos = task.start
        if pos > 0:
            handle.seek(pos - 1)
            pos += len(handle.readline()) - 1
        while pos < task.end:
            line = handle.readline()
            if not line:
                return
            yield pos, line
            pos += len(line)


def _csv_header(path: str) -> list[str]:
    with FileSystems.open(path) as handle:
        first = handle.readline().decode("utf-8-sig", errors="replace")
    return next(csv.reader([first]), [])


def _csv_object(header: list[str], line: str) -> dict[str, Any]:
    values = next(csv.reader([line]), [])
    if len(values) != len(header):
        raise SchemaError(f"CSV row has {len(values)} fields, header has {len(header)}")
    obj = dict(zip(header, values))
    if "video_id:FILE" in obj:  # Youku-mPLUG release format
        obj = {YOUKU_CSV_COLUMNS.get(k, k): v for k, v in obj.items()}
        stem = posixpath.basename(obj.get("video_path") or "")
        obj["video_id"] = posixpath.splitext(stem)[0] or None
    return obj


def _error_row(record_id: int, source: str, reason: str, video_id: str | None, title: str | None = None) -> dict:
    return {"record_id": record_id, "source": source, "status": "error", "stage": "schema", "reason": reason,
            "video_id": video_id, "title_raw": title}


def _rows_from_text(task: ReadTask, config: ReadConfig) -> Iterator[dict[str, Any]]:
    header = _csv_header(task.path) if task.fmt == "csv" else None
    base_dir = posixpath.dirname(task.path) if "://" in task.path else os.path.dirname(task.path)
    for offset, raw_line in _lines(task):
        if task.fmt == "csv" and offset == 0:
            continue  # the header
        if not raw_line.strip():
            continue
        record_id = (task.file_index << _OFFSET_BITS) | offset
        source = f"{task.path}@{offset}"
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            loose = raw_line.decode("utf-8", errors="replace")
            yield _error_row(record_id, source, f"invalid UTF-8 at byte {exc.start} of the line",
                             salvage_video_id(loose))
            continue
        text = text.lstrip("\ufeff").rstrip("\r\n")
        try:
            obj = _csv_object(header, text) if header is not None else json.loads(text)
        except json.JSONDecodeError as exc:
            yield _error_row(record_id, source, f"malformed JSON: {exc.msg} at column {exc.colno}",
                             salvage_video_id(text))
            continue
        except SchemaError as exc:
            yield _error_row(record_id, source, str(exc), None)
            continue
        yield _validated(obj, record_id, source, base_dir, config)


def _validated(obj: Any, record_id: int, source: str, base_dir: str, config: ReadConfig) -> dict[str, Any]:
    try:
        row = validate(obj, config.max_title_chars)
    except SchemaError as exc:
        video_id = obj.get("video_id") if isinstance(obj, dict) else None
        title = obj.get("title") if isinstance(obj, dict) else None
        return _error_row(record_id, source, str(exc), None if video_id is None else str(video_id),
                          title[:2000] if isinstance(title, str) else None)
    row["record_id"] = record_id
    row["source"] = source
    row["video_path"] = _resolve_path(row["video_path"], base_dir)
    return row


def _rows_from_parquet(task: ReadTask, config: ReadConfig) -> Iterator[dict[str, Any]]:
    base_dir = posixpath.dirname(task.path) if "://" in task.path else os.path.dirname(task.path)
    with FileSystems.open(task.path) as handle:
        parquet = pq.ParquetFile(handle)
        first_row = sum(parquet.metadata.row_group(g).num_rows for g in range(task.start))
        for i, obj in enumerate(parquet.read_row_group(task.start).to_pylist()):
            row_number = first_row + i
            yield _validated(obj, (task.file_index << _OFFSET_BITS) | row_number,
                             f"{task.path}#row{row_number}", base_dir, config)


def read_batches(task: ReadTask, config: ReadConfig) -> Iterator[list[dict[str, Any]]]:
    """Parse one unit of work into batches of at most ``config.batch_size`` rows."""
    rows = _rows_from_parquet(task, config) if task.fmt == "parquet" else _rows_from_text(task, config)
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= config.batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def numbered_batches(task: ReadTask, config: ReadConfig) -> Iterator[tuple[int, int, list[dict[str, Any]]]]:
    """(unit, batch number, rows): the numbering names the batch's spill file deterministically."""
    for number, batch in enumerate(read_batches(task, config)):
        yield task.unit, number, batch


class ReadRecords(beam.PTransform):
    """Planned units of work -> (unit, batch number, rows) with valid records and schema errors."""

    def __init__(self, tasks: list[ReadTask], config: ReadConfig) -> None:
        super().__init__()
        self.tasks = tasks
        self.config = config

    def expand(self, pbegin):
        return (pbegin
                | "PlanUnitsOfWork" >> beam.Create(self.tasks)
                | "SpreadUnits" >> beam.Reshuffle()
                | "ParseBatches" >> beam.FlatMap(numbered_batches, self.config))
