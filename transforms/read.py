"""Reading raw records: plan units of work (byte ranges / row groups), then parse them into batches.

A unit of work is a byte range of a JSONL/CSV file or a row group of a Parquet file, so one big file still spreads
over every worker and a record's id (file index << 40 | byte offset) is stable across runs and runners. Parsing
yields batches of ledger-row dicts: valid records ready for the text stages, and ``error``/``schema`` rows for the
rest (nothing is dropped; blank lines are not records).
"""
from __future__ import annotations

import csv
import io
import os
import posixpath
from dataclasses import dataclass, replace
from typing import Any, Iterator

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline import progress, uris
from pipeline.config import ReadConfig
from schemas.raw_record import YOUKU_CSV_COLUMNS, SchemaError, parse_json, printable, salvage_video_id, validate
from transforms.read_files import (EXTENSIONS, NotAFile, check_regular, compression_of, csv_records, lines,
                                   open_input, read_head)

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_OFFSET_BITS = 40
_OFFSET_MASK = (1 << _OFFSET_BITS) - 1
WHOLE_FILE = 1 << _OFFSET_BITS  # end of a unit that reads its file to the end (compressed, CSV, small)
MIN_UNIT_BYTES = 1 << 20  # below this a unit's fixed costs (a ledger part, an index part, a few batches) dominate
PEEK_BYTES = 1 << 20  # files this small are checked for records while planning (empty input: one line, no run)


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
    bytes: int = 0            # this unit's share of the input's bytes (progress and ETA)
    root: str = ""            # the input root (see pipeline.uris.common_root): ledger paths are relative to it


def unit_starts(tasks: list[ReadTask]) -> list[int]:
    """Sorted first record ids, for routing a record id back to its unit of work with ``bisect``."""
    return [task.first_record_id for task in tasks]


def _format_of(path: str) -> str:
    name = path.lower()
    for suffix in EXTENSIONS:
        name = name.removesuffix(suffix)
    fmt = FORMATS.get(posixpath.splitext(name)[1])
    if fmt is None:
        raise InputError(f"unsupported input format: {path} (expected .jsonl, .json, .csv or .parquet, "
                         f"optionally .gz, .bz2 or .zst)")
    return fmt


def _match(pattern: str) -> dict[str, int]:
    try:
        results = FileSystems.match([pattern])[0].metadata_list
    except Exception as exc:  # noqa: BLE001 - Beam raises several types for bad schemes / missing buckets
        raise InputError(f"cannot read input {pattern}: {str(exc).splitlines()[0][:200]}") from exc
    if not results:
        raise InputError(f"no input files match {pattern}")
    return {m.path: m.size_in_bytes for m in results}


