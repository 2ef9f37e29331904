"""The outputs of a curated run: WebDataset shards + ``shards/index.parquet``, the curated table
(``curated/*.parquet``, the kept ledger rows) and a Youku-mPLUG-compatible ``pretrain.csv`` (``video_id:FILE,title``)
so existing training code reads our output unchanged. Everything is derived from the ledger, so ``curate`` writes
it after its run and a re-decided ledger can be sharded again the same way.
"""
from __future__ import annotations

import csv
import io
import math
import posixpath
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline.config import Config
from pipeline import manifest, uris
from pipeline.runner import make_pipeline
from schemas.ledger import LEDGER_SCHEMA
from schemas.shard_index import INDEX_SCHEMA
from transforms.ledger import write_table
from transforms.shards import INDEX_PARTS, WriteShards


def _kept(path: str, columns: list[str] | None = None) -> pa.Table:
    """The kept rows of one ledger file (only ``columns`` if given), filtered in Arrow: no Python object per row."""
    with FileSystems.open(path) as handle:
        table = pq.read_table(handle, columns=columns)
    return table.filter(pc.equal(table.column("status"), "kept")) if columns is None or "status" in columns \
        else table


def kept_records(ledger_files: list[str]) -> int:
    """Kept rows over the ledger, from one column per file."""
    return sum(_kept(path, ["status"]).num_rows for path in ledger_files)


def shard_count(ledger_files: list[str], config: Config) -> int:
    """Shards for the kept records, streaming over the ledger one file at a time (bounded memory)."""
    kept = total_bytes = 0
    for path in ledger_files:
        table = _kept(path, ["status", "video_bytes"])
        kept += table.num_rows
        total_bytes += pc.sum(table.column("video_bytes")).as_py() or 0
    by_samples = math.ceil(kept / config.shards.samples_per_shard)
    by_bytes = math.ceil(total_bytes / config.shards.max_bytes) if config.shards.max_bytes else 0
    return max(1, by_samples, by_bytes)


def _merge_index(parts_dir: str, path: str) -> None:
    """Concatenate the per-shard index parts (each sorted by video_id) in shard order into one Parquet file, one
    part in memory at a time, then drop the parts."""
    parts = sorted(m.path for m in FileSystems.match([FileSystems.join(parts_dir, "*.parquet")])[0].metadata_list)
    tmp = f"{path}.tmp"
    with FileSystems.create(tmp) as handle, pq.ParquetWriter(handle, INDEX_SCHEMA, compression="zstd") as writer:
        for part in parts:
            with FileSystems.open(part) as source:
                writer.write_table(pq.read_table(source, schema=INDEX_SCHEMA))
    uris.remove(path)
    FileSystems.rename([tmp], [path])
    uris.remove(parts_dir)


def write_outputs(output: str, config: Config, beam_args: list[str], previous_shards: str | None = None,
                  input_root: str = "") -> dict[str, Any]:
    """Shards, index, curated table and pretrain.csv under ``output`` from its ledger; video bytes from
    ``previous_shards`` (an earlier run's shards directory) where they hold the video, else from the ledger's
    ``video_path`` resolved against ``input_root`` (the manifest's ``input.root``).

    Nothing here holds the whole ledger: shards, curated files and pretrain.csv parts are written by a pipeline
    (one shard or ledger file per worker call); the driver merges the index parts and the CSV parts."""
    ledger_files = manifest.ledger_files(FileSystems.join(output, "ledger"))
    shards_dir, curated_dir = FileSystems.join(output, "shards"), FileSystems.join(output, "curated")
    for directory in (shards_dir, curated_dir):
        uris.remove(directory)
        if uris.is_local(directory):
            FileSystems.mkdirs(directory)
    shards = shard_count(ledger_files, config)
    parts_dir = FileSystems.join(shards_dir, INDEX_PARTS)
    pipeline = make_pipeline(beam_args)
    csv_parts = FileSystems.join(output, CSV_PARTS)
    files = pipeline | "LedgerFiles" >> beam.Create(ledger_files)
    _ = files | "Shards" >> WriteShards(shards_dir, shards, previous_shards, parts_dir, input_root)
    _ = (files
         | "SpreadForCurated" >> beam.Reshuffle()
         | "CuratedAndCsvParts" >> beam.Map(_curated_part, curated_dir, csv_parts, input_root))
    pipeline.run().wait_until_finish()
    _merge_index(parts_dir, FileSystems.join(shards_dir, "index.parquet"))
    _merge_csv(ledger_files, csv_parts, FileSystems.join(output, "pretrain.csv"))
    return {"shards": shards, "kept": kept_records(ledger_files), "shards_dir": "shards", "curated_dir": "curated"}


CSV_PARTS = "_pretrain_parts"


def _curated_part(path: str, curated_dir: str, csv_parts: str, input_root: str = "") -> int:
    """On a worker: one ledger file's kept rows as its curated file and its part of pretrain.csv (the driver only
    concatenates the small CSV parts, in ledger order). pretrain.csv names each video by the path a trainer
    opens: resolved against the input root."""
    table = _kept(path)
    name = posixpath.basename(path)
    if table.num_rows:
        write_table(table.cast(LEDGER_SCHEMA), FileSystems.join(curated_dir, name))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        zip((uris.resolve(input_root, p) if input_root else p for p in table.column("video_path").to_pylist()),
            table.column("title").to_pylist()))
    uris.write_bytes(FileSystems.join(csv_parts, f"{name}.csv"), buffer.getvalue().encode("utf-8"))
    return table.num_rows


def _merge_csv(ledger_files: list[str], csv_parts: str, path: str) -> None:
    """pretrain.csv = header + the parts in ledger order, copied through in blocks."""
    tmp = f"{path}.tmp"
    with FileSystems.create(tmp) as handle:
        handle.write("video_id:FILE,title\n".encode("utf-8"))
        for ledger_file in ledger_files:
            with FileSystems.open(FileSystems.join(csv_parts, f"{posixpath.basename(ledger_file)}.csv")) as part:
                for block in iter(lambda: part.read(1 << 20), b""):
                    handle.write(block)
    uris.remove(path)
    FileSystems.rename([tmp], [path])
    uris.remove(csv_parts)
