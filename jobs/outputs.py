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
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline.config import Config
from pipeline import manifest
from pipeline.runner import make_pipeline
from schemas.ledger import LEDGER_SCHEMA
from schemas.shard_index import INDEX_SCHEMA
from transforms.ledger import write_table
from transforms.shards import WriteShards, kept_rows


def shard_count(ledger_files: list[str], config: Config) -> int:
    kept = total_bytes = 0
    for path in ledger_files:
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle, columns=["status", "video_bytes"])
        mask = [s == "kept" for s in table.column("status").to_pylist()]
        kept += sum(mask)
        total_bytes += sum(b or 0 for b, m in zip(table.column("video_bytes").to_pylist(), mask) if m)
    by_samples = math.ceil(kept / config.shards.samples_per_shard)
    by_bytes = math.ceil(total_bytes / config.shards.max_bytes) if config.shards.max_bytes else 0
    return max(1, by_samples, by_bytes)


def _write_index(rows: list[dict], path: str) -> None:
    rows = sorted(rows, key=lambda r: r["video_id"])
    write_table(pa.Table.from_pylist(rows, schema=INDEX_SCHEMA), path)


def write_outputs(output: str, config: Config, beam_args: list[str], previous_shards: str | None = None
                  ) -> dict[str, Any]:
    """Shards, index, curated table and pretrain.csv under ``output`` from its ledger; video bytes from
    ``previous_shards`` (an earlier run's shards directory) where they hold the video."""
    ledger_files = manifest.ledger_files(FileSystems.join(output, "ledger"))
    shards_dir, curated_dir = FileSystems.join(output, "shards"), FileSystems.join(output, "curated")
    for directory in (shards_dir, curated_dir):
        if FileSystems.exists(directory):
            FileSystems.delete([directory])
        FileSystems.mkdirs(directory)
    shards = shard_count(ledger_files, config)
    pipeline = make_pipeline(beam_args)
    index = (pipeline
             | "LedgerFiles" >> beam.Create(ledger_files)
             | "Shards" >> WriteShards(shards_dir, shards, previous_shards)
             | "AllIndexRows" >> beam.combiners.ToList()
             | "WriteIndex" >> beam.Map(_write_index, FileSystems.join(shards_dir, "index.parquet")))
    del index
    pipeline.run().wait_until_finish()

    kept_total = 0
    csv_buffer = io.StringIO()
    writer = csv.writer(csv_buffer, lineterminator="\n")
    writer.writerow(["video_id:FILE", "title"])
    for path in ledger_files:
        rows = kept_rows(path)
        kept_total += len(rows)
        if rows:
            write_table(pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA),
                        FileSystems.join(curated_dir, posixpath.basename(path)))
        writer.writerows([row["video_path"], row["title"]] for row in rows)
    with FileSystems.create(FileSystems.join(output, "pretrain.csv")) as handle:
        handle.write(csv_buffer.getvalue().encode("utf-8"))
    return {"shards": shards, "kept": kept_total, "shards_dir": shards_dir, "curated_dir": curated_dir}