def _parquet_tasks(index: int, path: str, size: int) -> list[ReadTask]:
    try:
        with FileSystems.open(path) as handle:
            meta = pq.ParquetFile(handle).metadata
    except Exception as exc:  # noqa: BLE001 - ArrowInvalid, OSError: an unreadable footer
        raise InputError(f"cannot read Parquet file {path}: {str(exc).splitlines()[0][:200]}") from exc
    tasks, first_row, groups = [], 0, meta.num_row_groups
    for g in range(groups):
        tasks.append(ReadTask(index, path, "parquet", g, g + 1, first_record_id=(index << _OFFSET_BITS) | first_row,
                              bytes=size // groups + (size % groups if g == groups - 1 else 0)))
        first_row += meta.row_group(g).num_rows
    return tasks


def unit_bytes(total: int, config: ReadConfig) -> int:
    """The size of a JSONL unit of work for an input of ``total`` bytes: ``split_bytes``, or less so the input makes
    at least ``min_units`` units (a few big units leave workers idle while one finishes), but not under
    ``MIN_UNIT_BYTES`` unless ``split_bytes`` says so. A function of the input and the config only, so a rerun on any
    runner plans the same units."""
    return min(config.split_bytes, max(MIN_UNIT_BYTES, -(-total // config.min_units)))


def _splittable(path: str, fmt: str, size: int, split: int) -> bool:
    """Only plain JSONL splits at byte offsets (see transforms.read_files); the magic bytes are read only for files
    big enough to split, so planning many small files costs no extra reads."""
    if fmt != "jsonl" or size <= split or compression_of(path):
        return False
    return compression_of(path, read_head(path)) is None


def plan_reads(patterns: list[str], config: ReadConfig) -> list[ReadTask]:
    """Expand paths/globs/URIs into units of work, in a deterministic order (sorted by path)."""
    files: dict[str, int] = {}
    for pattern in patterns:
        files.update(_match(pattern))
    tasks = []
    split = unit_bytes(sum(files.values()), config)
    for index, path in enumerate(sorted(files)):
        try:
            check_regular(path)
        except NotAFile as exc:
            raise InputError(str(exc)) from None
        fmt, size = _format_of(path), files[path]
        base = index << _OFFSET_BITS
        if fmt == "parquet":
            tasks.extend(_parquet_tasks(index, path, size))
        elif not _splittable(path, fmt, size, split):
            tasks.append(ReadTask(index, path, fmt, 0, WHOLE_FILE, first_record_id=base, bytes=size))
        else:
            tasks.extend(ReadTask(index, path, fmt, s, min(s + split, size), first_record_id=base | s,
                                  bytes=min(s + split, size) - s)
                         for s in range(0, size, split))
    if all(files[path] == 0 for path in files):
        raise InputError(f"input is empty: {len(files)} file(s), 0 bytes")
    if all(size <= PEEK_BYTES and _blank(path, _format_of(path)) for path, size in files.items()):
        raise InputError(f"no records in the input: {len(files)} small file(s), all blank or only a CSV header")
    root = uris.common_root(sorted(files))
    return [replace(task, unit=unit, root=root) for unit, task in enumerate(tasks)]


def _blank(path: str, fmt: str) -> bool:
    """Whether a small text file holds no record (only whitespace, or a CSV header alone)."""
    if fmt == "parquet":
        return False
    with open_input(path) as handle:
        lines_seen = [line for line in handle.read(PEEK_BYTES + 1).splitlines() if line.strip()]
    return len(lines_seen) <= (1 if fmt == "csv" else 0)


def _resolve_path(video_path: str | None, base_dir: str) -> str | None:
    if not video_path or "://" in video_path or os.path.isabs(video_path):
        return video_path
    if "://" in base_dir:
        return posixpath.join(base_dir, video_path)
    return os.path.normpath(os.path.join(base_dir, video_path))


def _csv_object(header: list[str], record: str) -> dict[str, Any]:
    values = next(csv.reader(io.StringIO(record, newline="")), [])
    if len(values) != len(header):
        raise SchemaError(f"CSV row has {len(values)} fields, header has {len(header)}")
    obj = dict(zip(header, values))
    if "video_id:FILE" in obj:  # Youku-mPLUG release format
        obj = {YOUKU_CSV_COLUMNS.get(k, k): v for k, v in obj.items()}
        stem = posixpath.basename(obj.get("video_path") or "")
        obj["video_id"] = posixpath.splitext(stem)[0] or None
    return obj


def _error_row(record_id: int, source: str, reason: str, video_id: str | None, title: str | None = None) -> dict:
    return {"record_id": record_id, "source": source, "status": "error", "stage": "schema",
            "reason": printable(reason), "video_id": None if video_id is None else printable(video_id)[:1000],
            "title_raw": None if title is None else printable(title)[:2000]}


def _physical_records(task: ReadTask) -> Iterator[tuple[int, bytes]]:
    if task.fmt == "csv":
        return csv_records(task.path)
    return lines(task.path, task.start, task.end)


def _rows_from_text(task: ReadTask, config: ReadConfig) -> Iterator[dict[str, Any]]:
    header = None
    base_dir = posixpath.dirname(task.path) if "://" in task.path else os.path.dirname(task.path)
    name = uris.relative_to(task.path, task.root)
    for offset, raw_line in _physical_records(task):
        if not raw_line.strip():
            continue
        record_id = (task.file_index << _OFFSET_BITS) | offset
        source = f"{name}@{offset}"
        if task.fmt == "csv" and header is None:
            header = next(csv.reader([raw_line.decode("utf-8-sig", errors="replace").rstrip("\r\n")]), [])
            continue
        yield _parsed(raw_line, header, record_id, source, base_dir, task.root, config)


def _parsed(raw_line: bytes, header: list[str] | None, record_id: int, source: str, base_dir: str, root: str,
            config: ReadConfig) -> dict[str, Any]:
    """One ledger row for one physical record, whatever it holds: a valid record or an error/schema row."""
    try:
        text = raw_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _error_row(record_id, source, f"invalid UTF-8 at byte {exc.start} of the line",
                          salvage_video_id(raw_line.decode("utf-8", errors="replace")))
    text = text.lstrip("\ufeff").rstrip("\r\n")
    try:
        obj = _csv_object(header, text) if header is not None else parse_json(text)
        return _validated(obj, record_id, source, base_dir, root, config)
    except SchemaError as exc:
        return _error_row(record_id, source, str(exc), _salvage_id(text, header))
    except Exception as exc:  # noqa: BLE001 - one record must never stop a run: it becomes an error row
        return _error_row(record_id, source, f"unreadable record ({type(exc).__name__}: {str(exc)[:120]})",
                          _salvage_id(text, header))


def _salvage_id(text: str, header: list[str] | None) -> str | None:
    """The video_id of a record that failed, if it can be read, so its error row can be found by id."""
    if header is None:
        return salvage_video_id(text)
    values = next(csv.reader(io.StringIO(text, newline="")), [])
    if "video_id" in header and header.index("video_id") < len(values):
        return values[header.index("video_id")] or None
    return None


def _validated(obj: Any, record_id: int, source: str, base_dir: str, root: str, config: ReadConfig) -> dict[str, Any]:
    """A valid record's row (``video_path`` relative to the input root; ``video_uri``, the file to open, travels
    with the row but is not a ledger column), or an error row."""
    try:
        row = validate(obj, config.max_title_chars)
    except SchemaError as exc:
        video_id = obj.get("video_id") if isinstance(obj, dict) else None
        title = obj.get("title") if isinstance(obj, dict) else None
        return _error_row(record_id, source, str(exc),
                          video_id if isinstance(video_id, str) else None if video_id is None else repr(video_id),
                          title if isinstance(title, str) else None)
    row["record_id"] = record_id
    row["source"] = source
    row["video_uri"] = _resolve_path(row["video_path"], base_dir)
    row["video_path"] = uris.relative_to(row["video_uri"], root)
    return row


def _rows_from_parquet(task: ReadTask, config: ReadConfig) -> Iterator[dict[str, Any]]:
    base_dir = posixpath.dirname(task.path) if "://" in task.path else os.path.dirname(task.path)
    with FileSystems.open(task.path) as handle:
        parquet = pq.ParquetFile(handle)
        first_row = sum(parquet.metadata.row_group(g).num_rows for g in range(task.start))
        try:
            objs = parquet.read_row_group(task.start).to_pylist()
        except Exception as exc:  # noqa: BLE001 - a corrupt row group: every one of its rows becomes an error row
            reason = f"unreadable Parquet row group {task.start} ({type(exc).__name__}: {str(exc)[:120]})"
            for i in range(parquet.metadata.row_group(task.start).num_rows):
                yield _error_row((task.file_index << _OFFSET_BITS) | (first_row + i),
                                 f"{uris.relative_to(task.path, task.root)}#row{first_row + i}", reason, None)
            return
        for i, obj in enumerate(objs):
            row_number = first_row + i
            record_id = (task.file_index << _OFFSET_BITS) | row_number
            source = f"{uris.relative_to(task.path, task.root)}#row{row_number}"
            try:
                yield _validated(obj, record_id, source, base_dir, task.root, config)
            except Exception as exc:  # noqa: BLE001 - as for text lines
                yield _error_row(record_id, source, f"unreadable record ({type(exc).__name__}: {str(exc)[:120]})",
                                 None)


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
    reported = 0
    plain_text = task.fmt != "parquet" and task.end != WHOLE_FILE
    for number, batch in enumerate(read_batches(task, config)):
        progress.count("read", len(batch))
        if plain_text:  # bytes as they go; others count their bytes when the unit is done
            done = min(task.bytes, (batch[-1]["record_id"] & _OFFSET_MASK) - task.start)
            progress.count("read_bytes", done - reported)
            reported = done
        yield task.unit, number, batch
    progress.count("read_bytes", task.bytes - reported)
    progress.flush()


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
